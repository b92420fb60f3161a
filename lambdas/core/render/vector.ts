import { layoutScale } from './keyframes.js';
import type { Clip, ShapeAsset, SvgAsset } from '../edit/schema.js';
import { fitLayer, type Size } from './placement.js';
import type { HtmlDocument } from '../html/document.js';

/**
 * svg and shape assets become browser documents too: the markup drawn at the size its layer will have
 * (fitted to the clip's box by `fit` and `scale`), so vectors stay sharp at any output size, then
 * composited as an image of exactly that size. Pure, so the compiler finds the image prepareRender drew.
 */

const MAX_SIDE = 8192;

/** The drawing's own size: the root's width/height in px, else its viewBox, else the frame. */
export function svgIntrinsicSize(markup: string, frame: Size): Size {
  const root = /<svg\b[^>]*>/i.exec(markup)?.[0] ?? '';
  const attr = (name: string) => {
    const m = new RegExp(`\\s${name}\\s*=\\s*["']\\s*([0-9.]+)\\s*(px)?\\s*["']`, 'i').exec(root);
    return m ? Number(m[1]) : undefined;
  };
  const box = /\sviewBox\s*=\s*["']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)\s*["']/i.exec(
    root,
  );
  const width = attr('width') ?? (box ? Number(box[1]) : undefined);
  const height = attr('height') ?? (box ? Number(box[2]) : undefined);
  if (width && height && width > 0 && height > 0) return { width, height };
  return frame;
}

/** The pixel size a vector layer is drawn at: what fitLayer scales its intrinsic size to (before a crop). */
export function vectorDrawSize(
  intrinsic: Size,
  clip: Pick<Clip, 'fit' | 'scale' | 'width' | 'height'>,
  frame: Size,
): Size {
  const box = { width: clip.width ?? frame.width, height: clip.height ?? frame.height };
  const { scaled } = fitLayer(intrinsic, box, clip.fit, layoutScale(clip.scale));
  const k = Math.min(1, MAX_SIDE / Math.max(scaled.width, scaled.height));
  return {
    width: Math.max(2, Math.round(scaled.width * k)),
    height: Math.max(2, Math.round(scaled.height * k)),
  };
}

const hexAlpha = (color: string, opacity: number | undefined) => ({ color, opacity: opacity ?? 1 });

/** A shape as SVG markup of its own size (stroke inside the box, so nothing is clipped). */
export function shapeMarkup(asset: ShapeAsset): string {
  const fill = asset.fill
    ? hexAlpha(asset.fill.color ?? '#ffffff', asset.fill.opacity)
    : { color: 'none', opacity: 1 };
  const sw = asset.stroke?.width ?? 0;
  const stroke = sw > 0 ? ` stroke="${asset.stroke?.color ?? '#000000'}" stroke-width="${sw}"` : '';
  const paint = ` fill="${fill.color}" fill-opacity="${fill.opacity}"${stroke}`;
  const svg = (w: number, h: number, body: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${body}</svg>`;
  switch (asset.shape) {
    case 'rectangle': {
      const { width, height, cornerRadius = 0 } = asset.rectangle!;
      return svg(
        width,
        height,
        `<rect x="${sw / 2}" y="${sw / 2}" width="${width - sw}" height="${height - sw}" rx="${cornerRadius}"${paint}/>`,
      );
    }
    case 'circle': {
      const r = asset.circle!.radius;
      return svg(2 * r, 2 * r, `<circle cx="${r}" cy="${r}" r="${Math.max(0, r - sw / 2)}"${paint}/>`);
    }
    case 'line': {
      const { length, thickness } = asset.line!;
      return svg(length, thickness, `<rect x="0" y="0" width="${length}" height="${thickness}"${paint}/>`);
    }
  }
}

/**
 * References out of the drawing (href / xlink:href that are neither data: nor #fragment) are dropped: the
 * page could not load them anyway (CSP, every request aborted), and Chromium would draw a broken-image
 * icon in their place.
 */
export function withoutExternalRefs(markup: string): string {
  return markup.replace(/\s(?:xlink:)?href\s*=\s*(["'])(.*?)\1/gis, (m, _q: string, v: string) =>
    /^\s*(data:|#)/i.test(v) ? m : '',
  );
}

/** The document that draws an svg or shape asset for one clip. */
export function vectorDocument(
  asset: SvgAsset | ShapeAsset,
  clip: Pick<Clip, 'fit' | 'scale' | 'width' | 'height'>,
  frame: Size,
): HtmlDocument {
  const markup = asset.type === 'svg' ? withoutExternalRefs(asset.src) : shapeMarkup(asset);
  const size = vectorDrawSize(svgIntrinsicSize(markup, frame), clip, frame);
  return {
    html: markup,
    // The drawing stretched to the drawn size: its aspect is the intrinsic one already.
    css: `svg{display:block;width:${size.width}px;height:${size.height}px${asset.type === 'svg' && asset.opacity !== undefined ? `;opacity:${asset.opacity}` : ''}}`,
    width: size.width,
    height: size.height,
    background: 'transparent',
    position: 'topLeft',
  };
}
