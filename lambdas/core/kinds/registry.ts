import { clipsKind } from '../clips/kind.js';
import { CutlineError } from '../errors.js';
import { mixKind } from '../mixes/kind.js';
import { projectKind } from '../projects/kind.js';
import { JOB_TYPES, type JobKind, type JobType } from '../jobs/types.js';
import { renderKind } from './render.js';

/** The job kinds this build implements; a type without an entry is refused with a clear error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const KINDS: Partial<Record<JobType, JobKind<any>>> = {
  render: renderKind,
  clips: clipsKind,
  mix: mixKind,
  project: projectKind,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function jobKind(type: string): JobKind<any> {
  const known = (JOB_TYPES as readonly string[]).includes(type);
  const kind = known ? KINDS[type as JobType] : undefined;
  if (kind) return kind;
  const available = Object.keys(KINDS).join(', ');
  if (known)
    throw new CutlineError(
      'NOT_SUPPORTED',
      `job type "${type}" is not available in this build; available: ${available}`,
      [{ path: 'type', message: 'not available' }],
    );
  throw new CutlineError('VALIDATION_FAILED', `unknown job type "${type}"; available: ${available}`, [
    { path: 'type', message: `unknown job type "${type}"` },
  ]);
}

/**
 * A stored job's request, validated again by a pipeline step. It was merged at submit and is stored
 * without its merge list; a list still kept by a job stored before merge-once is dropped here, never
 * applied a second time.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function storedRequest(kind: JobKind<any>, request: unknown): unknown {
  if (request && typeof request === 'object' && !Array.isArray(request) && 'merge' in request) {
    const { merge: _merge, ...merged } = request as Record<string, unknown>;
    return kind.parse(merged);
  }
  return kind.parse(request);
}
