import type { Clip, Edit } from './schema.js';
import { CutlineError } from '../errors.js';

/**
 * Shotstack's caption src `alias://name`: the captions of what the clip with that alias says. Pure: which
 * clips are named, checked so a wrong name is the client's 400 at the caption's src (at submit), before any
 * transcription runs (providers/edit-speech.ts does that).
 */
export const ALIAS_PREFIX = 'alias://';

const assetAt = (t: number, c: number) => `timeline.tracks[${t}].clips[${c}].asset`;

/** The clip a caption's `alias://name` src names, if it is one. */
export const captionAlias = (a: Clip['asset']): string | undefined =>
  (a.type === 'caption' || a.type === 'rich-caption') && a.src.startsWith(ALIAS_PREFIX)
    ? a.src.slice(ALIAS_PREFIX.length)
    : undefined;

export interface AliasSource {
  name: string;
  /** Where the caption that names it is. */
  at: string;
  track: number;
  clip: number;
}

/**
 * Every clip a caption names by alias, checked: the name must be a clip with speech in it (video, audio or
 * text-to-speech); anything else is the client's mistake, reported at the caption's src.
 */
export function captionAliasSources(edit: Edit): AliasSource[] {
  const found = new Map<string, AliasSource>();
  edit.timeline.tracks.forEach((t, ti) =>
    t.clips.forEach((c, ci) => {
      const name = captionAlias(c.asset);
      if (name === undefined || found.has(name)) return;
      const at = `${assetAt(ti, ci)}.src`;
      let target: { track: number; clip: number } | undefined;
      edit.timeline.tracks.forEach((u, ui) =>
        u.clips.forEach((d, di) => {
          if (d.alias === name && !target) target = { track: ui, clip: di };
        }),
      );
      if (!target)
        throw new CutlineError('VALIDATION_FAILED', `${at}: no clip has the alias "${name}"`, [
          { path: at, message: `no clip has the alias "${name}"` },
        ]);
      const type = edit.timeline.tracks[target.track]!.clips[target.clip]!.asset.type;
      if (type !== 'video' && type !== 'audio' && type !== 'text-to-speech') {
        const what = `"${name}" is a${/^[aeiou]/.test(type) ? 'n' : ''} ${type} clip`;
        throw new CutlineError(
          'VALIDATION_FAILED',
          `${at}: ${what}: captions come from a clip's speech (video, audio or text-to-speech)`,
          [{ path: at, message: `${what}, which has no speech` }],
        );
      }
      found.set(name, { name, at, ...target });
    }),
  );
  return [...found.values()];
}
