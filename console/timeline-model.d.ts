// Types of the timeline view's pure helpers, for the Node tests that import them (not deployed).
/* eslint-disable @typescript-eslint/no-explicit-any */
export function displaySpan(clip: any, edit: any): { start: number; length: number; exact: boolean };
export function timelineSpan(edit: any): number;
export function moveClip(clip: any, ds: number): boolean;
export function trimClip(clip: any, ds: number): boolean;
export function clipLabel(clip: any): string;
