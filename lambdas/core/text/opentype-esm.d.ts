// opentype.js ships its ES build without types of its own: it is the same API as the package's main.
declare module 'opentype.js/dist/opentype.mjs' {
  export * from 'opentype.js';
}
