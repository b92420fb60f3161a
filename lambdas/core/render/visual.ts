import type { CaptionAsset, Clip, Edit } from '../edit/schema.js';
import { CutlineError } from '../errors.js';
import type { ProbeResult } from '../media/probe.js';
import type { Cue } from '../text/captions.js';
import { captionFilters } from '../text/captions.js';
import { richCaptionAsCaption, withWordTimings } from '../text/rich-caption.js';
import type { FontRegistry } from '../text/fonts.js';
import { textLayer, titleLayer, type TextLayer } from '../text/layers.js';
import { ffColor } from '../filtergraph/color.js';
import { filter, formatNumber as n, type FilterGraph, type FilterNode } from '../filtergraph/graph.js';
import type { InputList } from './inputs.js';
import { focusOffset } from './focus.js';
import { effectSpec, linear, moveTween, progress, transitionSpec, type TransitionSpec } from './motion.js';
import { fpsString, type OutputSpec } from './output-spec.js';
import { htmlDocument, htmlKey } from '../html/document.js';
import { vectorDocument } from './vector.js';
import { anchor, cropLayer, even, fitLayer, placeLayer, rotatedSize, type Size } from './placement.js';
import { affinePhase } from './affine.js';
import { addOffsets, isTween, layoutScale, staticValue, tweenExpr } from './keyframes.js';
import { applyMasks, levelMask, matteMask } from './mask.js';
import { lumaTargets } from './luma.js';
import { richTextBox, richTextDocument, richTextFace } from './rich-text.js';
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

const isMove = (t?: TransitionSpec) => !!t && /^(slide|carousel)/.test(t.kind);

/** Every visual clip, bottom track first, composed over the background; returns the composite's label. */
export function composeVideo(ctx: VisualContext, edit: Edit, timeline: ResolvedTimeline): string {
  const { spec, window, graph } = ctx;
  const viewport = { width: spec.width, height: spec.height };
  let base = graph.chain(
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

  for (const track of [...timeline.tracks].reverse()) {
    // Luma mattes are not drawn: each masks the clips it overlaps on its own track.
    const mattes = lumaTargets(track);
    const ordered = track.filter((c) => c.clip.asset.type !== 'luma').sort((a, b) => a.start - b.start);
    ordered.forEach((timed, i) => {
      const f0 = frameAt(timed.start, spec.fps);
      const f1 = frameAt(timed.end, spec.fps);
      const vs = Math.max(f0, window.startFrame);
      const ve = Math.min(f1, window.endFrame);
      if (ve <= vs) return;
      const asset = timed.clip.asset;
      if (asset.type === 'audio') return;
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
        return;
      }
      // Overlapping clips on one track crossfade: the later clip fades in over the overlap.
      const prevEnd = Math.max(0, ...ordered.slice(0, i).map((c) => c.end));
      const overlap = prevEnd > timed.start ? Math.min(prevEnd - timed.start, timed.length / 2) : 0;
      const layer = buildLayer(ctx, timed, vs, ve, overlap, mattes.get(timed) ?? []);
      const T0 = n(t0);
      const moving = !!(layer.moveIn || layer.moveOut || layer.at || layer.nudge);
      const x = moving ? moveExpr('x', layer, timed, viewport, T0) : String(layer.x);
      const y = moving ? moveExpr('y', layer, timed, viewport, T0) : String(layer.y);
      base = graph.chain(
        [base, layer.label],
        [filter('overlay', { x, y, eof_action: 'pass', eval: moving ? 'frame' : 'init' })],
      );
    });
  }
  return base;
}

/** Overlay position (pixels, y down) with moving transitions, in absolute timeline time. */
function moveExpr(axis: 'x' | 'y', layer: Layer, timed: TimedClip, viewport: Size, T0: string): string {
  const home = axis === 'x' ? layer.x : layer.y;
  const span = axis === 'x' ? viewport.width : viewport.height;
  const tau = `(t+${T0})`;
  let expr = layer.at ? layer.at(tau)[axis] : String(home);
  const moves = [
    ...(layer.moveIn ? moveTween(layer.moveIn, axis, true, 0) : []),
    ...(layer.moveOut ? moveTween(layer.moveOut, axis, false, timed.length - layer.moveOut.duration) : []),
  ];
  // In and out are separate keyframes of one property, so each holds 0 outside its own span.
  for (const k of moves) expr += `+${span}*(${tweenExpr([k], timed.start, tau)})`;
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

function buildLayer(
  ctx: VisualContext,
  timed: TimedClip,
  vs: number,
  ve: number,
  overlap: number,
  lumas: readonly TimedClip[],
): Layer {
  const { graph, spec } = ctx;
  const clip = timed.clip;
  const asset = clip.asset;
  const viewport = { width: spec.width, height: spec.height };
  const fps = spec.fps;
  const entrance =
    asset.type === 'rich-text'
      ? richTextEntrance(asset, timed.length, richTextBox(clip, viewport))
      : undefined;
  const tIn =
    transitionSpec(clip.transition?.in, timed.length) ??
    entrance?.transition ??
    (overlap > 0 ? { kind: 'fade' as const, duration: overlap } : undefined);
  const tOut = transitionSpec(clip.transition?.out, timed.length);
  const effect = effectSpec(clip.effect);

  // 1. The source, as a stream of frames at output rate stamped with absolute timeline frame numbers.
  let label: string;
  let size: Size;
  let position = clip.position;
  let offset = clip.offset;
  let cropShift = { x: 0, y: 0 };
  const staticOps: FilterNode[] = [];
  let perFrame: boolean;

  if (
    asset.type === 'video' ||
    asset.type === 'image' ||
    asset.type === 'html' ||
    asset.type === 'svg' ||
    asset.type === 'shape' ||
    asset.type === 'rich-text'
  ) {
    // html, svg and shape assets are the images the browser drew of them (prepareRender): html at its
    // area's own size, svg and shapes at the size their layer will have.
    const media =
      asset.type === 'html'
        ? ctx.media(htmlKey(htmlDocument(asset, viewport)), `${timed.at}.asset.html`)
        : asset.type === 'svg' || asset.type === 'shape'
          ? ctx.media(htmlKey(vectorDocument(asset, clip, viewport)), `${timed.at}.asset`)
          : asset.type === 'rich-text'
            ? ctx.media(
                htmlKey(richTextDocument(asset, clip, viewport, richTextFace(asset, ctx.fonts))),
                `${timed.at}.asset`,
              )
            : ctx.media(asset.src, `${timed.at}.asset.src`);
    if (!media.probe.hasVideo) {
      throw new CutlineError('SOURCE_UNREADABLE', `${timed.at}.asset.src: the source has no picture`, [
        { path: `${timed.at}.asset.src`, message: 'has no video stream' },
      ]);
    }
    const src: Size = { width: media.probe.width, height: media.probe.height };
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
    size = fitted.layer;
    // The asset's crop cuts the fitted layer; what is left stays where it was (moved at placement).
    const c = asset.type === 'video' || asset.type === 'image' ? asset.crop : undefined;
    if (c && (c.left || c.right || c.top || c.bottom)) {
      const cut = cropLayer(size, c, position);
      staticOps.push(filter('crop', { w: cut.rect.width, h: cut.rect.height, x: cut.rect.x, y: cut.rect.y }));
      size = { width: cut.rect.width, height: cut.rect.height };
      cropShift = cut.shift;
    }
    if (asset.type === 'video') {
      const trim = asset.trim ?? 0;
      // asset.speed: timeline second t shows source second trim + (t - start) * speed.
      const speed = asset.speed ?? 1;
      const fromS = trim + (frameSeconds(vs, fps) - timed.start) * speed;
      const toS = trim + (frameSeconds(ve, fps) - timed.start) * speed;
      // Seek a second early so the frame shown at the window's first frame is decoded, then cut exactly.
      const seek = Math.max(0, fromS - 1);
      const index = ctx.inputs.addSource(media, [
        ...(seek > 0 ? ['-ss', n(seek)] : []),
        '-t',
        n(toS - seek + 1),
        '-an',
      ]);
      label = graph.chain(`${index}:v`, [
        filter('setpts', [
          speed === 1
            ? `PTS+${n(seek - trim + timed.start)}/TB`
            : `PTS/${n(speed)}+${n((seek - trim) / speed + timed.start)}/TB`,
        ]),
        filter('fps', { fps: fpsString(fps) }),
        filter('trim', { start_pts: vs, end_pts: ve }),
      ]);
      perFrame = true;
    } else {
      label = `${ctx.inputs.addSource(media)}:v`;
      perFrame = false;
    }
  } else if (asset.type === 'title' || asset.type === 'text') {
    const text: TextLayer =
      asset.type === 'title' ? titleLayer(asset, viewport, ctx.fonts) : textLayer(asset, viewport, ctx.fonts);
    label = graph.chain(
      [],
      [
        filter('color', { c: '0x000000@0', s: `${text.width}x${text.height}`, r: fpsString(fps) }),
        filter('format', { pix_fmts: 'rgba' }),
        filter('trim', { end_frame: 1 }),
        ...text.filters,
      ],
    );
    size = { width: text.width, height: text.height };
    const scale = layoutScale(clip.scale);
    if (scale && scale !== 1) {
      size = { width: even(text.width * scale), height: even(text.height * scale) };
      staticOps.push(filter('scale', { w: size.width, h: size.height }));
    }
    position = text.position ?? position;
    // A title's own offset places its text in the frame; the clip's offset then moves the clip: they add.
    offset = addOffsets(text.offset, offset);
    if (asset.type === 'title' && (effect || tIn?.kind === 'zoom' || tOut?.kind === 'zoom')) {
      // Shotstack draws a title as a frame-sized picture and effects move that whole picture: zooming the
      // text's own tight box would cut its letters off at the box's edges.
      const at = placeLayer(size, viewport, position, text.offset ?? {});
      const canvas = graph.chain(
        [],
        [
          filter('color', { c: '0x000000@0', s: `${viewport.width}x${viewport.height}`, r: fpsString(fps) }),
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
    perFrame = false;
  } else {
    throw new Error(`${timed.at}: ${asset.type} clips have no picture layer`);
  }
  if (clip.filter) staticOps.push(...FILTERS[clip.filter](size));
  if (clip.transform?.flip?.horizontal) staticOps.push(filter('hflip'));
  if (clip.transform?.flip?.vertical) staticOps.push(filter('vflip'));

  // 2. Stills are processed once, then repeated for every frame they are on screen.
  let frames: FilterNode[] = [...staticOps];
  if (!perFrame) {
    frames.push(
      filter('loop', { loop: ve - vs - 1, size: 1, start: 0 }),
      filter('settb', { expr: `${fps.den}/${fps.num}` }),
      filter('setpts', [`N+${vs}`]),
    );
  }

  // 3. Motion over time, in absolute timeline seconds (t) so every render window draws the same frame.
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

  // 4. Masks (luma mattes, tweened opacity) multiply the layer's alpha in its own frame, before it turns.
  const win = { vs, ve, fps };
  const masks: string[] = [];
  const openChain = () => (frames.length ? graph.chain(label, frames) : label);
  for (const luma of lumas) {
    const span = {
      from: Math.max(frameAt(luma.start, fps), vs),
      to: Math.min(frameAt(luma.end, fps), ve),
    };
    if (span.to > span.from) masks.push(matteMask(graph, lumaSource(ctx, luma, span), size, win, span));
  }
  if (isTween(clip.opacity))
    masks.push(levelMask(graph, size, win, tweenExpr(clip.opacity, timed.start, 'T')));
  if (masks.length) {
    label = applyMasks(graph, openChain(), masks);
    frames = [];
  }

  // 5. Skew and tweened scale (one affine map on a transparent canvas), then rotation, opacity, fades, wipes.
  const content = size;
  const affine = affinePhase(clip, size, timed.start, vs, fps);
  if (affine) {
    frames.push(...affine.nodes);
    size = affine.canvas;
  }
  const angleValue = clip.transform?.rotate?.angle ?? 0;
  const angle = staticValue(angleValue) ?? 0;
  const fades = (t?: TransitionSpec) =>
    !!t && (t.kind === 'fade' || t.kind === 'zoom' || t.kind.startsWith('slide'));
  const fadeIn = fades(tIn) ? tIn : undefined;
  const fadeOut = fades(tOut) ? tOut : undefined;
  const wipeIn = tIn && tIn.kind.startsWith('wipe') ? tIn : undefined;
  const wipeOut = tOut && tOut.kind.startsWith('wipe') ? tOut : undefined;
  const opacity = staticValue(clip.opacity) ?? 1;
  if (angle || isTween(angleValue) || opacity < 1 || fadeIn || fadeOut || wipeIn || wipeOut)
    frames.push(filter('format', { pix_fmts: 'yuva420p' }));
  if (isTween(angleValue)) {
    // A turning layer needs the box of every angle: its diagonal.
    const d = even(Math.ceil(Math.hypot(size.width, size.height)));
    const a = `(${tweenExpr(angleValue, timed.start, 't')})*PI/180`;
    frames.push(filter('rotate', { a, ow: d, oh: d, c: 'none' }));
    size = { width: d, height: d };
  } else if (angle) {
    const r = rotatedSize(size, angle);
    frames.push(filter('rotate', { a: n((angle * Math.PI) / 180), ow: r.width, oh: r.height, c: 'none' }));
    size = r;
  }
  if (opacity < 1) frames.push(filter('lutyuv', { a: `val*${n(opacity)}` }));
  if (fadeIn) frames.push(filter('fade', { t: 'in', st: n(timed.start), d: n(fadeIn.duration), alpha: 1 }));
  if (fadeOut)
    frames.push(
      filter('fade', { t: 'out', st: n(timed.end - fadeOut.duration), d: n(fadeOut.duration), alpha: 1 }),
    );
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
  // 6. Back to window-relative time for the overlay.
  frames.push(filter('setpts', [`PTS-${ctx.window.startFrame}`]));
  const out = graph.chain(label, frames);
  const ox = offset?.x ?? 0;
  const oy = offset?.y ?? 0;
  const place = placeLayer(size, viewport, position, { x: staticValue(ox) ?? 0, y: staticValue(oy) ?? 0 });
  const tweened = isTween(ox) || isTween(oy) || isTween(clip.scale);
  const final = size;
  return {
    label: out,
    size,
    x: place.x + cropShift.x,
    y: place.y + cropShift.y,
    moveIn: isMove(tIn) ? tIn : undefined,
    moveOut: isMove(tOut) ? tOut : undefined,
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
    nudge: tIn === entrance?.transition ? entrance?.nudge : undefined,
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
