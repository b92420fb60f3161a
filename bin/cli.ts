import { isCutlineError } from '../lambdas/core/errors.js';

const USAGE = `usage: cutline <command> [options]

commands:
  render <edit.json> -o <out>   render an edit on this machine
      --media-root DIR            file:// sources must be under DIR (default: the edit's folder)
      --merge KEY=VALUE           merge field (repeatable), added to the edit's own merge
      --chunks N                  split into N chunks rendered in parallel (default: the planner decides; 1: single pass)
      --concurrency C             chunks rendered at once (default: the number of cores)
      --threads T                 ffmpeg threads per worker
      --limit NAME=VALUE          a limit of edit/limits.ts for this run (repeatable), e.g. maxSourceBytes=5GB
      --dry-run                   print the ffmpeg command instead of running it
      --fresh-probes              probe every source again (what ffprobe said of an unchanged local file
                                  is kept in ~/.cache/cutline/probes for the next render)

  start                         run the whole platform on this machine (API, pipeline, storage, events)
      --port P                    HTTP port (default 8080)
      --data-dir D                where tables, buckets, keys and the event log live (default .cutline)
      --api-key K                 use this API key instead of the generated one
      --media-root M              allow file:// sources under M
      --allow-local-webhooks      let callbacks/subscribers target 127.0.0.1 / ::1 (development only)
      --destination-bucket B      a bucket output.destinations (s3) may send to, made in the local S3 (repeatable)
      --limit NAME=VALUE          a deployment limit (repeatable): maxSourceBytes=5GB, maxSourcePixels=100000000,
                                  maxDurationSeconds=4h, … (see README, Limits)
      --config FILE               JSON with { "limits": { NAME: VALUE } }; --limit wins over it
      --workers N                 jobs and ffmpeg processes at once, the rest wait QUEUED
                                  (default CUTLINE_WORKERS, else the number of cores)

  calibrate                     measure this machine's render speed against the cost model and keep it
                                (~/.cache/cutline/calibration.json): estimates and task limits then use it
      --runs N                    renders of the reference edit (default 3; the median counts)
      --dry-run                   measure and print, keep nothing

  demo                          start the platform (or use --url), submit examples/promo.json over HTTP,
                                follow it to the end, download the result and list the events

  backfill-status-index         once after upgrading a deployment from before the status index (GSI3):
      --table NAME                files the table's existing jobs and projects there (AWS SDK credentials)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    // Each command loads only its own modules: a render never loads the local platform's servers.
    case 'render':
      return (await import('./commands/render.js')).renderCommand(rest);
    case 'start':
      return (await import('./commands/start.js')).startCommand(rest);
    case 'demo':
      return (await import('./commands/demo.js')).demoCommand(rest);
    case 'calibrate':
      return (await import('./commands/calibrate.js')).calibrateCommand(rest);
    case 'backfill-status-index':
      return (await import('./commands/backfill-status-index.js')).backfillStatusIndexCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command ? 0 : 2;
    default:
      process.stderr.write(`cutline: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isCutlineError(err)) {
      process.stderr.write(`cutline: ${err.code}: ${err.message}\n`);
      for (const d of err.details.slice(1)) process.stderr.write(`  ${d.path}: ${d.message}\n`);
    } else if (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`cutline: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    } else {
      // The message only: a stack names the install's files, which tell a user nothing.
      process.stderr.write(`cutline: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exit(1);
  },
);
