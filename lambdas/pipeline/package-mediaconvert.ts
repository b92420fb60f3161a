import type { CreateJobRequest } from '@aws-sdk/client-mediaconvert';
import { keys } from '../core/aws/storage.js';
import { ENV } from '../core/config.js';
import { CutlineError } from '../core/errors.js';
import { getPlatform } from '../core/platform.js';
import { selectLadder } from '../core/packaging/ladder.js';
import {
  mediaConvertHlsJob,
  mediaConvertHlsLayout,
  MEDIACONVERT_DEFAULTS,
} from '../core/packaging/mediaconvert.js';
import { DEFAULTS, findPreset } from '../core/packaging/options.js';
import { parseMasterPlaylist, parseMediaPlaylist } from '../core/packaging/playlist.js';
import { outputSpec } from '../core/render/output-spec.js';
import { outputName, type StoredFiles } from './outputs.js';
import { enterStage } from './stage.js';
import type { PackagingResult, PackagingTask } from './state.js';
import { loadRenditions } from './work-files.js';

export const packagingResultKey = (jobId: string, rendition: number) =>
  keys.work(jobId, `packaging-${rendition}.json`);

async function renditionHls(task: PackagingTask) {
  const r = (await loadRenditions(task.jobId))[task.rendition];
  if (!r) throw new CutlineError('RENDER_FAILED', `job ${task.jobId} has no rendition ${task.rendition}`);
  const hls = findPreset(r.edit.output.presets, 'hls');
  if (!hls) throw new CutlineError('RENDER_FAILED', `rendition "${r.name}" asks for no hls packaging`);
  const spec = outputSpec(r.edit.output);
  const prefix = keys.output(task.tenantId, task.jobId, `${r.name}-hls/`);
  return { r, hls, spec, prefix, variants: selectLadder(spec, hls.ladder ?? DEFAULTS.hlsLadder) };
}

export async function build(task: PackagingTask): Promise<{ request: CreateJobRequest }> {
  const job = await enterStage(task, 'finalizing', 95);
  const role = process.env[ENV.MEDIACONVERT_ROLE_ARN];
  if (!role)
    throw new CutlineError(
      'NOT_SUPPORTED',
      'this deployment has not enabled AWS Elemental MediaConvert (CutlinePlatform prop `mediaConvert: true`)',
    );
  const { r, hls, spec, prefix, variants } = await renditionHls(task);
  const bucket = getPlatform().outputsBucket;
  const main = keys.output(job.tenantId, job.id, outputName(r.name, spec.format));
  const request = mediaConvertHlsJob({
    input: `s3://${bucket}/${main}`,
    folder: `s3://${bucket}/${prefix}`,
    variants,
    segmentSeconds: hls.segmentSeconds ?? DEFAULTS.hlsSegmentSeconds,
    fps: spec.fps,
    hasAudio: spec.hasAudio,
    role,
    ...(process.env[ENV.MEDIACONVERT_QUEUE_ARN] ? { queue: process.env[ENV.MEDIACONVERT_QUEUE_ARN] } : {}),
    userMetadata: { cutlineJobId: job.id, tenantId: job.tenantId, rendition: r.name },
    // One MediaConvert job per rendition of a cutline job, however often the state is retried.
    clientRequestToken: `${job.id}-${task.rendition}`,
  });
  return { request };
}

export async function collect(task: PackagingTask): Promise<PackagingResult> {
  await enterStage(task, 'finalizing', 96);
  const { r, prefix, variants } = await renditionHls(task);
  const p = getPlatform();
  const layout = mediaConvertHlsLayout(variants, MEDIACONVERT_DEFAULTS.base);
  const stored = new Set(await p.objects.list(p.outputsBucket, prefix));
  const need = (name: string) => {
    if (!stored.has(prefix + name))
      throw new CutlineError(
        'RENDER_FAILED',
        `MediaConvert${task.mediaConvertJobId ? ` job ${task.mediaConvertJobId}` : ''} did not write ${name} for "${r.name}"`,
      );
    return prefix + name;
  };
  const masterKey = need(layout.master);
  const master = parseMasterPlaylist(await p.objects.getText(p.outputsBucket, masterKey));
  if (master.length !== variants.length)
    throw new CutlineError(
      'RENDER_FAILED',
      `MediaConvert wrote ${master.length} variants for "${r.name}", ${variants.length} were asked for`,
    );
  let duration = 0;
  for (const v of master) {
    const playlist = parseMediaPlaylist(await p.objects.getText(p.outputsBucket, need(v.uri)));
    for (const s of playlist.segments) need(s.uri);
    duration = Math.max(
      duration,
      playlist.segments.reduce((a, s) => a + s.duration, 0),
    );
  }
  const head = await p.objects.head(p.outputsBucket, masterKey);
  const top = variants[0]!;
  const result: StoredFiles = {
    files: [
      {
        kind: 'playlist',
        key: masterKey,
        bytes: head?.bytes ?? 0,
        durationSeconds: Math.round(duration * 1000) / 1000,
        width: top.width,
        height: top.height,
        rendition: r.name,
      },
    ],
  };
  const key = packagingResultKey(task.jobId, task.rendition);
  await p.objects.putJson(p.outputsBucket, key, result);
  return { rendition: task.rendition, key };
}

export async function handler(task: PackagingTask): Promise<unknown> {
  if (task.action === 'build') return build(task);
  if (task.action === 'collect') return collect(task);
  throw new CutlineError('VALIDATION_FAILED', `package task: unknown action ${String(task.action)}`);
}
