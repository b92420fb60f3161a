import { CutlineError } from '../errors.js';
import { JOB_TYPES, type JobType } from '../jobs/types.js';
import { jobKind } from './registry.js';

const refuse = (path: string, message: string, short: string) =>
  new CutlineError('VALIDATION_FAILED', message, [{ path, message: short }]);

/**
 * What a job file asks for (a drop-folder manifest, or a file given to `cutline render`): a bare edit,
 * `{ "type": "render", "edit": {…} }`, or a job of another type whose body is the file itself less
 * `type` and `tenant` (e.g. `{ "type": "clips", "source": … }`).
 */
export function manifestJob(
  manifest: Record<string, unknown>,
  opts: { tenantId?: string } = {},
): { type: JobType; body: unknown } {
  const { tenant, type = 'render', edit, ...rest } = manifest;
  const tenantId = opts.tenantId;
  if (tenant !== undefined && tenantId !== undefined && tenant !== tenantId) {
    throw refuse(
      'tenant',
      `this drop folder's jobs belong to tenant "${tenantId}"; "${String(tenant)}" is not allowed here: leave "tenant" out or set it to "${tenantId}"`,
      'not allowed',
    );
  }
  if (typeof type !== 'string' || !(JOB_TYPES as readonly string[]).includes(type)) {
    throw refuse(
      'type',
      `unknown job type "${String(type)}"; a manifest's type is one of: ${JOB_TYPES.join(', ')}`,
      'unknown type',
    );
  }
  jobKind(type); // refuses a type this build does not run, naming those it does
  if (type !== 'render')
    return { type: type as JobType, body: edit === undefined ? rest : { ...rest, edit } };
  if (edit !== undefined) return { type, body: edit };
  // A bare edit: the manifest itself, less the manifest-only fields.
  if ('timeline' in rest) return { type, body: rest };
  throw refuse(
    'edit',
    'the manifest has no edit: drop {"type": "render", "edit": {"timeline": …, "output": …}} or the edit itself',
    'edit is required',
  );
}
