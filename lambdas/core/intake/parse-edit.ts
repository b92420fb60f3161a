import type { z } from 'zod';
import { CutlineError, formatPath, validationError, type IssueDetail } from '../errors.js';
import { assertNoControlChars } from '../json-strings.js';
import { resolveLimits, type EditLimits } from '../edit/limits.js';
import { applyMerge, mergedJsonBytes } from '../edit/merge.js';
import { checkPresets } from '../packaging/options.js';
import { htmlUnavailable } from '../html/rasterize.js';
import { Edit, Merge } from '../edit/schema.js';
import { checkUnsupported } from './unsupported.js';
import { captionAliasSources } from '../edit/caption-alias.js';
import { allowedDestinationBuckets } from '../edit/destinations.js';
import { ENV } from '../config.js';
import { richCaptionUnsupported } from '../text/rich-caption.js';

function describe(issue: z.core.$ZodIssue): IssueDetail[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: path ? `${path}.${key}` : key,
      message: `unknown field "${key}"`,
    }));
  }
  // Inputs are reported (reportInput) so a missing field can be told from a wrong one.
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return [{ path, message: `${path.split('.').pop() || 'value'} is required` }];
  }
  // A union (number or tween array) whose input has the shape of exactly one branch reports that
  // branch's own issues at their paths (a bad easing at offset.x[1].easing), not the union's summary.
  if (issue.code === 'invalid_union' && issue.errors.length) {
    const fits = issue.errors.filter(
      (branch) =>
        !branch.some((i) => i.path.length === 0 && ['invalid_type', 'invalid_value'].includes(i.code)),
    );
    if (fits.length === 1)
      return fits[0]!.flatMap((i) =>
        describe({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue),
      );
  }
  return [{ path, message: issue.message }];
}

export function zodIssues(error: z.ZodError, prefix: PropertyKey[] = []): IssueDetail[] {
  return error.issues.flatMap((i) => describe({ ...i, path: [...prefix, ...i.path] } as z.core.$ZodIssue));
}

/**
 * Validates an edit exactly as a client sent it: merge fields are checked, measured (the merged size must
 * fit maxRequestBytes, computed before any merged string is built), applied to every string once, and
 * the merged result is validated against the schema and the deployment's limits. The result carries no
 * `merge`: it is what gets stored and rendered, so no later step can merge a replacement again.
 * Throws a CutlineError (VALIDATION_FAILED, LIMIT_EXCEEDED or PAYLOAD_TOO_LARGE) with JSON paths.
 */
export function parseEdit(raw: unknown, limitOverrides: Partial<EditLimits> = {}): Edit {
  const limits = resolveLimits(limitOverrides);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw validationError([{ path: '', message: 'the edit must be a JSON object with timeline and output' }]);
  }
  assertNoControlChars(raw);
  const { merge: rawMerge, ...rest } = raw as Record<string, unknown>;
  let merge: Edit['merge'];
  if (rawMerge !== undefined) {
    const parsed = Merge.safeParse(rawMerge, { reportInput: true });
    if (!parsed.success) throw validationError(zodIssues(parsed.error, ['merge']));
    merge = parsed.data;
    if (merge.length > limits.maxMergeFields) {
      throw limitError(
        'merge',
        `has ${merge.length} fields; the limit is ${limits.maxMergeFields} (maxMergeFields)`,
      );
    }
  }
  const bytes = mergedJsonBytes(rest, merge ?? []);
  if (bytes > limits.maxRequestBytes) {
    const message = `${merge?.length ? 'after merge the edit would be' : 'the edit is'} ${bytes} bytes of JSON; the limit is ${limits.maxRequestBytes} (maxRequestBytes)`;
    throw new CutlineError('PAYLOAD_TOO_LARGE', message, [{ path: merge?.length ? 'merge' : '', message }]);
  }
  const merged = merge ? applyMerge(rest, merge) : rest;
  checkUnsupported(merged);
  const result = Edit.safeParse(merged, { reportInput: true });
  if (!result.success) throw validationError(zodIssues(result.error));
  checkLimits(result.data, limits);
  checkPresets(result.data.output);
  checkHtml(result.data);
  checkRichCaptions(result.data);
  checkDestinations(result.data);
  captionAliasSources(result.data);
  return result.data;
}

/** html, svg and shape assets need a browser where the edit renders: refused at submit, with the first one's path. */
function checkHtml(edit: Edit): void {
  const at: string[] = [];
  edit.timeline.tracks.forEach((t, i) =>
    t.clips.forEach(
      (c, j) =>
        ['html', 'svg', 'shape', 'rich-text'].includes(c.asset.type) &&
        at.push(`timeline.tracks[${i}].clips[${j}].asset`),
    ),
  );
  const why = at.length ? htmlUnavailable() : undefined;
  if (why)
    throw new CutlineError(
      'NOT_SUPPORTED',
      `${at[0]}: ${why}`,
      at.map((path) => ({ path, message: why })),
    );
}

/** What the caption stack cannot draw on a rich-caption: refused at submit, at its paths. */
function checkRichCaptions(edit: Edit): void {
  const problems = edit.timeline.tracks.flatMap((t, i) =>
    t.clips.flatMap((c, j) =>
      c.asset.type === 'rich-caption'
        ? richCaptionUnsupported(c.asset, `timeline.tracks[${i}].clips[${j}].asset`)
        : [],
    ),
  );
  if (problems.length)
    throw new CutlineError('NOT_SUPPORTED', `${problems[0]!.path}: ${problems[0]!.message}`, problems);
}

/**
 * s3 destinations go only to buckets the deployment allows (its Finalize role has a grant on them alone);
 * the CLI writes files where it is told and sends nowhere.
 */
function checkDestinations(edit: Edit, env: NodeJS.ProcessEnv = process.env): void {
  const allowed = allowedDestinationBuckets(env[ENV.DESTINATION_BUCKETS]);
  const platform = !!env[ENV.TABLE_NAME];
  const problems: IssueDetail[] = [];
  edit.output.destinations?.forEach((d, i) => {
    if (d.provider !== 's3' || allowed.includes(d.options.bucket)) return;
    problems.push({
      path: `output.destinations[${i}].options.bucket`,
      message: platform
        ? `this deployment may not send to bucket "${d.options.bucket}": allow it with the CutlinePlatform destinationBuckets prop (cutline start: --destination-bucket)`
        : 'the CLI writes the file where it is told and sends it nowhere: s3 destinations are sent by the platform (cutline start or AWS)',
    });
  });
  if (problems.length)
    throw new CutlineError('NOT_SUPPORTED', `${problems[0]!.path}: ${problems[0]!.message}`, problems);
}

function limitError(path: string, message: string): CutlineError {
  return new CutlineError('LIMIT_EXCEEDED', `${path} ${message}`, [{ path, message }]);
}

/** Limits that can be checked before any source is probed; durations that depend on probes are checked later. */
function checkLimits(edit: Edit, limits: EditLimits): void {
  const problems: IssueDetail[] = [];
  const tracks = edit.timeline.tracks;
  if (tracks.length > limits.maxTracks) {
    problems.push({
      path: 'timeline.tracks',
      message: `has ${tracks.length} tracks; the limit is ${limits.maxTracks} (maxTracks)`,
    });
  }
  let total = 0;
  tracks.forEach((track, t) => {
    total += track.clips.length;
    if (track.clips.length > limits.maxClipsPerTrack) {
      problems.push({
        path: `timeline.tracks[${t}].clips`,
        message: `has ${track.clips.length} clips; the limit is ${limits.maxClipsPerTrack} (maxClipsPerTrack)`,
      });
    }
    track.clips.forEach((clip, c) => {
      const at = `timeline.tracks[${t}].clips[${c}]`;
      const a = clip.asset;
      if (
        (a.type === 'title' || a.type === 'text' || a.type === 'rich-text') &&
        a.text.length > limits.maxTextLength
      ) {
        problems.push({
          path: `${at}.asset.text`,
          message: `is ${a.text.length} characters; the limit is ${limits.maxTextLength} (maxTextLength)`,
        });
      }
      if (
        typeof clip.start === 'number' &&
        typeof clip.length === 'number' &&
        clip.start + clip.length > limits.maxDurationSeconds
      ) {
        problems.push({
          path: `${at}.length`,
          message: `ends at ${clip.start + clip.length} s; the timeline limit is ${limits.maxDurationSeconds} s (maxDurationSeconds)`,
        });
      }
    });
  });
  if (total > limits.maxClips) {
    problems.push({
      path: 'timeline.tracks',
      message: `has ${total} clips in all; the limit is ${limits.maxClips} (maxClips)`,
    });
  }
  const fonts = edit.timeline.fonts?.length ?? 0;
  if (fonts > limits.maxFonts) {
    problems.push({
      path: 'timeline.fonts',
      message: `has ${fonts} fonts; the limit is ${limits.maxFonts} (maxFonts)`,
    });
  }
  const size = edit.output.size;
  if (size && (size.width > limits.maxWidth || size.height > limits.maxHeight)) {
    problems.push({
      path: 'output.size',
      message: `${size.width}×${size.height} is larger than the limit ${limits.maxWidth}×${limits.maxHeight} (maxWidth × maxHeight)`,
    });
  }
  const range = edit.output.range;
  if (range && range.length > limits.maxDurationSeconds) {
    problems.push({
      path: 'output.range.length',
      message: `is longer than ${limits.maxDurationSeconds} s (maxDurationSeconds)`,
    });
  }
  if (problems.length) {
    throw new CutlineError('LIMIT_EXCEEDED', `${problems[0]!.path} ${problems[0]!.message}`, problems);
  }
}
