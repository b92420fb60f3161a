import type { Job, JobOutput } from './model.js';
import type { JobType } from './types.js';

const KIND_TITLES: Record<JobType, string> = {
  render: 'Render',
  clips: 'Clips',
  mix: 'Mix',
  project: 'Project',
};

/** What a list calls a job: the template's, project's or dropped file's name it came from, else its kind. */
export const jobTitle = (job: Pick<Job, 'title' | 'type'>): string => job.title ?? KIND_TITLES[job.type];

/**
 * The image a list shows for a job: its thumbnail (scaled down, so the smallest), else its poster, else
 * its first image output. A list of many jobs then loads small files where the job made them.
 */
export function thumbnailOutput(outputs: readonly JobOutput[] | undefined): JobOutput | undefined {
  for (const kind of ['thumbnail', 'poster', 'image'] as const) {
    const o = outputs?.find((x) => x.kind === kind);
    if (o) return o;
  }
  return undefined;
}
