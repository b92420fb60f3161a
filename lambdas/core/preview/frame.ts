import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tenantSources } from '../objects/tenant-sources.js';
import { scratchRoot } from '../config.js';
import type { Edit } from '../edit/schema.js';
import { prepareRender } from '../engine/prepare.js';
import { runFfmpeg } from '../media/ffmpeg.js';
import { releaseScope } from '../net/range-proxy.js';
import { compileRender } from '../render/compile.js';
import { outputSpec } from '../render/output-spec.js';
import { frameSeconds } from '../render/window.js';
import { previewEdit, previewSize } from './preview-edit.js';

export interface PreviewFrame {
  jpeg: Buffer;
  /** The time drawn: the asked time, or the last frame's when it asked past the end. */
  at: number;
  /** The timeline's length, so a client can bound its playhead. */
  duration: number;
  width: number;
  height: number;
}

/**
 * One frame of an edit, drawn by the same prepare + compiler + ffmpeg as a render (sources read in place
 * through the range proxy, nothing downloaded but captions and fonts), then scaled to `width`.
 */
export async function renderPreviewFrame(opts: {
  tenantId: string;
  edit: Edit;
  at: number;
  width?: number;
  signal?: AbortSignal;
}): Promise<PreviewFrame> {
  await mkdir(scratchRoot(), { recursive: true });
  const dir = await mkdtemp(join(scratchRoot(), 'preview-'));
  const resolver = tenantSources(opts.tenantId, dir, `preview-${randomUUID()}`);
  try {
    // The frame a player shows at `at` (the one that began at or before it), named by its own start time.
    const fps = outputSpec(opts.edit.output).fps;
    const shown = frameSeconds(Math.floor((opts.at * fps.num) / fps.den + 1e-6), fps);
    const input = await prepareRender(previewEdit(opts.edit, shown), { resolver });
    const size = previewSize(input.spec, opts.width);
    const output = join(dir, 'frame.jpg');
    const compiled = compileRender(input, { output });
    // `-s` before the output scales the mapped picture once, at the encoder (cheaper than a second run).
    const args = [...compiled.args.slice(0, -1), '-s', `${size.width}x${size.height}`, output];
    await runFfmpeg(args, { signal: opts.signal });
    return {
      jpeg: await readFile(output),
      at: frameSeconds(compiled.window.startFrame, input.spec.fps),
      duration: input.timeline.duration,
      ...size,
    };
  } finally {
    await releaseScope(resolver.scope);
    await rm(dir, { recursive: true, force: true });
  }
}
