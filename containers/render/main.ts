/**
 * The render task's entry (Fargate in AWS, a child process locally): `render-job <jobId> [<rendition>]`
 * renders one rendition of the job with the same core code on all the task's cores and writes the result
 * file Finalize reads.
 */
import { runJobOnFargate } from '../../lambdas/pipeline/fargate.js';

const [command, jobId, rendition = '0'] = process.argv.slice(2);
if (command !== 'render-job' || !jobId || !/^\d+$/.test(rendition)) {
  process.stderr.write('usage: main.ts render-job <jobId> [<rendition index>]\n');
  process.exit(2);
}
runJobOnFargate(jobId, Number(rendition)).then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.name}: ${err.message}\n`);
    process.exit(1);
  },
);
