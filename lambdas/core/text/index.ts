export { FontRegistry, DEFAULT_FAMILY, builtinFontsDir, type FontFace } from './fonts.js';
export {
  layoutText,
  measureText,
  type Align,
  type LayoutLine,
  type LayoutOptions,
  type TextLayout,
} from './layout.js';
export { titleLayer, textLayer, TITLE_SIZES, TITLE_STYLES, type TextLayer, type Viewport } from './layers.js';
export {
  parseCaptions,
  captionFilters,
  stripCueMarkup,
  CAPTION_DEFAULTS,
  type Cue,
  type CaptionFilterOptions,
} from './captions.js';
