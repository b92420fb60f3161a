import { createHash } from 'node:crypto';
import type { HtmlAsset, Position } from '../edit/schema.js';

/** One html asset as the page a browser draws: pure, so the compiler and the rasterizer agree on it. */
export interface HtmlDocument {
  html: string;
  css: string;
  width: number;
  height: number;
  background: string;
  position: Position;
  /** Font files the page uses, inlined by the rasterizer as data: @font-face rules (the page loads nothing). */
  fonts?: EmbeddedFont[];
}

/** A face a document embeds: the rasterizer reads `path`. */
export interface EmbeddedFont {
  /** The name the page's CSS uses: private, so no system font of the same name can answer. */
  family: string;
  weight: number;
  path: string;
}

export function htmlDocument(asset: HtmlAsset, frame: { width: number; height: number }): HtmlDocument {
  return {
    html: asset.html,
    css: asset.css ?? '',
    width: asset.width ?? frame.width,
    height: asset.height ?? frame.height,
    background: asset.background ?? 'transparent',
    position: asset.position ?? 'center',
  };
}

/** The key an html asset's rendered image is known by (the same document draws the same pixels). */
export const htmlKey = (doc: HtmlDocument): string =>
  `html:${createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 32)}`;

const FLEX: Record<Position, [string, string]> = {
  topLeft: ['flex-start', 'flex-start'],
  top: ['flex-start', 'center'],
  topRight: ['flex-start', 'flex-end'],
  left: ['center', 'flex-start'],
  center: ['center', 'center'],
  right: ['center', 'flex-end'],
  bottomLeft: ['flex-end', 'flex-start'],
  bottom: ['flex-end', 'center'],
  bottomRight: ['flex-end', 'flex-end'],
};

/** `#rrggbbaa` → CSS `rgba()`; CSS understands the other hex forms and `transparent` as they are. */
function cssColor(c: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  return m
    ? `rgba(${parseInt(m[1]!, 16)},${parseInt(m[2]!, 16)},${parseInt(m[3]!, 16)},${parseInt(m[4]!, 16) / 255})`
    : c;
}

/**
 * The page: a strict Content-Security-Policy (no scripts, no network: inline styles and data: images and
 * fonts only), the area as the viewport, the user's HTML inside a flex box that places it by `position`.
 * The user's CSS is in its own <style>; `</style` inside it cannot close the element early. What can only
 * show a remote document or media (frames, objects, video) is not displayed, and an image that could not
 * load leaves no broken-image icon.
 */
export function pageSource(doc: HtmlDocument, fontCss = ''): string {
  const [justify, align] = FLEX[doc.position];
  const css = doc.css.replace(/<\/(style)/gi, '<\\/$1');
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<style>html,body{margin:0;padding:0;width:${doc.width}px;height:${doc.height}px;overflow:hidden;background:${cssColor(doc.background)}}
img:not([src^="data:"]){visibility:hidden}iframe,frame,object,embed,video,audio,portal{display:none}
#cutline-area{width:${doc.width}px;height:${doc.height}px;display:flex;flex-direction:column;justify-content:${justify};align-items:${align}}</style>
${fontCss ? `<style>${fontCss}</style>` : ''}<style>${css}</style></head><body><div id="cutline-area">${doc.html}</div></body></html>`;
}
