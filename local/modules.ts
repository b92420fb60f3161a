/**
 * Handler modules are named by their TypeScript sources (HANDLERS, routes). Run from dist/ (compiled by
 * bin/build.mjs) the same module is the .js beside this file's own; run by tsx it is the .ts.
 */
const COMPILED = import.meta.url.endsWith('.js');

export const runnableModule = (entry: string): string => (COMPILED ? entry.replace(/\.ts$/, '.js') : entry);

/** node arguments that run a TypeScript entry: directly when compiled, through tsx otherwise. */
export const nodeEntryArgs = (file: string): string[] =>
  COMPILED ? [runnableModule(file)] : ['--import', 'tsx', file];
