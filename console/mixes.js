// Mixes: variations made of one clip per group, in group order (POST /v1/mixes), auto or manual.
import { h, replace } from './dom.js';
import {
  compact,
  field,
  jobForm,
  num,
  numberInput,
  reorderKeys,
  rowControls,
  select,
  srcField,
  textInput,
} from './forms.js';

const RESOLUTIONS = ['preview', 'mobile', 'sd', 'hd', '1080'];
const ASPECTS = ['16:9', '9:16', '1:1', '4:5', '4:3'];

export function mixesView(root, ctx) {
  const groups = [];
  const groupsList = h('ol', { class: 'rows groups', 'data-keep': 'groups' });

  const newClip = () => ({
    src: srcField(ctx, { label: 'Clip source', accept: 'video/*,image/*' }),
    trim: numberInput({ min: 0, placeholder: '0' }),
    length: numberInput({ min: 0, placeholder: 'whole clip' }),
  });
  const newGroup = (name) => ({ name: textInput({ value: name }), clips: [newClip()] });

  /** Moves group `i` by `by` places and keeps focus on the moved group. */
  function move(i, by) {
    const j = i + by;
    if (j < 0 || j >= groups.length) return;
    [groups[i], groups[j]] = [groups[j], groups[i]];
    draw();
    groupsList.children[j]?.focus();
    form.refresh();
  }

  function draw() {
    replace(
      groupsList,
      groups.map((g, gi) => {
        const label = `group ${gi + 1}`;
        g.name.dataset.path = `groups[${gi}].name`;
        const clips = h(
          'ol',
          { class: 'rows', 'data-keep': `groups[${gi}].clips` },
          g.clips.map((c, ci) => {
            const at = `groups[${gi}].clips[${ci}]`;
            const clipLabel = `${label} clip ${ci + 1}`;
            c.src.input.dataset.path = `${at}.src`;
            c.src.element.querySelector('label').textContent = `Source, ${clipLabel}`;
            c.src.element.querySelector('.src-upload label').textContent =
              `or upload a file for ${clipLabel}`;
            c.src.element
              .querySelector('.src-upload button')
              .setAttribute('aria-label', `Upload ${clipLabel}`);
            return h(
              'li',
              { class: 'row', 'data-path': at },
              h(
                'div',
                { class: 'row-fields' },
                c.src.element,
                field(`Trim (s), ${clipLabel}`, c.trim, { path: `${at}.trim` }),
                field(`Length (s), ${clipLabel}`, c.length, { path: `${at}.length` }),
              ),
              rowControls(clipLabel, {
                remove:
                  g.clips.length > 1
                    ? () => {
                        g.clips.splice(ci, 1);
                        draw();
                        form.refresh();
                      }
                    : undefined,
              }),
            );
          }),
        );
        const li = h(
          'li',
          {
            class: 'group',
            tabindex: 0,
            'data-path': `groups[${gi}]`,
            'aria-label': `${label}: ${g.name.value || 'unnamed'} (Alt+Arrow up/down moves it)`,
          },
          h(
            'fieldset',
            {},
            h('legend', {}, `Group ${gi + 1}`),
            h(
              'div',
              { class: 'row' },
              h('div', { class: 'row-fields' }, field(`Name, ${label}`, g.name)),
              rowControls(label, {
                up: gi > 0 ? () => move(gi, -1) : undefined,
                down: gi < groups.length - 1 ? () => move(gi, 1) : undefined,
                remove:
                  groups.length > 1
                    ? () => {
                        groups.splice(gi, 1);
                        draw();
                        form.refresh();
                      }
                    : undefined,
              }),
            ),
            clips,
            h(
              'button',
              {
                type: 'button',
                'data-add-row': `groups[${gi}].clips`,
                onclick: () => {
                  g.clips.push(newClip());
                  draw();
                  g.clips.at(-1).src.input.focus();
                  form.refresh();
                },
              },
              `Add a clip to ${label}`,
            ),
          ),
        );
        reorderKeys(li, { up: () => move(gi, -1), down: () => move(gi, 1) });
        return li;
      }),
    );
  }
  groups.push(newGroup('intro'), newGroup('outro'));
  draw();

  const mode = select(
    [
      ['auto', 'Automatic: count variations drawn with a seed'],
      ['manual', 'Manual: I list the sequences'],
    ],
    { value: 'auto' },
  );
  const count = numberInput({ min: 1, step: 1, value: 2 });
  const seed = numberInput({ step: 1, placeholder: 'random' });
  const autoBox = h(
    'div',
    { class: 'row-fields' },
    field('Variations', count, { path: 'count' }),
    field('Seed', seed, { path: 'seed', help: 'The same seed draws the same variations.' }),
  );
  const sequences = h('textarea', { rows: 4, class: 'code', spellcheck: 'false', placeholder: '0,1\n1,0' });
  const manualBox = h(
    'div',
    { hidden: true },
    field('Sequences', sequences, {
      path: 'sequences',
      help: 'One variation per line: the clip index (from 0) to use from each group, in group order, separated by commas.',
    }),
  );
  mode.addEventListener('change', () => {
    autoBox.hidden = mode.value !== 'auto';
    manualBox.hidden = mode.value !== 'manual';
  });
  const crossfade = numberInput({ min: 0, max: 5, value: 0 });
  const soundtrack = srcField(ctx, { label: 'Soundtrack', path: 'soundtrack.src', accept: 'audio/*' });
  const volume = numberInput({ min: 0, max: 10, placeholder: '1' });
  const resolution = select(
    RESOLUTIONS.map((r) => [r, r]),
    { value: 'preview' },
  );
  const aspect = select(
    ASPECTS.map((r) => [r, r]),
    { value: '16:9' },
  );

  function build() {
    const manual = mode.value === 'manual';
    const soundSrc = soundtrack.input.value.trim();
    return compact({
      groups: groups.map((g) => ({
        name: g.name.value.trim(),
        clips: g.clips.map((c) => {
          const src = c.src.input.value.trim();
          const trim = num(c.trim);
          const length = num(c.length);
          return trim === undefined && length === undefined ? src : compact({ src, trim, length });
        }),
      })),
      mode: mode.value,
      ...(manual
        ? {
            sequences: sequences.value
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean)
              .map((l) => l.split(/[\s,]+/).map(Number)),
          }
        : { count: num(count), seed: num(seed) }),
      crossfade: num(crossfade) || undefined,
      soundtrack: soundSrc ? compact({ src: soundSrc, volume: num(volume) }) : undefined,
      output: { resolution: resolution.value, aspectRatio: aspect.value },
    });
  }

  const form = jobForm(ctx, {
    type: 'mix',
    endpoint: '/v1/mixes',
    noun: 'mix',
    submitLabel: 'Make the mix',
    build,
    fields: [
      h(
        'fieldset',
        { 'data-path': 'groups' },
        h('legend', {}, 'Groups (each variation takes one clip from every group, in this order)'),
        groupsList,
        h(
          'button',
          {
            type: 'button',
            'data-add-row': 'groups',
            onclick: () => {
              groups.push(newGroup(`group ${groups.length + 1}`));
              draw();
              groups.at(-1).name.focus();
              form.refresh();
            },
          },
          'Add a group',
        ),
      ),
      field('Variations from', mode, { path: 'mode' }),
      autoBox,
      manualBox,
      field('Crossfade between clips (s)', crossfade, { path: 'crossfade' }),
      soundtrack.element,
      field('Soundtrack volume', volume, { path: 'soundtrack.volume' }),
      h(
        'div',
        { class: 'row-fields' },
        field('Resolution', resolution, { path: 'output.resolution' }),
        field('Aspect ratio', aspect, { path: 'output.aspectRatio' }),
      ),
    ],
  });

  replace(
    root,
    h('h1', { tabindex: -1 }, 'New mix'),
    h(
      'p',
      { class: 'muted' },
      'Variations of a video from groups of interchangeable clips (hooks, bodies, calls to action…). Every change is checked by the API.',
    ),
    form.element,
  );
  return () => form.dispose();
}
