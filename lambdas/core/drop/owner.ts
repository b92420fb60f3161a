import { CutlineError } from '../errors.js';

/** What a tenant id looks like (an API key's id: API Gateway's, or the local `key-…`). */
const TENANT_ID = /^[A-Za-z0-9][\w-]{0,63}$/;

export interface DropOwner {
  tenantId: string;
  /** The key below the owner's folder: `<preset>/<file>` or a manifest's path. */
  rest: string;
  /** The owner's folder, `drop/` or `drop/<tenant>/`: where a preset's folder lives. */
  folder: string;
}

/**
 * Pure: whose job a dropped object is. By default the drop folder is per tenant, `drop/<tenant>/…`, the
 * tenant being the API key's id (so the key's holder sees the job); a deployment may give all of `drop/`
 * to one owner instead (CUTLINE_DROP_TENANT, the construct's `dropFolderOwner`), keys then `drop/…`.
 */
export function dropOwner(key: string, configuredOwner: string | undefined): DropOwner {
  if (configuredOwner) return { tenantId: configuredOwner, rest: key.slice('drop/'.length), folder: 'drop/' };
  const [, tenant, ...rest] = key.split('/');
  if (!tenant || !rest.length || !TENANT_ID.test(tenant)) {
    const message =
      'the drop folder is per tenant: put files under drop/<tenant id>/ (your API key id, as GET /v1/usage shows it), e.g. drop/<tenant id>/manifests/job.json or drop/<tenant id>/<preset>/<file>';
    throw new CutlineError('VALIDATION_FAILED', message, [{ path: 'key', message: 'no tenant folder' }]);
  }
  return { tenantId: tenant, rest: rest.join('/'), folder: `drop/${tenant}/` };
}
