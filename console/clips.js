// Clips: cut a long source into short clips per aspect ratio (POST /v1/clips), explicit ranges or auto.
import { h, replace } from './dom.js';
import {
  compact,
  field,
  jobForm,
  num,
  numberInput,
  rowControls,
  select,
  srcField,
  textInput,
  uid,
} from './forms.js';

const RATIOS = ['9:16', '1:1', '4:5', '16:9'];
const RESOLUTIONS = ['preview', 'mobile', 'sd', 'hd', '1080'];

/**
 * Whether this deployment transcribes: a validate that asks for it is refused NOT_SUPPORTED at
 * captions.transcribe where it cannot (the request is otherwise valid up to its sources).
 */
async function transcription(ctx) {
  const probe = {
    src: 'uploads/probe.mp4',
    mode: 'auto',
    count: 1,
    length: 5,
    captions: { transcribe: true },
  };
  try {
    await ctx.api().call('POST', '/v1/validate?type=clips', probe);
    return { available: true };
  } catch (err) {
    const refused =
      err.code === 'NOT_SUPPORTED' && err.details?.some((d) => d.path === 'captions.transcribe');
    return refused ? { available: false, message: err.message } : { available: true };
  }
}

/**
 * A frame of the source with the caption file drawn in the chosen style, by the render compiler itself
 * (POST /v1/preview of a small edit: the source under a caption asset, in the first aspect ratio). The
 * clips job places captions in its own safe area, so their height may differ a little.
 */
function captionPreview(ctx, current) {
  const at = numberInput({ min: 0, value: 1 });
  const image = h('img', { class: 'caption-frame', alt: 'No caption preview yet', hidden: true });
  const note = h('p', { class: 'small muted', role: 'status' });
  const button = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        const { src, captions, style, ratio } = current();
        const t = num(at) ?? 0;
        if (!src || !captions)
          return void (note.textContent = 'Give the source video and the caption file first.');
        const edit = {
          timeline: {
            tracks: [
              { clips: [{ asset: { type: 'caption', src: captions, style }, start: 0, length: t + 1 }] },
              { clips: [{ asset: { type: 'video', src }, start: 0, length: t + 1, fit: 'crop' }] },
            ],
          },
          output: { format: 'mp4', resolution: 'preview', aspectRatio: ratio },
        };
        button.disabled = true;
        note.textContent = 'Drawing the frame…';
        try {
          const r = await ctx.api().call('POST', '/v1/preview', { edit, at: t, width: 320 });
          image.src = `data:${r.contentType};base64,${r.image}`;
          image.alt = `The source at ${t} s with ${style} captions, ${ratio}`;
          image.dataset.at = String(t);
          image.dataset.style = style;
          image.hidden = false;
          note.textContent = `${style} captions at ${t} s of the source, ${ratio}.`;
        } catch (err) {
          // The preview edit's paths (edit.timeline…) are not the form's: the message says what is wrong.
          note.textContent = `No preview: ${err.code}: ${err.message}`;
        } finally {
          button.disabled = false;
        }
      },
    },
    'Preview the caption style',
  );
  return h(
    'div',
    { class: 'caption-preview' },
    h('div', { class: 'toolbar' }, field('Preview at (s of the source)', at), button),
    image,
    note,
  );
}

export function clipsView(root, ctx) {
  const source = srcField(ctx, { label: 'Source video', path: 'src', required: true });
  const mode = select(
    [
      ['manual', 'Explicit ranges'],
      ['auto', 'Automatic (pick the best moments)'],
    ],
    { value: 'manual' },
  );

  // Explicit ranges: rows of start / end / title.
  const rangesList = h('ol', { class: 'rows', 'data-keep': 'clips' });
  const ranges = [];
  function drawRanges() {
    replace(
      rangesList,
      ranges.map((r, i) => {
        const label = `clip ${i + 1}`;
        r.start.dataset.path = `clips[${i}].start`;
        r.end.dataset.path = `clips[${i}].end`;
        r.title.dataset.path = `clips[${i}].title`;
        return h(
          'li',
          { class: 'row', 'data-path': `clips[${i}]`, tabindex: -1 },
          h(
            'div',
            { class: 'row-fields' },
            field(`Start (s), ${label}`, r.start),
            field(`End (s), ${label}`, r.end),
            field(`Title, ${label}`, r.title),
          ),
          rowControls(label, {
            remove: () => {
              ranges.splice(i, 1);
              drawRanges();
              form.refresh();
            },
          }),
        );
      }),
    );
  }
  function addRange(start = '', end = '') {
    ranges.push({
      start: numberInput({ min: 0, value: start }),
      end: numberInput({ min: 0, value: end }),
      title: textInput({ placeholder: 'optional' }),
    });
    drawRanges();
  }
  addRange(0, 1);
  const addButton = h(
    'button',
    {
      type: 'button',
      'data-add-row': 'clips',
      onclick: () => {
        addRange();
        ranges.at(-1).start.focus();
        form.refresh();
      },
    },
    'Add a clip',
  );
  const manualBox = h(
    'fieldset',
    { 'data-path': 'clips' },
    h('legend', {}, 'Clips (seconds of the source)'),
    rangesList,
    addButton,
  );

  const count = numberInput({ min: 1, max: 20, step: 1, value: 3 });
  const length = numberInput({ min: 1, max: 180, value: 15 });
  const autoBox = h(
    'fieldset',
    { hidden: true },
    h('legend', {}, 'Automatic'),
    field('How many clips', count, { path: 'count' }),
    field('Length of each clip (s)', length, { path: 'length' }),
  );
  mode.addEventListener('change', () => {
    manualBox.hidden = mode.value !== 'manual';
    autoBox.hidden = mode.value !== 'auto';
  });

  const ratioBoxes = RATIOS.map((r) =>
    h('input', { type: 'checkbox', id: uid('ratio'), value: r, checked: r === '9:16' }),
  );
  const ratios = h(
    'fieldset',
    { class: 'checks', 'data-path': 'aspectRatios', tabindex: -1 },
    h('legend', {}, 'Aspect ratios'),
    ratioBoxes.map((b) => h('span', { class: 'check' }, b, h('label', { for: b.id }, b.value))),
  );

  const reframe = select(
    [
      ['center', 'Center'],
      ['focus', 'A fixed point'],
      ['auto', 'Follow the motion'],
      ['face', 'Follow the faces'],
    ],
    { value: 'center' },
  );
  const fx = numberInput({ min: 0, max: 1, value: 0.5 });
  const fy = numberInput({ min: 0, max: 1, value: 0.5 });
  const focusBox = h(
    'div',
    { class: 'row-fields', hidden: true },
    field('Focus x (0 left – 1 right)', fx, { path: 'reframe.focus' }),
    field('Focus y (0 top – 1 bottom)', fy),
  );
  reframe.addEventListener('change', () => (focusBox.hidden = reframe.value !== 'focus'));
  const fit = select(
    [
      ['crop', 'Crop to fill the frame'],
      ['contain', 'Show the whole picture (bars)'],
    ],
    { value: 'crop' },
  );

  const captionMode = select(
    [
      ['none', 'No captions'],
      ['file', 'From a caption file'],
      ['transcribe', 'Transcribe the speech'],
    ],
    { value: 'none' },
  );
  const transcribeNote = h('p', { class: 'small muted', role: 'status' });
  const captionSrc = srcField(ctx, {
    label: 'Caption file (SRT, VTT or transcript JSON)',
    path: 'captions.src',
    accept: '.srt,.vtt,.json',
  });
  const style = select(
    [
      ['clean', 'Clean'],
      ['boldOutline', 'Bold outline'],
      ['wordHighlight', 'Word highlight'],
    ],
    { value: 'clean' },
  );
  const preview = captionPreview(ctx, () => ({
    src: source.input.value.trim(),
    captions: captionSrc.input.value.trim(),
    style: style.value,
    ratio: ratioBoxes.find((b) => b.checked)?.value ?? '9:16',
  }));
  const captionBox = h(
    'div',
    { hidden: true },
    captionSrc.element,
    field('Caption style', style, { path: 'captions.style' }),
    preview,
  );
  captionMode.addEventListener('change', () => {
    captionBox.hidden = captionMode.value === 'none';
    captionSrc.element.hidden = captionMode.value !== 'file';
  });
  void transcription(ctx).then((t) => {
    const option = captionMode.querySelector('option[value="transcribe"]');
    option.disabled = !t.available;
    // What the probe found, for tests and styles: the option's state is settled from here on.
    captionMode.dataset.transcription = t.available ? 'available' : 'unavailable';
    if (!t.available) {
      option.textContent = 'Transcribe the speech (not available here)';
      transcribeNote.textContent = `Transcription is not available in this deployment: ${t.message}`;
    }
  });

  const resolution = select(
    RESOLUTIONS.map((r) => [r, r]),
    { value: 'preview' },
  );

  function build() {
    const auto = mode.value === 'auto';
    const cap = captionMode.value;
    return compact({
      src: source.input.value.trim(),
      mode: mode.value,
      ...(auto
        ? { count: num(count), length: num(length) }
        : {
            clips: ranges.map((r) =>
              compact({ start: num(r.start), end: num(r.end), title: r.title.value.trim() || undefined }),
            ),
          }),
      aspectRatios: ratioBoxes.filter((b) => b.checked).map((b) => b.value),
      reframe:
        reframe.value === 'focus'
          ? { mode: 'focus', focus: { x: num(fx), y: num(fy) } }
          : { mode: reframe.value },
      fit: fit.value,
      captions:
        cap === 'none'
          ? undefined
          : compact({
              ...(cap === 'file' ? { src: captionSrc.input.value.trim() } : { transcribe: true }),
              style: style.value,
            }),
      output: { resolution: resolution.value },
    });
  }

  const form = jobForm(ctx, {
    type: 'clips',
    endpoint: '/v1/clips',
    noun: 'clips request',
    submitLabel: 'Make clips',
    build,
    fields: [
      source.element,
      field('Which parts', mode, { path: 'mode' }),
      manualBox,
      autoBox,
      ratios,
      field('Reframe', reframe, { path: 'reframe.mode' }),
      focusBox,
      field('Fit', fit, { path: 'fit' }),
      field('Captions', captionMode, { path: 'captions' }),
      transcribeNote,
      captionBox,
      field('Resolution (of the 16:9 frame; others keep its short side)', resolution, {
        path: 'output.resolution',
      }),
    ],
  });

  replace(
    root,
    h('h1', { tabindex: -1 }, 'New clips'),
    h(
      'p',
      { class: 'muted' },
      'Cut short clips out of a long video, one file per clip and aspect ratio. Every change is checked by the API.',
    ),
    form.element,
  );
  return () => form.dispose();
}
