import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  describeLimit,
  LimitSettingError,
  limitsFromConfigFile,
  parseLimitAssignments,
  type EditLimits,
  type LimitName,
} from '../../lambdas/core/edit/limits.js';
import { ENV } from '../../lambdas/core/config.js';
import { MEDIA_DIR, makeExampleMedia, missingExampleMedia } from '../../examples/make-media.js';
import { startLocalPlatform } from '../../local/platform.js';
import { readCostScale } from '../../local/cost-calibration.js';
import { describeMissing, missingTools, thisFamily } from '../../local/system-check.js';

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8080' },
      'data-dir': { type: 'string', default: '.cutline' },
      'api-key': { type: 'string' },
      'media-root': { type: 'string' },
      'allow-local-webhooks': { type: 'boolean', default: false },
      'destination-bucket': { type: 'string', multiple: true, default: [] },
      limit: { type: 'string', multiple: true, default: [] },
      config: { type: 'string' },
      // Jobs and ffmpeg processes at once; the rest wait QUEUED. Default: CUTLINE_WORKERS, else the cores.
      workers: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`cutline start: --port must be a port number, got "${values.port}"\n`);
    return 2;
  }
  let limits: Partial<EditLimits>;
  try {
    // A flag wins over the config file for the same limit.
    limits = {
      ...(values.config ? await limitsFromConfigFile(resolve(values.config)) : {}),
      ...parseLimitAssignments(values.limit ?? []),
    };
  } catch (err) {
    if (!(err instanceof LimitSettingError)) throw err;
    process.stderr.write(`cutline start: ${err.message}\n`);
    return 2;
  }
  const workersText = values.workers ?? process.env[ENV.WORKERS];
  const workers = workersText === undefined ? undefined : Number(workersText);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) {
    process.stderr.write(`cutline start: --workers must be a whole number ≥ 1, got "${workersText}"\n`);
    return 2;
  }
  // A new user's first minutes: say what the machine lacks, with the command that installs it.
  const missing = missingTools();
  const advice = describeMissing(missing, thisFamily());
  if (missing.some((t) => t.required)) {
    process.stderr.write(`cutline start: cannot render on this machine\n${advice.join('\n')}\n`);
    return 1;
  }
  // The console's example picker reads the examples' media: make it on the first start (seconds).
  const mediaRoot = values['media-root'] ? resolve(values['media-root']) : undefined;
  if (mediaRoot && mediaRoot === dirname(MEDIA_DIR) && missingExampleMedia().length) {
    const todo = missingExampleMedia().length;
    let done = 0;
    process.stderr.write(`making the examples' media (first start, ${todo} files)…\n`);
    await makeExampleMedia((line) =>
      process.stderr.write(`  [${++done}/${todo}] ${line.replace(/^made .*\//, '')}\n`),
    );
  }
  // Estimates and task limits at this machine's measured speed, where `cutline calibrate` has run.
  const costScale = await readCostScale();
  let platform;
  try {
    platform = await startLocalPlatform({
      port,
      dataDir: resolve(values['data-dir']!),
      apiKey: values['api-key'],
      mediaRoot,
      allowLocalWebhooks: values['allow-local-webhooks'] === true,
      destinationBuckets: values['destination-bucket'] as string[],
      limits,
      workers,
      ...(costScale !== undefined ? { planLimits: { costScale } } : {}),
      log: (l) => process.stderr.write(`${l}\n`),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`cutline start: port ${port} is already in use; pick another with --port\n`);
      return 1;
    }
    throw err;
  }
  const mediaNote = values['media-root']
    ? `file:// sources allowed under ${resolve(values['media-root'])}`
    : 'no --media-root: upload media or use s3:// sources';
  process.stdout.write(
    [
      `cutline is running at ${platform.url}`,
      `  API key:   ${platform.apiKey}   (tenant ${platform.apiKeyId})`,
      `  console:   ${platform.url}/   (open it in a browser and paste the API key)`,
      `  data dir:  ${platform.dataDir}   (events: ${platform.dataDir}/events.jsonl)`,
      `  media:     ${mediaNote}`,
      `  webhooks:  ${
        values['allow-local-webhooks']
          ? 'loopback receivers allowed (--allow-local-webhooks: development only)'
          : 'public receivers only (--allow-local-webhooks lets a receiver on 127.0.0.1 in)'
      }; secret: POST /v1/webhooks/secret/rotate`,
      ...(Object.keys(limits).length
        ? [
            `  limits:    ${Object.entries(limits)
              .map(([k, v]) => describeLimit(k as LimitName, v))
              .join(', ')}`,
          ]
        : []),
      ...advice,
      `  workers:   ${platform.workers} (jobs and ffmpeg processes at once; more wait QUEUED; --workers N)`,
      `  estimates: ${
        costScale !== undefined
          ? `at this machine's measured speed (cost scale ${costScale}, cutline calibrate)`
          : "at the cost model's reference speed (cutline calibrate measures this machine)"
      }`,
      ...(platform.orphansEnded.length
        ? [`  ended ${platform.orphansEnded.length} process group(s) the previous run left behind`]
        : []),
      ...(platform.interrupted.length
        ? [`  marked FAILED (INTERRUPTED) after a restart: ${platform.interrupted.join(', ')}`]
        : []),
      '',
      'try:',
      `  curl -s ${platform.url}/v1/health`,
      `  curl -s -H 'x-api-key: ${platform.apiKey}' ${platform.url}/v1/renders`,
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    const stop = () => {
      process.stderr.write('stopping…\n');
      void platform.close().finally(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
