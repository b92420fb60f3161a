// The edit's timeline, drawn from its JSON: tracks as rows (the first track on top, as it is drawn over
// the others), clips as bars by start and length, transitions marked. Selecting a clip opens its
// properties; dragging a bar moves it, dragging its right edge trims it (arrow keys do the same, with
// Alt to trim); every change is written back into the JSON. A playhead asks the server for the frame at
// that time (POST /v1/preview), drawn by the render compiler itself.
import { h, replace } from './dom.js';
import { clipLabel, displaySpan, moveClip, timelineSpan, trimClip } from './timeline-model.js';

const PREVIEW_DELAY_MS = 300;

export function createTimeline({ api, editor }) {
  const rows = h('div', { class: 'tl-rows', role: 'group', 'aria-label': 'Tracks' });
  const playhead = h('div', { class: 'tl-playhead', 'aria-hidden': 'true' });
  const lanes = h('div', { class: 'tl-lanes' }, rows, playhead);
  const slider = h('input', {
    type: 'range',
    id: 'tl-playhead',
    min: 0,
    max: 1,
    step: 0.04,
    value: 0,
    'aria-describedby': 'tl-time',
  });
  const time = h('output', { id: 'tl-time', for: 'tl-playhead', class: 'mono' }, '0.00 s');
  const props = h('div', { class: 'tl-props', 'aria-live': 'polite' });
  const image = h('img', { class: 'tl-frame', alt: 'No preview yet', width: 480, height: 270, hidden: true });
  const frameNote = h('p', { class: 'small muted', role: 'status', id: 'tl-frame-status' });
  const note = h('p', { class: 'small muted' });
  const element = h(
    'section',
    { class: 'panel timeline', 'aria-labelledby': 'tl-h' },
    h('h2', { id: 'tl-h' }, 'Timeline and preview'),
    note,
    lanes,
    h('div', { class: 'toolbar' }, h('label', { for: 'tl-playhead' }, 'Playhead'), slider, time),
    h('figure', { class: 'tl-preview' }, image, h('figcaption', {}, frameNote)),
    props,
  );

  let edit;
  let selected;
  let span = 1;
  let timer;
  let seq = 0;

  // The JSON is the one truth: a change is written into it, and the editor validates it as it does typing.
  const write = () => {
    editor.area.value = JSON.stringify(edit, null, 2);
    editor.area.dispatchEvent(new Event('input'));
    refresh();
  };

  function refresh() {
    try {
      edit = JSON.parse(editor.text());
    } catch {
      edit = undefined;
    }
    const tracks = edit?.timeline?.tracks;
    if (!Array.isArray(tracks)) {
      replace(rows);
      note.textContent = 'The timeline appears once the edit is JSON with timeline.tracks.';
      return;
    }
    note.textContent =
      'Select a clip to edit it. Drag a bar to move it, its right edge to trim it; with the keyboard, arrows move (Shift: 1 s) and Alt+arrows trim.';
    span = timelineSpan(edit);
    slider.max = String(span);
    replace(
      rows,
      tracks.map((track, t) =>
        h(
          'div',
          { class: 'tl-track' },
          h('span', { class: 'tl-track-label small' }, `Track ${t + 1}`),
          h(
            'div',
            { class: 'tl-lane' },
            (Array.isArray(track?.clips) ? track.clips : []).map((clip, c) => bar(clip, t, c)),
          ),
        ),
      ),
    );
    movePlayhead();
    if (selected) showProps();
    schedulePreview();
  }

  function bar(clip, t, c) {
    const { start, length, exact } = displaySpan(clip, edit);
    const el = h(
      'button',
      {
        type: 'button',
        class: `tl-clip tl-${clip?.asset?.type ?? 'unknown'}${exact ? '' : ' tl-inexact'}${
          selected && selected.t === t && selected.c === c ? ' tl-selected' : ''
        }`,
        'aria-label': `Track ${t + 1}, clip ${c + 1}: ${clipLabel(clip)}, start ${start} s, length ${
          exact ? `${length} s` : String(clip?.length)
        }`,
        'aria-pressed': String(!!selected && selected.t === t && selected.c === c),
        onclick: () => select(t, c),
        onkeydown: (e) => keyMove(e, t, c),
      },
      clip?.transition?.in
        ? h('span', { class: 'tl-tr tl-tr-in', title: `in: ${clip.transition.in}` })
        : null,
      h('span', { class: 'tl-clip-text' }, clipLabel(clip)),
      clip?.transition?.out
        ? h('span', { class: 'tl-tr tl-tr-out', title: `out: ${clip.transition.out}` })
        : null,
      h('span', { class: 'tl-handle', 'aria-hidden': 'true' }),
    );
    // CSSOM, not a style attribute: the console's CSP allows no inline styles.
    el.style.left = `${(start / span) * 100}%`;
    el.style.width = `${Math.max(0.5, (length / span) * 100)}%`;
    el.addEventListener('pointerdown', (e) => drag(e, el, t, c));
    return el;
  }

  function select(t, c) {
    selected = { t, c };
    refresh();
    showProps();
  }

  function clipAt(t, c) {
    return edit?.timeline?.tracks?.[t]?.clips?.[c];
  }

  function showProps() {
    const clip = clipAt(selected.t, selected.c);
    if (!clip) return void replace(props);
    const field = (name, value, apply, type = 'text') => {
      const id = `tl-prop-${name.replace(/\W/g, '-')}`;
      return h(
        'div',
        { class: 'field' },
        h('label', { for: id }, name),
        h('input', {
          id,
          type,
          step: type === 'number' ? 'any' : null,
          value: value ?? '',
          onchange: (e) => {
            const raw = e.target.value;
            apply(type === 'number' && raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw);
            write();
          },
        }),
      );
    };
    const asText = (v) => (typeof v === 'number' ? String(v) : (v ?? ''));
    const num = (v) => (v === '' ? undefined : Number.isNaN(Number(v)) ? v : Number(v));
    const a = clip.asset ?? {};
    replace(
      props,
      h('h3', {}, `Track ${selected.t + 1}, clip ${selected.c + 1} (${a.type ?? 'no asset'})`),
      h(
        'form',
        { class: 'tl-form', onsubmit: (e) => e.preventDefault() },
        field('start', asText(clip.start), (v) => (clip.start = num(v))),
        field('length', asText(clip.length), (v) => (clip.length = num(v))),
        'src' in a ? field('asset.src', a.src, (v) => (a.src = v)) : null,
        'text' in a ? field('asset.text', a.text, (v) => (a.text = v)) : null,
        field('position', clip.position, (v) => (v ? (clip.position = v) : delete clip.position)),
        field(
          'scale',
          asText(clip.scale),
          (v) => (v === '' ? delete clip.scale : (clip.scale = num(v))),
          'number',
        ),
        field(
          'opacity',
          asText(clip.opacity),
          (v) => (v === '' ? delete clip.opacity : (clip.opacity = num(v))),
          'number',
        ),
      ),
    );
  }

  function keyMove(e, t, c) {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const clip = clipAt(t, c);
    if (!clip) return;
    e.preventDefault();
    const step = (e.shiftKey ? 1 : 0.1) * (e.key === 'ArrowLeft' ? -1 : 1);
    if (e.altKey ? trimClip(clip, step) : moveClip(clip, step)) {
      selected = { t, c };
      write();
      // The bars are drawn anew: keep the keyboard on the same clip.
      rows.querySelectorAll('.tl-track')[t]?.querySelectorAll('.tl-clip')[c]?.focus();
    }
  }

  function drag(e, el, t, c) {
    if (e.button !== 0) return;
    const clip = clipAt(t, c);
    if (!clip || typeof clip.start !== 'number') return;
    const trimming = e.target.classList.contains('tl-handle');
    const lane = el.parentElement.getBoundingClientRect();
    const x0 = e.clientX;
    const origin = { start: clip.start, length: clip.length };
    let moved = false;
    el.setPointerCapture(e.pointerId);
    const onMove = (ev) => {
      const ds = Math.round((((ev.clientX - x0) / lane.width) * span) / 0.04) * 0.04;
      if (Math.abs(ev.clientX - x0) < 3 && !moved) return;
      moved = true;
      clip.start = origin.start;
      clip.length = origin.length;
      if (trimming ? trimClip(clip, ds) : moveClip(clip, ds)) {
        const shown = displaySpan(clip, edit);
        el.style.left = `${(shown.start / span) * 100}%`;
        el.style.width = `${Math.max(0.5, (shown.length / span) * 100)}%`;
      }
    };
    const onUp = () => {
      el.removeEventListener('pointermove', onMove);
      el.removeEventListener('pointerup', onUp);
      if (moved) {
        selected = { t, c };
        write();
      }
    };
    el.addEventListener('pointermove', onMove);
    el.addEventListener('pointerup', onUp);
  }

  function movePlayhead() {
    const at = Number(slider.value);
    time.textContent = `${at.toFixed(2)} s`;
    // The lanes start after the 4.5 rem track labels and their 0.5 rem gap.
    playhead.style.left = `calc(5rem + (100% - 5rem) * ${Math.min(at, span) / span})`;
  }

  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(() => void preview(), PREVIEW_DELAY_MS);
  }

  async function preview() {
    if (!edit?.timeline) return;
    const mine = ++seq;
    const at = Number(slider.value);
    frameNote.textContent = `Drawing the frame at ${at.toFixed(2)} s…`;
    const width = Math.min(640, Math.max(160, Math.round(element.clientWidth - 32) || 480));
    try {
      const r = await api().call('POST', '/v1/preview', { edit, at, width });
      if (mine !== seq) return;
      image.src = `data:${r.contentType};base64,${r.image}`;
      image.width = r.width;
      image.height = r.height;
      image.alt = `The frame at ${r.at.toFixed(2)} s, as the render draws it`;
      image.hidden = false;
      image.dataset.at = String(r.at);
      frameNote.textContent = `Frame at ${r.at.toFixed(2)} s of ${r.duration.toFixed(2)} s, drawn by the renderer.`;
      if (r.duration > 0 && Math.abs(r.duration - span) > 0.01) {
        span = r.duration;
        slider.max = String(span);
      }
    } catch (err) {
      if (mine !== seq) return;
      frameNote.textContent = `No preview: ${err.code}: ${err.details?.[0]?.path ? `${err.details[0].path}: ` : ''}${
        err.details?.[0]?.message ?? err.message
      }`;
    }
  }

  slider.addEventListener('input', () => {
    movePlayhead();
    schedulePreview();
  });
  editor.area.addEventListener('input', () => {
    clearTimeout(refresh.timer);
    refresh.timer = setTimeout(refresh, 400);
  });
  refresh();

  return {
    element,
    refresh,
    dispose: () => {
      clearTimeout(timer);
      clearTimeout(refresh.timer);
    },
  };
}
