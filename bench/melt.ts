/**
 * The bench edit as an MLT XML project for melt (MLT's own command-line renderer), built from the same
 * layout as the cutline edit and the hand-written command (bench/edits.ts), with the same encoder
 * settings. The crossfade is a playlist mix (a small tractor over the overlap only, as
 * mlt_playlist_mix makes it); the picture-in-picture and the logo are affine transitions, the title a
 * pango producer composited in the middle, the soundtrack a mix transition at half volume.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { layout, TITLE_TEXT } from './edits.js';
import type { BenchMedia } from './media.js';

const run = promisify(execFile);
export const MELT = '/usr/bin/melt';

/** melt's path when it is installed (and answers), else null: the bench then says it skipped it. */
export async function meltVersion(): Promise<string | null> {
  const bin = existsSync(MELT) ? MELT : 'melt';
  try {
    const { stdout, stderr } = await run(bin, ['-version']);
    return (stdout + stderr).match(/melt\s+([\d.]+)/)?.[1] ?? 'unknown';
  } catch {
    return null;
  }
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const props = (p: Record<string, string | number>) =>
  Object.entries(p)
    .map(([k, v]) => `    <property name="${k}">${esc(String(v))}</property>`)
    .join('\n');

export function meltXml(media: BenchMedia, duration: number): string {
  const l = layout(duration);
  const { width: W, height: H, fps } = media;
  const f = (s: number) => Math.round(s * fps);
  const total = f(duration);
  const [v2In, xf] = [f(l.v2.start), f(l.crossfade)];
  const v2Len = total - v2In;
  const pipW = even(W * l.pip.scale);
  const pipH = even(H * l.pip.scale);
  const logo = even(Math.min(W, H) * l.logo.scale);
  const fontSize = Math.round(0.075 * Math.min(W, H));
  const producer = (id: string, p: Record<string, string | number>) =>
    `  <producer id="${id}">\n${props(p)}\n  </producer>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<mlt LC_NUMERIC="C" producer="main">
  <profile width="${W}" height="${H}" progressive="1" frame_rate_num="${fps}" frame_rate_den="1"
    sample_aspect_num="1" sample_aspect_den="1" display_aspect_num="${W}" display_aspect_den="${H}" colorspace="709"/>
${producer('v1', { resource: media.video1 })}
${producer('v2', { resource: media.video2 })}
${producer('pip', { resource: media.video2, audio_index: -1 })}
${producer('logo', { resource: media.logo, length: total, ttl: total })}
${producer('title', {
  mlt_service: 'pango',
  text: TITLE_TEXT,
  fgcolour: '0xffffffff',
  bgcolour: '0x00000000',
  size: fontSize,
  family: 'Open Sans',
  length: f(l.title.length),
})}
${producer('music', { resource: media.music })}
  <tractor id="crossfade" in="0" out="${xf - 1}">
    <track producer="v1" in="${v2In}" out="${v2In + xf - 1}"/>
    <track producer="v2" in="0" out="${xf - 1}"/>
    <transition mlt_service="luma" a_track="0" b_track="1" in="0" out="${xf - 1}"/>
    <transition mlt_service="mix" a_track="0" b_track="1" in="0" out="${xf - 1}" start="0" end="1"/>
  </tractor>
  <playlist id="trackA">
    <entry producer="v1" in="0" out="${v2In - 1}"/>
    <entry producer="crossfade" in="0" out="${xf - 1}"/>
    <entry producer="v2" in="${xf}" out="${v2Len - 1}"/>
  </playlist>
  <playlist id="trackPip">
    <blank length="${f(l.pip.start)}"/>
    <entry producer="pip" in="0" out="${f(l.pip.length) - 1}"/>
  </playlist>
  <playlist id="trackLogo">
    <entry producer="logo" in="0" out="${total - 1}"/>
  </playlist>
  <playlist id="trackTitle">
    <blank length="${f(l.title.start)}"/>
    <entry producer="title" in="0" out="${f(l.title.length) - 1}"/>
  </playlist>
  <playlist id="trackMusic">
    <entry producer="music" in="0" out="${total - 1}">
      <filter mlt_service="volume"><property name="gain">${l.musicVolume}</property></filter>
    </entry>
  </playlist>
  <tractor id="main" in="0" out="${total - 1}">
    <multitrack>
      <track producer="trackA"/>
      <track producer="trackPip" hide="audio"/>
      <track producer="trackLogo" hide="audio"/>
      <track producer="trackTitle" hide="audio"/>
      <track producer="trackMusic" hide="video"/>
    </multitrack>
    <transition mlt_service="affine" a_track="0" b_track="1" in="${f(l.pip.start)}" out="${f(l.pip.start + l.pip.length) - 1}">
      <property name="rect">${W - pipW} 0 ${pipW} ${pipH} 1</property>
      <property name="distort">1</property>
    </transition>
    <transition mlt_service="affine" a_track="0" b_track="2" in="0" out="${total - 1}">
      <property name="rect">0 ${H - logo} ${logo} ${logo} 1</property>
    </transition>
    <transition mlt_service="composite" a_track="0" b_track="3" in="${f(l.title.start)}" out="${f(l.title.start + l.title.length) - 1}">
      <property name="geometry">0 0 ${W} ${H}</property>
      <property name="halign">centre</property>
      <property name="valign">middle</property>
    </transition>
    <transition mlt_service="mix" a_track="0" b_track="4" in="0" out="${total - 1}">
      <property name="always_active">1</property>
      <property name="sum">1</property>
    </transition>
  </tractor>
</mlt>
`;
}

/** melt's command for the project: the same x264/AAC settings as the other sides, every core busy. */
export function meltArgs(
  xmlPath: string,
  output: string,
  x264: { preset: string; crf: number },
  fps: number,
  threads: number,
): string[] {
  return [
    '-quiet',
    xmlPath,
    '-consumer',
    `avformat:${output}`,
    'vcodec=libx264',
    `preset=${x264.preset}`,
    `crf=${x264.crf}`,
    'pix_fmt=yuv420p',
    `g=${fps * 2}`,
    'acodec=aac',
    'ab=192k',
    'ar=48000',
    'channels=2',
    'movflags=+faststart',
    // Negative: that many threads and never drop a frame (a render, not playback).
    `real_time=-${threads}`,
    `threads=${threads}`,
  ];
}
