export { mixKind, mixSequences, parseMixRequest, variationEdit } from './kind.js';
export { MixRequest, MixGroup, MixClip, MixOutput, MAX_VARIATIONS } from './schema.js';
export { pickVariations, seededRandom, decodeCombination } from './variations.js';
