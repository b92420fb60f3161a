import { getPlatform } from '../platform.js';
import type { Project } from './schema.js';
import { ProjectStore } from './store.js';
import { projectStatus, type ProjectStatus } from './status.js';

/**
 * Moves the tenant's projects filed as composing whose compose job has ended to composed or failed. A
 * job ends in the pipeline, which knows nothing of projects; the store learns of it here, before any
 * list that a compose status filters, so each such list reads only its own partition. Composing is
 * short-lived, so this reads few projects (each settled once).
 */
async function settleComposing(tenantId: string): Promise<void> {
  const p = getPlatform();
  const projects = ProjectStore.of(p);
  let cursor: string | undefined;
  do {
    const page = await projects.list(tenantId, 100, cursor, 'composing');
    await Promise.all(
      page.projects.map(async (project) => {
        if (!project.composeJobId) return;
        const status = projectStatus(await p.jobs.get(project.composeJobId, tenantId));
        if (status !== 'composing')
          await projects.setStatus(tenantId, project.id, status, { id: project.composeJobId });
      }),
    );
    cursor = page.cursor;
  } while (cursor);
}

/**
 * A page of the tenant's projects, newest first; with `status`, only the projects in it, read from
 * that status's partition (never filtered after the page limit, so a page is short only at the end).
 */
export async function listProjects(
  tenantId: string,
  opts: { limit: number; cursor?: string; status?: ProjectStatus },
): Promise<{ projects: Project[]; cursor?: string }> {
  if (opts.status && opts.status !== 'draft') await settleComposing(tenantId);
  return ProjectStore.of(getPlatform()).list(tenantId, opts.limit, opts.cursor, opts.status);
}
