import type { Job } from '../jobs/model.js';

/** A project's status, from its latest compose job (the API's `status` of a project). */
export const PROJECT_STATUSES = ['draft', 'composing', 'composed', 'failed'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** No compose job: draft; its job queued or running: composing; succeeded: composed; else failed. */
export const projectStatus = (job: Pick<Job, 'status'> | null): ProjectStatus =>
  !job
    ? 'draft'
    : job.status === 'SUCCEEDED'
      ? 'composed'
      : job.status === 'QUEUED' || job.status === 'RUNNING'
        ? 'composing'
        : 'failed';
