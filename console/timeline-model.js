// Pure helpers of the timeline view (unit-tested in Node): where a clip's bar lies, and the edits that
// dragging or the arrow keys make. Times stay numbers in the JSON, rounded to milliseconds.

const round = (s) => Math.round(s * 1000) / 1000;
/** Shown for `length: "auto"` until the renderer (the preview's duration) says better. */
const AUTO_GUESS = 3;
const MIN_LENGTH = 0.04;

const numeric = (v) => typeof v === 'number' && Number.isFinite(v);

function clips(edit) {
  const tracks = edit?.timeline?.tracks;
  return Array.isArray(tracks) ? tracks.flatMap((t) => (Array.isArray(t?.clips) ? t.clips : [])) : [];
}

/** The latest end among clips whose start and length are numbers (what `length: "end"` reaches). */
function knownEnd(edit) {
  let end = 0;
  for (const c of clips(edit))
    if (numeric(c?.start) && numeric(c?.length)) end = Math.max(end, c.start + c.length);
  return end;
}

/** `{ start, length, exact }` of a clip's bar; `exact: false` where the JSON says "auto"/"end". */
export function displaySpan(clip, edit) {
  const start = numeric(clip?.start) ? clip.start : 0;
  if (numeric(clip?.length)) return { start, length: clip.length, exact: numeric(clip?.start) };
  if (clip?.length === 'end')
    return { start, length: Math.max(MIN_LENGTH, knownEnd(edit) - start), exact: false };
  return { start, length: AUTO_GUESS, exact: false };
}

/** Seconds the bars span: the end of the last bar (at least 1 s). */
export function timelineSpan(edit) {
  let end = 1;
  for (const c of clips(edit)) {
    const s = displaySpan(c, edit);
    end = Math.max(end, s.start + s.length);
  }
  return round(end);
}

/** Moves a clip by `ds` seconds (never before 0); false when its start is not a number. */
export function moveClip(clip, ds) {
  if (!numeric(clip?.start)) return false;
  clip.start = round(Math.max(0, clip.start + ds));
  return true;
}

/** Changes a clip's length by `ds` seconds (at least one 25 fps frame); false when it is not a number. */
export function trimClip(clip, ds) {
  if (!numeric(clip?.length)) return false;
  clip.length = round(Math.max(MIN_LENGTH, clip.length + ds));
  return true;
}

/** A short name for a bar: the asset type and its file name or text. */
export function clipLabel(clip) {
  const a = clip?.asset ?? {};
  const what =
    typeof a.src === 'string'
      ? decodeURIComponent(a.src.split(/[?#]/)[0].split('/').filter(Boolean).pop() ?? a.src)
      : typeof a.text === 'string'
        ? a.text
        : typeof a.html === 'string'
          ? 'html'
          : '';
  const short = what.length > 28 ? `${what.slice(0, 27)}…` : what;
  return short ? `${a.type ?? 'clip'}: ${short}` : String(a.type ?? 'clip');
}
