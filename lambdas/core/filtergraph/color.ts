/** `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa` or `transparent` → ffmpeg's `0xRRGGBB@alpha`, with an extra opacity factor. */
export function ffColor(color: string, opacity = 1): string {
  if (color === 'transparent') return '0x000000@0';
  let h = color.slice(1);
  if (h.length === 3 || h.length === 4) h = [...h].map((c) => c + c).join('');
  const rgb = h.slice(0, 6).toLowerCase();
  const alpha = (h.length === 8 ? parseInt(h.slice(6, 8), 16) / 255 : 1) * opacity;
  return `0x${rgb}@${Math.round(Math.min(1, Math.max(0, alpha)) * 1000) / 1000}`;
}
