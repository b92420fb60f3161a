import type { CaptionAsset, Clip, Edit, RichTextAsset } from '../edit/schema.js';
import { CutlineError } from '../errors.js';
import type { ProbeResult } from '../media/probe.js';
import type { Cue } from '../text/captions.js';
import { captionFilters } from '../text/captions.js';
import { richCaptionAsCaption, withWordTimings } from '../text/rich-caption.js';
import type { FontRegistry } from '../text/fonts.js';
import { textLayer, titleLayer, type TextLayer } from '../text/layers.js';
import { isOpaqueFullFrame, planBase } from './base.js';
import { ffColor } from '../filtergraph/color.js';
import { filter, formatNumber as n, type FilterGraph, type FilterNode } from '../filtergraph/graph.js';
import type { InputList } from './inputs.js';
import { focusOffset } from './focus.js';
import {
  curveValue,
  effectSpec,
  isShuffle,
  linear,
  moveTween,
  progress,
  shuffleAway,
  shuffleGeometry,
  transitionSpec,
  type EffectSpec,
  type TransitionSpec,
} from './motion.js';
import { fpsString, type OutputSpec, type Rational } from './output-spec.js';
import { htmlDocument, htmlKey } from '../html/document.js';
import { vectorDocument } from './vector.js';
import {
  anchor,
  cropLayer,
  even,
  fitLayer,
  placeLayer,
  rotatedSize,
  titleOffsetInFrame,
  type Size,
} from './placement.js';
import { affinePhase, type AffinePhase } from './affine.js';
import { addOffsets, isTween, layoutScale, staticValue, tweenExpr } from './keyframes.js';
import { applyMasks, levelMask, matteMask } from './mask.js';
import { lumaTargets } from './luma.js';
import {
  richTextBox,
  richTextDocument,
  richTextFace,
  richTextFrames,
  richTextSequenceKey,
} from './rich-text.js';
import { letterAnimation } from './letters.js';
import { richTextEntrance, type Entrance } from './entrance.js';
import type { ResolvedTimeline, TimedClip } from './timeline.js';
import { frameAt, type FrameWindow, frameSeconds } from './window.js';

export interface MediaEntry {
  path: string;
  probe: ProbeResult;
}

export interface VisualContext {
  graph: FilterGraph;
  inputs: InputList;
  spec: OutputSpec;
  window: FrameWindow;
  media: (src: string, at: string) => MediaEntry;
  captions: (src: string, at: string) => Cue[];
  fonts: FontRegistry;
}

/** A clip's layer stream, ready to overlay: its label, drawn size and top-left corner. */
interface Layer {
  label: string;
  size: Size;
  x: number;
  y: number;
  /** Transitions that move the layer are done by the overlay, per output frame. */
  moveIn?: TransitionSpec;
  moveOut?: TransitionSpec;
  /** Tweened placement: the corner as overlay expressions of the absolute time `(t+T0)`. */
  at?: (tau: string) => { x: string; y: string };
  /** rich-text's entrance drift: the offset it starts at, eased to 0 (render/entrance.ts). */
  nudge?: Entrance['nudge'];
}

const FILTERS: Record<NonNullable<Clip['filter']>, (size: Size) => FilterNode[]> = {
  blur: (s) => [filter('gblur', { sigma: n(Math.max(2, Math.min(s.width, s.height) / 40)) })],
  boost: () => [filter('eq', { contrast: 1.15, saturation: 1.6 })],
  contrast: () => [filter('eq', { contrast: 1.5 })],
  darken: () => [filter('eq', { brightness: -0.2 })],
  lighten: () => [filter('eq', { brightness: 0.2 })],
  greyscale: () => [filter('hue', { s: 0 })],
  muted: () => [filter('eq', { saturation: 0.45, contrast: 0.9 })],
  negative: () => [filter('negate')],
};

const isMove = (t?: TransitionSpec) => !!t && /^(slide|carousel|shuffle)/.test(t.kind);

/** A clip on screen in the window: its frames [vs, ve) and how long it crossfades in over the clip before it. */
interface OnScreen {
  timed: TimedClip;
  vs: number;
  ve: number;
  overlap: number;
  /** The luma mattes on its track that mask it. */
  lumas: readonly TimedClip[];
}

/** The clips of one track that show in the window, in the order they are drawn (by start). */
function onScreen(track: readonly TimedClip[], spec: OutputSpec, window: FrameWindow): OnScreen[] {
  // Luma mattes are not drawn: each masks the clips it overlaps on its own track.
  const mattes = lumaTargets(track);
  const ordered = track.filter((c) => c.clip.asset.type !== 'luma').sort((a, b) => a.start - b.start);
  return ordered.flatMap((timed, i) => {
    const vs = Math.max(frameAt(timed.start, spec.fps), window.startFrame);
    const ve = Math.min(frameAt(timed.end, spec.fps), window.endFrame);
    if (ve <= vs || timed.clip.asset.type === 'audio') return [];
    // Overlapping clips on one track crossfade: the later clip fades in over the overlap.
    const prevEnd = Math.max(0, ...ordered.slice(0, i).map((c) => c.end));
    const overlap = prevEnd > timed.start ? Math.min(prevEnd - timed.start, timed.length / 2) : 0;
    return [{ timed, vs, ve, overlap, lumas: mattes.get(timed) ?? [] }];
  });
}

/** Every visual clip, bottom track first, composed over the background; returns the composite's label. */
export function composeVideo(ctx: VisualContext, edit: Edit, timeline: ResolvedTimeline): string {
  const { spec, window, graph } = ctx;
  const viewport = { width: spec.width, height: spec.height };
  const tracks = [...timeline.tracks].reverse().map((track) => onScreen(track, spec, window));
  const bottom = tracks.findIndex((clips) => clips.length > 0);
  const opaque = bottom >= 0 && tracks[bottom]!.every((c) => opaqueFullFrame(ctx, c));
  let base = opaque
    ? composeBase(ctx, edit, tracks[bottom]!)
    : graph.chain(
        [],
        [
          filter('color', {
            c: ffColor(edit.timeline.background ?? '#000000'),
            s: `${spec.width}x${spec.height}`,
            r: fpsString(spec.fps),
          }),
          filter('format', { pix_fmts: 'yuv420p' }),
          filter('trim', { end_frame: window.endFrame - window.startFrame }),
        ],
        graph.pad('bg'),
      );
  const t0 = frameSeconds(window.startFrame, spec.fps);

  tracks.forEach((clips, k) => {
    if (opaque && k === bottom) return;
    for (const { timed, vs, ve, overlap, lumas } of clips) {
      const asset = timed.clip.asset;
      if (asset.type === 'caption' || asset.type === 'rich-caption') {
        const cues = ctx.captions(asset.src, `${timed.at}.asset.src`);
        const rich = asset.type === 'rich-caption' ? richCaptionAsCaption(asset, timed.clip) : undefined;
        const nodes = captionFilters(
          rich ? withWordTimings(cues, rich.look.textTransform) : cues,
          {
            viewport,
            clipStart: timed.start,
            clipEnd: timed.end,
            t0,
            windowEnd: frameSeconds(window.endFrame, spec.fps),
            asset: rich ? rich.caption : (asset as CaptionAsset),
            look: rich?.look,
          },
          ctx.fonts,
        );
        if (nodes.length) base = graph.chain(base, nodes);
        continue;
      }
      const layer = buildLayer(ctx, timed, vs, ve, overlap, lumas);
      const T0 = n(t0);
      const moving = !!(layer.moveIn || layer.moveOut || layer.at || layer.nudge);
      const x = moving ? moveExpr('x', layer, timed, viewport, T0) : String(layer.x);
      const y = moving ? moveExpr('y', layer, timed, viewport, T0) : String(layer.y);
      base = graph.chain(
        [base, layer.label],
        [filter('overlay', { x, y, eof_action: 'pass', eval: moving ? 'frame' : 'init' })],
      );
    }
  });
  return base;
}

/** Whether a bottom-track clip hides everything under it (base.ts decides from its geometry and probe). */
function opaqueFullFrame(ctx: VisualContext, { timed, lumas }: OnScreen): boolean {
  const asset = timed.clip.asset;
  if (asset.type !== 'video' && asset.type !== 'image') return false;
  const viewport = { width: ctx.spec.width, height: ctx.spec.height };
  const media = clipMedia(ctx, timed);
  const { size, cropShift } = mediaGeometry(
    timed,
    { width: media.probe.width, height: media.probe.height },
    viewport,
  );
  const offset = timed.clip.offset;
  const fixed = { x: staticValue(offset?.x) ?? 0, y: staticValue(offset?.y) ?? 0 };
  const place = placeLayer(size, viewport, timed.clip.position, fixed);
  const layer = { ...size, x: place.x + cropShift.x, y: place.y + cropShift.y };
  return isOpaqueFullFrame(timed.clip, media.probe, layer, viewport, timed.length, lumas.length > 0);
}

/**
 * The base from opaque full-frame clips: their pieces joined in time, a crossfade blending only its
 * overlap (base.ts plans the pieces). Each piece ends up window-relative, exactly its frame count long:
 * tpad + trim guard the join against a source that ends a frame early (concat would shift the rest).
 */
function composeBase(ctx: VisualContext, edit: Edit, clips: readonly OnScreen[]): string {
  const { graph, spec, window } = ctx;
  const fps = spec.fps;
  const viewport = { width: spec.width, height: spec.height };
  const background = ffColor(edit.timeline.background ?? '#000000');
  const plan = planBase(
    clips.map((c) => ({
      startFrame: c.vs,
      endFrame: c.ve,
      // The fade filter finishes after st + d (a frame exactly there is still blended): the first frame past it.
      fadeEndFrame:
        c.overlap > 0
          ? Math.min(c.ve, Math.floor(((c.timed.start + c.overlap) * fps.num) / fps.den) + 1)
          : c.vs,
    })),
    window,
  );
  const streams = clips.map((c, i) => {
    const uses = plan.filter((p) => p.bottom === i || p.fading.includes(i)).length;
    if (!uses) return [];
    const source = layerSource(ctx, c.timed, c.vs, c.ve);
    const motion = layerMotion(c.timed.clip, c.timed, c.overlap);
    const label = graph.chain(source.label, [
      ...source.staticOps,
      ...holdStill(source.perFrame, c.vs, c.ve, fps),
      ...motionFilters(c.timed, source.size, motion, c.vs, fps),
    ]);
    if (uses === 1) return [label];
    const outs = Array.from({ length: uses }, () => graph.pad('s'));
    graph.chainMany(label, [filter('split', [uses])], outs);
    return [...outs]; // a copy: pieces take their labels off it
  });
  const piece = (i: number, from: number, to: number, extra: readonly FilterNode[]): string => {
    const c = clips[i]!;
    const whole = from === c.vs && to === c.ve;
    return graph.chain(streams[i]!.shift()!, [
      ...(whole ? [] : [filter('trim', { start_pts: from, end_pts: to })]),
      ...extra,
      filter('setpts', [`PTS-${from}`]),
      // concat needs one sample aspect on every piece; a motion's scale can leave a non-square one that the
      // layered path's overlay ignores, so the pieces say what they are: square pixels of the frame.
      filter('setsar', { r: 1 }),
    ]);
  };
  const pieces = plan.map((p) => {
    const frames = p.endFrame - p.startFrame;
    let label =
      p.bottom === null
        ? graph.chain(
            [],
            [
              filter('color', { c: background, s: `${spec.width}x${spec.height}`, r: fpsString(fps) }),
              filter('format', { pix_fmts: 'yuv420p' }),
              filter('trim', { end_frame: frames }),
            ],
          )
        : piece(p.bottom, p.startFrame, p.endFrame, []);
    for (const i of p.fading) {
      const c = clips[i]!;
      const { tIn } = layerMotion(c.timed.clip, c.timed, c.overlap);
      const top = piece(
        i,
        p.startFrame,
        p.endFrame,
        alphaFilters(c.timed.clip, c.timed, viewport, { tIn }, fps).filters,
      );
      label = graph.chain(
        [label, top],
        [filter('overlay', { x: 0, y: 0, eof_action: 'pass', eval: 'init' })],
      );
    }
    if (p.bottom !== null && clips[p.bottom]!.timed.clip.asset.type === 'video')
      label = graph.chain(label, [
        filter('tpad', { stop: frames, color: background }),
        filter('trim', { end_frame: frames }),
      ]);
    return label;
  });
  if (pieces.length === 1) return pieces[0]!;
  return graph.chain(pieces, [
    filter('concat', { n: pieces.length, v: 1, a: 0 }),
    // concat guesses each piece's length from its frames' mean spacing (a 1-frame piece counts 0): the
    // pieces are exact, so the frame number is the window-relative time, on the frame grid.
    filter('settb', { expr: `${fps.den}/${fps.num}` }),
    filter('setpts', ['N']),
  ]);
}

/** Overlay position (pixels, y down) with moving transitions, in absolute timeline time. */
function moveExpr(axis: 'x' | 'y', layer: Layer, timed: TimedClip, viewport: Size, T0: string): string {
  const home = axis === 'x' ? layer.x : layer.y;
  const span = axis === 'x' ? viewport.width : viewport.height;
  const tau = `(t+${T0})`;
  let expr = layer.at ? layer.at(tau)[axis] : String(home);
  const moves = [
    ...(layer.moveIn && !isShuffle(layer.moveIn) ? moveTween(layer.moveIn, axis, true, 0) : []),
    ...(layer.moveOut && !isShuffle(layer.moveOut)
      ? moveTween(layer.moveOut, axis, false, timed.length - layer.moveOut.duration)
      : []),
  ];
  // In and out are separate keyframes of one property, so each holds 0 outside its own span.
  for (const k of moves) expr += `+${span}*(${tweenExpr([k], timed.start, tau)})`;
  for (const [t, entering] of [
    [layer.moveIn, true],
    [layer.moveOut, false],
  ] as const) {
    if (!isShuffle(t)) continue;
    const away = shuffleGeometry(t.kind)[axis] * span;
    const from = entering ? timed.start : timed.end - t.duration;
    expr += `+${n(away)}*(${shuffleAway(t, entering, from, tau)})`;
  }
  const nudge = layer.nudge && (axis === 'x' ? layer.nudge.dx : layer.nudge.dy);
  if (layer.nudge && nudge) expr += `+${nudge}*(1-${progress(tau, timed.start, layer.nudge.duration)})`;
  return expr;
}

/** Shotstack's threshold and halo are RGB distances; ffmpeg's colorkey takes fractions of the largest (√3·255). */
const RGB_DIAGONAL = Math.sqrt(3) * 255;
export function chromaKeyFilter(key: { color: string; threshold?: number; halo?: number }): FilterNode {
  const hex = key.color.replace('#', '');
  const rgb = hex.length <= 4 ? [...hex.slice(0, 3)].map((c) => c + c).join('') : hex.slice(0, 6);
  return filter('colorkey', {
    color: `0x${rgb}`,
    similarity: n(Math.max(0.00001, Math.min(1, (key.threshold ?? 150) / RGB_DIAGONAL))),
    blend: n(Math.min(1, (key.halo ?? 100) / RGB_DIAGONAL)),
  });
}

/**
 * The clip's transitions and effect, resolved once for every phase (a crossfade overlap is a fade in;
 * a rich-text's entrance animation is its transition in, with the drift the overlay adds).
 */
export interface LayerMotion {
  tIn?: TransitionSpec;
  tOut?: TransitionSpec;
  effect?: EffectSpec;
  /** rich-text's entrance drift, when its entrance is the transition in (render/entrance.ts). */
  nudge?: Entrance['nudge'];
}

export function layerMotion(
  clip: Clip,
  timed: Pick<TimedClip, 'length'>,
  overlap: number,
  viewport?: Size,
): LayerMotion {
  const asset = clip.asset;
  // Animated letter by letter, the page draws the animation: the layer itself does not move.
  const entrance =
    asset.type === 'rich-text' && viewport && !letterAnimation(asset, timed.length)
      ? richTextEntrance(asset, timed.length, richTextBox(clip, viewport))
      : undefined;
  const tIn =
    transitionSpec(clip.transition?.in, timed.length) ??
    entrance?.transition ??
    (overlap > 0 ? { kind: 'fade' as const, duration: overlap } : undefined);
  const nudge = entrance && tIn === entrance.transition ? entrance.nudge : undefined;
  return {
    tIn,
    tOut: transitionSpec(clip.transition?.out, timed.length, false),
    effect: effectSpec(clip.effect),
    ...(nudge ? { nudge } : {}),
  };
}

/** Phase 1's result: the source as a stream, its size and placement, and the operations done once per still. */
export interface LayerSource {
  label: string;
  size: Size;
  position: Clip['position'];
  offset: Clip['offset'];
  /** Where an asset crop moves what is left of the layer. */
  cropShift: { x: number; y: number };
  staticOps: FilterNode[];
  /** Video changes every frame; stills (images, drawn text) are processed once and held. */
  perFrame: boolean;
}

/** Clip-wide looks (filter, flip) after the source's own fitting. */
export function lookFilters(clip: Clip, size: Size): FilterNode[] {
  const ops: FilterNode[] = [];
  if (clip.filter) ops.push(...FILTERS[clip.filter](size));
  if (clip.transform?.flip?.horizontal) ops.push(filter('hflip'));
  if (clip.transform?.flip?.vertical) ops.push(filter('vflip'));
  return ops;
}

/**
 * Phase 1: the source, as a stream of frames at output rate stamped with absolute timeline frame numbers
 * (video), or a single frame (stills), fitted, cropped and keyed.
 */
export function layerSource(
  ctx: VisualContext,
  timed: TimedClip,
  vs: number,
  ve: number,
  motion: LayerMotion = {},
): LayerSource {
  const asset = timed.clip.asset;
  const source =
    asset.type === 'video' ||
    asset.type === 'image' ||
    asset.type === 'html' ||
    asset.type === 'svg' ||
    asset.type === 'shape' ||
    asset.type === 'rich-text'
      ? mediaSource(ctx, timed, vs, ve)
      : asset.type === 'title' || asset.type === 'text'
        ? textSource(ctx, timed, motion)
        : undefined;
  if (!source) throw new Error(`${timed.at}: ${asset.type} clips have no picture layer`);
  source.staticOps.push(...lookFilters(timed.clip, source.size));
  return source;
}

/** Pure: a picture source's fitting, keying and crop — the operations done once, its size and crop shift. */
export function mediaGeometry(
  timed: Pick<TimedClip, 'clip' | 'start'>,
  src: Size,
  viewport: Size,
): { staticOps: FilterNode[]; size: Size; cropShift: { x: number; y: number } } {
  const clip = timed.clip;
  const asset = clip.asset;
  const staticOps: FilterNode[] = [];
  let cropShift = { x: 0, y: 0 };
  // A clip's width/height is the box its asset is fitted into (Shotstack); the frame otherwise.
  const box = { width: clip.width ?? viewport.width, height: clip.height ?? viewport.height };
  // html and rich-text are drawn at their area's size already: placed as they are unless `fit` says otherwise.
  const drawnToSize = asset.type === 'html' || asset.type === 'rich-text';
  const fitted = fitLayer(src, box, drawnToSize ? (clip.fit ?? 'none') : clip.fit, layoutScale(clip.scale));
  // Green screen: the key colour made transparent on the source's own pixels, before any scaling.
  if (asset.type === 'video' && asset.chromaKey) staticOps.push(chromaKeyFilter(asset.chromaKey));
  staticOps.push(
    filter('scale', { w: fitted.scaled.width, h: fitted.scaled.height }),
    filter('setsar', { r: 1 }),
  );
  if (fitted.scaled.width !== fitted.layer.width || fitted.scaled.height !== fitted.layer.height) {
    const focus = asset.type === 'video' ? asset.focus : undefined;
    const { scaled, layer } = fitted;
    staticOps.push(
      filter('crop', {
        w: layer.width,
        h: layer.height,
        // Without a focus the crop keeps ffmpeg's own centring (the golden graphs stay as they were).
        ...(focus
          ? {
              x: focusOffset(focus, 'x', scaled.width, layer.width, timed.start),
              y: focusOffset(focus, 'y', scaled.height, layer.height, timed.start),
            }
          : {}),
      }),
    );
  }
  let size = fitted.layer;
  // The asset's crop cuts the fitted layer; what is left stays where it was (moved at placement).
  const c = asset.type === 'video' || asset.type === 'image' ? asset.crop : undefined;
  if (c && (c.left || c.right || c.top || c.bottom)) {
    const cut = cropLayer(size, c, clip.position);
    staticOps.push(filter('crop', { w: cut.rect.width, h: cut.rect.height, x: cut.rect.x, y: cut.rect.y }));
    size = { width: cut.rect.width, height: cut.rect.height };
    cropShift = cut.shift;
  }
  return { staticOps, size, cropShift };
}

/** The image (or, animated letter by letter, the image sequence) prepareRender drew of a rich-text clip. */
function richTextKey(ctx: VisualContext, timed: TimedClip, asset: RichTextAsset): string {
  const viewport = { width: ctx.spec.width, height: ctx.spec.height };
  const face = richTextFace(asset, ctx.fonts);
  const frames = richTextFrames(asset, timed.clip, viewport, face, ctx.spec.fps, timed.length);
  return frames ? richTextSequenceKey(frames) : htmlKey(richTextDocument(asset, timed.clip, viewport, face));
}

/** The media a picture clip draws: its source, or the image the browser drew of an html/svg/shape/rich-text asset. */
function clipMedia(ctx: VisualContext, timed: TimedClip): MediaEntry {
  const clip = timed.clip;
  const asset = clip.asset;
  const viewport = { width: ctx.spec.width, height: ctx.spec.height };
  // html, svg and shape assets are the images the browser drew of them (prepareRender): html at its
  // area's own size, svg and shapes at the size their layer will have.
  const media =
    asset.type === 'html'
      ? ctx.media(htmlKey(htmlDocument(asset, viewport)), `${timed.at}.asset.html`)
      : asset.type === 'svg' || asset.type === 'shape'
        ? ctx.media(htmlKey(vectorDocument(asset, clip, viewport)), `${timed.at}.asset`)
        : asset.type === 'rich-text'
          ? ctx.media(richTextKey(ctx, timed, asset), `${timed.at}.asset`)
          : ctx.media((asset as { src: string }).src, `${timed.at}.asset.src`);
  if (!media.probe.hasVideo) {
    throw new CutlineError('SOURCE_UNREADABLE', `${timed.at}.asset.src: the source has no picture`, [
      { path: `${timed.at}.asset.src`, message: 'has no video stream' },
    ]);
  }
  return media;
}

/**
 * Seconds decoded past a video clip's last shown instant: three of the source's frames (the frame on
 * screen at the end starts up to one frame before it, and the fps filter decides on the next one), and
 * at least a quarter second for a variable frame rate's uneven gaps; a second when the rate is unknown.
 * Each extra second is ~25 frames decoded for nothing (1–2 % of a 1080p render's CPU per clip).
 */
export const decodeTail = (fps: number | null): number =>
  fps && fps > 0 ? Math.min(1, Math.max(0.25, 3 / fps)) : 1;

function mediaSource(ctx: VisualContext, timed: TimedClip, vs: number, ve: number): LayerSource {
  const { graph, spec } = ctx;
  const clip = timed.clip;
  const asset = clip.asset;
  const viewport = { width: spec.width, height: spec.height };
  const fps = spec.fps;
  const media = clipMedia(ctx, timed);
  const { staticOps, size, cropShift } = mediaGeometry(
    timed,
    { width: media.probe.width, height: media.probe.height },
    viewport,
  );
  const placed = { size, position: clip.position, offset: clip.offset, cropShift, staticOps };
  if (asset.type === 'rich-text' && !media.probe.isImage) {
    // Letter by letter: the sequence plays from the clip's start, then its last page holds.
    const index = ctx.inputs.addSource(media);
    const label = graph.chain(`${index}:v`, [
      filter('setpts', [`PTS+${n(timed.start)}/TB`]),
      filter('fps', { fps: fpsString(fps) }),
      filter('tpad', { stop_mode: 'clone', stop_duration: n(timed.length + 1) }),
      filter('trim', { start_pts: vs, end_pts: ve }),
    ]);
    return { ...placed, label, perFrame: true };
  }
  if (asset.type !== 'video') {
    return { ...placed, label: `${ctx.inputs.addSource(media)}:v`, perFrame: false };
  }
  const trim = asset.trim ?? 0;
  // asset.speed: timeline second t shows source second trim + (t - start) * speed.
  const speed = asset.speed ?? 1;
  const fromS = trim + (frameSeconds(vs, fps) - timed.start) * speed;
  const toS = trim + (frameSeconds(ve, fps) - timed.start) * speed;
  // Seek a second early so the frame shown at the window's first frame is decoded, then cut exactly.
  const seek = Math.max(0, fromS - 1);
  // Its sound, when mixed in the same run, shares this input (audio.ts asks for the same clip's span).
  const { index } = ctx.inputs.addClipSpan(
    media,
    timed.at,
    { seek, duration: toS - seek + decodeTail(media.probe.fps) },
    'video',
  );
  const label = graph.chain(`${index}:v`, [
    filter('setpts', [
      speed === 1
        ? `PTS+${n(seek - trim + timed.start)}/TB`
        : `PTS/${n(speed)}+${n((seek - trim) / speed + timed.start)}/TB`,
    ]),
    filter('fps', { fps: fpsString(fps) }),
    filter('trim', { start_pts: vs, end_pts: ve }),
  ]);
  return { ...placed, label, perFrame: true };
}

function textSource(ctx: VisualContext, timed: TimedClip, motion: LayerMotion): LayerSource {
  const { graph, spec } = ctx;
  const clip = timed.clip;
  const asset = clip.asset as Extract<Clip['asset'], { type: 'title' | 'text' }>;
  const viewport = { width: spec.width, height: spec.height };
  const text: TextLayer =
    asset.type === 'title' ? titleLayer(asset, viewport, ctx.fonts) : textLayer(asset, viewport, ctx.fonts);
  let label = graph.chain(
    [],
    [
      filter('color', { c: '0x000000@0', s: `${text.width}x${text.height}`, r: fpsString(spec.fps) }),
      filter('format', { pix_fmts: 'rgba' }),
      filter('trim', { end_frame: 1 }),
      ...text.filters,
    ],
  );
  let size: Size = { width: text.width, height: text.height };
  const staticOps: FilterNode[] = [];
  const scale = layoutScale(clip.scale);
  if (scale && scale !== 1) {
    size = { width: even(text.width * scale), height: even(text.height * scale) };
    staticOps.push(filter('scale', { w: size.width, h: size.height }));
  }
  let position = text.position ?? clip.position;
  // A title's own offset places its text in the frame (never past its edge); the clip's offset then moves
  // the clip: they add.
  const own =
    asset.type === 'title' && text.offset
      ? titleOffsetInFrame(size, viewport, position, text.offset)
      : text.offset;
  let offset = addOffsets(own, clip.offset);
  const { effect, tIn, tOut } = motion;
  if (asset.type === 'title' && (effect || tIn?.kind === 'zoom' || tOut?.kind === 'zoom')) {
    // Shotstack draws a title as a frame-sized picture and effects move that whole picture: zooming the
    // text's own tight box would cut its letters off at the box's edges.
    const at = placeLayer(size, viewport, position, own ?? {});
    const canvas = graph.chain(
      [],
      [
        filter('color', {
          c: '0x000000@0',
          s: `${viewport.width}x${viewport.height}`,
          r: fpsString(spec.fps),
        }),
        filter('format', { pix_fmts: 'rgba' }),
        filter('trim', { end_frame: 1 }),
      ],
    );
    const drawn = staticOps.length ? graph.chain(label, staticOps.splice(0)) : label;
    label = graph.chain([canvas, drawn], [filter('overlay', { x: at.x, y: at.y, format: 'rgb' })]);
    size = viewport;
    position = 'center';
    offset = clip.offset;
  }
  return {
    label,
    size,
    position,
    offset,
    cropShift: { x: 0, y: 0 },
    staticOps,
    perFrame: false,
  };
}

/** Phase 2: a still is processed once, then repeated for every frame of [vs, ve) it is on screen. */
export function holdStill(perFrame: boolean, vs: number, ve: number, fps: Rational): FilterNode[] {
  if (perFrame) return [];
  return [
    filter('loop', { loop: ve - vs - 1, size: 1, start: 0 }),
    filter('settb', { expr: `${fps.den}/${fps.num}` }),
    filter('setpts', [`N+${vs}`]),
  ];
}

/**
 * Phase 3: motion over time (slide and zoom effects, zoom transitions), in absolute timeline seconds (t)
 * so every render window draws the same frame.
 */
export function motionFilters(
  timed: Pick<TimedClip, 'start' | 'end' | 'length'>,
  size: Size,
  motion: LayerMotion,
  vs: number,
  fps: Rational,
): FilterNode[] {
  const { effect, tIn, tOut } = motion;
  const frames: FilterNode[] = [];
  const zoomIn = tIn?.kind === 'zoom' ? tIn : undefined;
  const zoomOut = tOut?.kind === 'zoom' ? tOut : undefined;
  if (effect && effect.kind.startsWith('slide')) {
    const big = {
      width: even(size.width * (1 + effect.amount)),
      height: even(size.height * (1 + effect.amount)),
    };
    const p = linear('t', timed.start, timed.length);
    const along = effect.kind === 'slideLeft' || effect.kind === 'slideUp' ? p : `(1-${p})`;
    const horizontal = effect.kind === 'slideLeft' || effect.kind === 'slideRight';
    frames.push(
      filter('scale', { w: big.width, h: big.height }),
      filter('crop', {
        w: size.width,
        h: size.height,
        x: horizontal ? `(iw-ow)*${along}` : '(iw-ow)/2',
        y: horizontal ? '(ih-oh)/2' : `(ih-oh)*${along}`,
      }),
    );
  }
  const zoomTerms: string[] = [];
  if (effect?.kind === 'zoomIn')
    zoomTerms.push(`(1+${n(effect.amount)}*${linear('it', timed.start, timed.length)})`);
  if (effect?.kind === 'zoomOut')
    zoomTerms.push(`(1+${n(effect.amount)}*(1-${linear('it', timed.start, timed.length)}))`);
  // Shotstack's zoom transition comes in from 10× (at constant speed) and leaves to 10× (easing out).
  if (zoomIn) zoomTerms.push(`(1+9*(1-${linear('it', timed.start, zoomIn.duration)}))`);
  if (zoomOut) {
    const p = tweenExpr(
      [
        {
          from: 0,
          to: 1,
          start: timed.length - zoomOut.duration,
          length: zoomOut.duration,
          interpolation: 'bezier',
          easing: 'easeOut',
        },
      ],
      timed.start,
      'it',
    );
    zoomTerms.push(`(1+9*${p})`);
  }
  if (zoomTerms.length) {
    frames.push(
      filter('zoompan', {
        z: zoomTerms.join('*'),
        x: 'iw/2-(iw/zoom/2)',
        y: 'ih/2-(ih/zoom/2)',
        d: 1,
        s: `${size.width}x${size.height}`,
        fps: fpsString(fps),
      }),
      // zoompan restarts timestamps at 0.
      filter('setpts', [`PTS+${vs}`]),
    );
  }
  return frames;
}

/**
 * Phase 4: masks (luma mattes on the clip's track, tweened opacity) that multiply the layer's alpha in its
 * own frame, before it turns; each is a stream of its own (mask.ts). Empty when there are none.
 */
function layerMasks(
  ctx: VisualContext,
  timed: TimedClip,
  size: Size,
  vs: number,
  ve: number,
  lumas: readonly TimedClip[],
): string[] {
  const { graph } = ctx;
  const fps = ctx.spec.fps;
  const win = { vs, ve, fps };
  const masks: string[] = [];
  for (const luma of lumas) {
    const span = {
      from: Math.max(frameAt(luma.start, fps), vs),
      to: Math.min(frameAt(luma.end, fps), ve),
    };
    if (span.to > span.from) masks.push(matteMask(graph, lumaSource(ctx, luma, span), size, win, span));
  }
  const opacity = timed.clip.opacity;
  if (isTween(opacity)) masks.push(levelMask(graph, size, win, tweenExpr(opacity, timed.start, 'T')));
  return masks;
}

/** Phase 5: skew and tweened scale, one affine map on a transparent canvas (affine.ts); undefined when neither. */
export function layerAffine(
  clip: Clip,
  timed: Pick<TimedClip, 'start'>,
  size: Size,
  vs: number,
  fps: Rational,
): AffinePhase | undefined {
  return affinePhase(clip, size, timed.start, vs, fps);
}

/**
 * An eased fade as filters: `lutyuv@name` scales alpha by a factor that sendcmd sets per output frame
 * (frame k of the timeline is at k/fps: each gets the curve's value at its time), holding 1 after a fade in.
 * The name is the clip's, so no other layer's commands reach it.
 */
export function easedFade(
  fade: TransitionSpec & { curve: NonNullable<TransitionSpec['curve']> },
  entering: boolean,
  st: number,
  fps: Rational,
  id: string,
): FilterNode[] {
  const target = `lutyuv@fade${entering ? 'in' : 'out'}_${id}`;
  const f = fps.num / fps.den;
  const first = Math.floor(st * f);
  const last = Math.ceil((st + fade.duration) * f);
  const at = (k: number) => Math.max(0, (k - 0.5) / f).toFixed(4);
  const cmds: string[] = [];
  for (let k = first; k <= last; k++) {
    const p = curveValue((k / f - st) / fade.duration, fade.curve);
    const factor = entering ? p : 1 - p;
    cmds.push(`${at(k)}-${at(k + 1)} ${target} a val*${factor.toFixed(4)}`);
  }
  cmds.push(`${at(last + 1)}-1000000 ${target} a val*${entering ? 1 : 0}`);
  return [filter('sendcmd', { c: cmds.join(';') }), filter(target, { a: 'val' })];
}

/** Phase 6: alpha — rotation corners, opacity, fades and wipes; rotation also changes the layer's size. */
export function alphaFilters(
  clip: Clip,
  timed: Pick<TimedClip, 'start' | 'end'> & Partial<Pick<TimedClip, 'trackIndex' | 'clipIndex'>>,
  size: Size,
  motion: Pick<LayerMotion, 'tIn' | 'tOut'>,
  fps: Rational = { num: 25, den: 1 },
): { filters: FilterNode[]; size: Size } {
  const { tIn, tOut } = motion;
  const frames: FilterNode[] = [];
  const angleValue = clip.transform?.rotate?.angle ?? 0;
  const angle = staticValue(angleValue) ?? 0;
  const fades = (t?: TransitionSpec) =>
    !!t && (t.kind === 'fade' || t.kind === 'zoom' || t.kind.startsWith('slide'));
  const fadeIn = fades(tIn) ? tIn : undefined;
  const fadeOut = fades(tOut) ? tOut : undefined;
  const wipeIn = tIn && tIn.kind.startsWith('wipe') ? tIn : undefined;
  const wipeOut = tOut && tOut.kind.startsWith('wipe') ? tOut : undefined;
  // A tweened opacity is a mask (phase 4); here only a fixed one.
  const opacity = staticValue(clip.opacity) ?? 1;
  // A shuffle turns the layer on its way in or out, on top of its own angle.
  const turns = (
    [
      [tIn, true],
      [tOut, false],
    ] as const
  ).flatMap(([t, entering]) => {
    if (!isShuffle(t)) return [];
    const from = entering ? timed.start : timed.end - t.duration;
    return [`${n(shuffleGeometry(t.kind).angle)}*(${shuffleAway(t, entering, from, 't')})`];
  });
  const turning = isTween(angleValue) || turns.length > 0;
  if (angle || turning || opacity < 1 || fadeIn || fadeOut || wipeIn || wipeOut)
    frames.push(filter('format', { pix_fmts: 'yuva420p' }));
  if (turning) {
    // A turning layer needs the box of every angle: its diagonal.
    const d = even(Math.ceil(Math.hypot(size.width, size.height)));
    const a = `(${[tweenExpr(angleValue, timed.start, 't'), ...turns].join('+')})*PI/180`;
    // A transparent fill, not "none": with an angle that changes, "none" leaves the last frames' pixels in
    // the uncovered corners (rotate reuses its output buffers).
    frames.push(filter('rotate', { a, ow: d, oh: d, c: 'black@0' }));
    size = { width: d, height: d };
  } else if (angle) {
    const r = rotatedSize(size, angle);
    frames.push(filter('rotate', { a: n((angle * Math.PI) / 180), ow: r.width, oh: r.height, c: 'none' }));
    size = r;
  }
  if (opacity < 1) frames.push(filter('lutyuv', { a: `val*${n(opacity)}` }));
  for (const [fade, entering] of [
    [fadeIn, true],
    [fadeOut, false],
  ] as const) {
    if (!fade) continue;
    const st = entering ? timed.start : timed.end - fade.duration;
    if (!fade.curve) {
      frames.push(filter('fade', { t: entering ? 'in' : 'out', st: n(st), d: n(fade.duration), alpha: 1 }));
      continue;
    }
    const eased = { ...fade, curve: fade.curve };
    // An eased fade: the fade filter is linear and a per-pixel expression (geq) is ~50× slower, so the
    // alpha plane goes through a lookup table whose factor sendcmd sets for every frame of the fade.
    frames.push(...easedFade(eased, entering, st, fps, `${timed.trackIndex ?? 0}_${timed.clipIndex ?? 0}`));
  }
  for (const [wipe, entering] of [
    [wipeIn, true],
    [wipeOut, false],
  ] as const) {
    if (!wipe) continue;
    const from = entering ? timed.start : timed.end - wipe.duration;
    const p = progress('T', from, wipe.duration);
    // wipeRight uncovers from the left edge; wipeLeft from the right edge; on the way out they cover again.
    const leftToRight = wipe.kind === 'wipeRight';
    const shown = entering ? p : `(1-${p})`;
    const visible = leftToRight === entering ? `lt(X,W*${shown})` : `gte(X,W*(1-${shown}))`;
    frames.push(
      filter('geq', {
        lum: 'lum(X,Y)',
        cb: 'cb(X,Y)',
        cr: 'cr(X,Y)',
        a: `if(${visible},alpha(X,Y),0)`,
        enable: `between(t,${n(from)},${n(from + wipe.duration)})`,
      }),
    );
  }
  return { filters: frames, size };
}

/** Phase 7: back to window-relative time for the overlay. */
export const windowRelative = (window: FrameWindow): FilterNode =>
  filter('setpts', [`PTS-${window.startFrame}`]);

function buildLayer(
  ctx: VisualContext,
  timed: TimedClip,
  vs: number,
  ve: number,
  overlap: number,
  lumas: readonly TimedClip[],
): Layer {
  const { graph } = ctx;
  const fps = ctx.spec.fps;
  const clip = timed.clip;
  const viewport = { width: ctx.spec.width, height: ctx.spec.height };
  const motion = layerMotion(clip, timed, overlap, viewport);
  const source = layerSource(ctx, timed, vs, ve, motion);
  let label = source.label;
  let frames: FilterNode[] = [
    ...source.staticOps,
    ...holdStill(source.perFrame, vs, ve, fps),
    ...motionFilters(timed, source.size, motion, vs, fps),
  ];
  const masks = layerMasks(ctx, timed, source.size, vs, ve, lumas);
  if (masks.length) {
    label = applyMasks(graph, frames.length ? graph.chain(label, frames) : label, masks);
    frames = [];
  }
  const content = source.size;
  const affine = layerAffine(clip, timed, source.size, vs, fps);
  const alpha = alphaFilters(clip, timed, affine ? affine.canvas : source.size, motion, fps);
  const out = graph.chain(label, [
    ...frames,
    ...(affine ? affine.nodes : []),
    ...alpha.filters,
    windowRelative(ctx.window),
  ]);
  const final = alpha.size;
  const { position, cropShift } = source;
  const ox = source.offset?.x ?? 0;
  const oy = source.offset?.y ?? 0;
  const place = placeLayer(final, viewport, position, { x: staticValue(ox) ?? 0, y: staticValue(oy) ?? 0 });
  const tweened = isTween(ox) || isTween(oy) || isTween(clip.scale);
  return {
    label: out,
    size: final,
    x: place.x + cropShift.x,
    y: place.y + cropShift.y,
    moveIn: isMove(motion.tIn) ? motion.tIn : undefined,
    moveOut: isMove(motion.tOut) ? motion.tOut : undefined,
    ...(tweened
      ? {
          // The visible layer is anchored as placeLayer anchors a still one; its canvas is centred on it.
          at: (tau: string) => {
            const { col, row } = anchor(position);
            const vis =
              affine && isTween(clip.scale)
                ? {
                    width: `(${affine.visible(tau).width}+${n(final.width - content.width)})`,
                    height: `(${affine.visible(tau).height}+${n(final.height - content.height)})`,
                  }
                : { width: n(final.width), height: n(final.height) };
            const x = `(${n(viewport.width)}-${vis.width})*${n(col)}+(${tweenExpr(ox, timed.start, tau)})*${n(viewport.width)}-(${n(final.width)}-${vis.width})/2+${n(cropShift.x)}`;
            const y = `(${n(viewport.height)}-${vis.height})*${n(row)}-(${tweenExpr(oy, timed.start, tau)})*${n(viewport.height)}-(${n(final.height)}-${vis.height})/2+${n(cropShift.y)}`;
            return { x, y };
          },
        }
      : {}),
    nudge: motion.nudge,
  };
}

/** A luma matte's frames over `span` (absolute frames), stamped like the layer it masks. */
function lumaSource(ctx: VisualContext, luma: TimedClip, span: { from: number; to: number }): string {
  const asset = luma.clip.asset;
  if (asset.type !== 'luma') throw new Error(`${luma.at}: not a luma clip`);
  const fps = ctx.spec.fps;
  const media = ctx.media(asset.src, `${luma.at}.asset.src`);
  if (!media.probe.hasVideo) {
    throw new CutlineError('SOURCE_UNREADABLE', `${luma.at}.asset.src: the luma matte has no picture`, [
      { path: `${luma.at}.asset.src`, message: 'has no video stream' },
    ]);
  }
  // An image matte: its one frame, held for the span.
  if (media.probe.isImage) return `${ctx.inputs.addSource(media)}:v`;
  const trim = asset.trim ?? 0;
  const fromS = trim + (frameSeconds(span.from, fps) - luma.start);
  const seek = Math.max(0, fromS - 1);
  const index = ctx.inputs.addSource(media, [
    ...(seek > 0 ? ['-ss', n(seek)] : []),
    '-t',
    n(frameSeconds(span.to - span.from, fps) + (fromS - seek) + 1),
    '-an',
  ]);
  return ctx.graph.chain(`${index}:v`, [
    filter('setpts', [`PTS+${n(seek - trim + luma.start)}/TB`]),
    filter('fps', { fps: fpsString(fps) }),
    filter('trim', { start_pts: span.from, end_pts: span.to }),
  ]);
}
