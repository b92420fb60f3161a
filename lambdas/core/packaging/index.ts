/** Packaging presets (`output.presets`): composition presets become renditions, the rest post-process. */
export { OutputPresets, PRESET_NAMES, type PresetEntry, type PresetName } from '../edit/packaging-schema.js';
export { checkPresets, findPreset, DEFAULTS } from './options.js';
export { expandPresets, presetRenditions, socialSize } from './social.js';
export { packageOutput, type PackageOptions } from './package.js';
