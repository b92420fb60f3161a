// Types of the console's pure helpers, for the Node tests that import them (not deployed).
export interface MergeField {
  name: string;
  default?: unknown;
  type: 'number' | 'string';
}
export function placeholders(value: unknown, out?: string[]): string[];
export function mergeFields(edit: unknown): MergeField[];
export function mergeValues(
  fields: MergeField[],
  values: Record<string, string | undefined>,
): Array<{ find: string; replace: string | number }>;
export function splitPath(path: string): Array<string | number>;
export function locatePath(text: string, path: string): { start: number; end: number } | undefined;
export function jsonErrorOffset(text: string): number | undefined;
export function lineColumn(text: string, offset: number): { line: number; column: number };
export function syntaxErrorOffset(text: string, message: string): number | undefined;
