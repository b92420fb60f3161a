export { clipsKind, clipEdit, parseClipsRequest, CAPTION_SAFE_AREA } from './kind.js';
export { ClipsRequest, ClipRange, ClipCaptions, ClipOutput, Reframe, CLIP_ASPECT_RATIOS } from './schema.js';
export {
  selectSegments,
  scoreWindow,
  sceneCutsFromMotion,
  snapOutOfWords,
  WEIGHTS,
  type Signals,
  type Segment,
} from './select.js';
export { autoFocus, frameCentres, smoothPath, simplify, REFRAME, type GrayFrames } from './reframe.js';
