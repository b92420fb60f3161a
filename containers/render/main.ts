/**
 * The render task's entry (Fargate in AWS, a child process locally): `render-job <jobId> [<rendition>]`
 * renders one rendition of the job with the same core code on all the task's cores and writes the result
 * file Finalize reads.
 */
import { logger } from '../../lambdas/core/observability.js';
import { runJobOnFargate } from '../../lambdas/pipeline/fargate.js';

const [command, jobId, rendition = '0'] = process.argv.slice(2);
if (command !== 'render-job' || !jobId || !/^\d+$/.test(rendition)) {
  process.stderr.write('usage: main.ts render-job <jobId> [<rendition index>]\n');
  process.exit(2);
}
// The task's log lines name the job and rendition it renders (a task has no Lambda request id).
logger.appendKeys({ jobId, rendition: Number(rendition) });
runJobOnFargate(jobId, Number(rendition)).then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.name}: ${err.message}\n`);
    process.exit(1);
  },
);
