// Projects: scene projects (music videos, ad creatives) — the list, create, scenes (add, replace, reorder,
// remove), compose, and the final video. Every change goes through the API, which answers the project.
import { confirmDialog } from './dialog.js';
import { announce, clearOnInput, formatTime, h, replace, statusBadge, tableWrap } from './dom.js';
import {
  compact,
  field,
  num,
  numberInput,
  reorderKeys,
  rowControls,
  select,
  showProblems,
  srcField,
  textInput,
} from './forms.js';

const PROJECT_STATUSES = ['draft', 'composing', 'composed', 'failed'];
const MODES = [
  ['custom', 'Custom'],
  ['music-video', 'Music video'],
  ['ad-creative', 'Ad creative'],
];
const SOURCES = [
  ['title', 'Title card'],
  ['upload', 'My clip'],
  ['image', 'Picture (Ken Burns)'],
  ['voiceover', 'Voice-over'],
  ['generate', 'Generated from a prompt (AI)'],
];
const RESOLUTIONS = ['preview', 'mobile', 'sd', 'hd', '1080'];
const POLL_MS = 1500;

/** Shows an API error: its problems with paths (buttons to the fields of `form`) or its message. */
function showError(status, err, form, strip = '') {
  if (err.details?.length)
    showProblems(
      status,
      err.details.map((d) => ({ ...d, path: (d.path ?? '').replace(strip, '') })),
      err.code,
      form,
    );
  else replace(status, h('p', { class: 'bad' }, `${err.code}: ${err.message}`));
}

const textArea = (attrs = {}) => h('textarea', { rows: 3, ...attrs });

export function projectListView(root, ctx) {
  const wanted = (ctx.query.get('status') ?? '').toLowerCase();
  const filter = select([['', 'All'], ...PROJECT_STATUSES.map((s) => [s, s])], {
    value: wanted,
    id: 'project-status',
    onchange: (e) => ctx.navigate(e.target.value ? `#/projects?status=${e.target.value}` : '#/projects'),
  });
  const tbody = h('tbody');
  const empty = h('p', { class: 'muted', hidden: true });
  const error = h('p', { class: 'bad', role: 'alert', hidden: true });
  const more = h('button', { type: 'button', hidden: true, onclick: () => void load() }, 'Load more');
  let cursor;
  let shown = 0;

  // The list answers pages of projects; the status (of the last compose) is filtered here, page by page,
  // and "Load more" stays while the API has more.
  async function load() {
    const q = new URLSearchParams({ limit: '100' });
    if (cursor) q.set('cursor', cursor);
    try {
      const page = await ctx.api().call('GET', `/v1/projects?${q}`);
      cursor = page.cursor;
      for (const p of page.projects ?? []) {
        if (wanted && p.status !== wanted) continue;
        shown++;
        tbody.append(
          h(
            'tr',
            { 'data-id': p.id, 'data-status': p.status },
            h(
              'td',
              { 'data-label': 'Project' },
              h('a', { href: `#/projects/${p.id}` }, p.name ?? p.id.slice(0, 8)),
            ),
            h('td', { 'data-label': 'Mode' }, p.mode),
            h('td', { 'data-label': 'Status' }, statusBadge(p.status)),
            h(
              'td',
              { 'data-label': 'Scenes' },
              `${p.completedScenes}/${p.sceneCount} ready${p.failedScenes ? `, ${p.failedScenes} failed` : ''}`,
            ),
            h('td', { 'data-label': 'Updated' }, formatTime(p.updatedAt)),
          ),
        );
      }
      more.hidden = !cursor;
      empty.hidden = shown > 0;
      empty.textContent = wanted ? `No ${wanted} projects.` : 'No projects yet: create one below.';
    } catch (err) {
      ctx.onError(err, error);
    }
  }

  replace(
    root,
    h('h1', { tabindex: -1 }, 'Projects'),
    h(
      'p',
      { class: 'muted' },
      'A project is a list of scenes (your clips, pictures, title cards, voice-overs) composed into one video.',
    ),
    h('div', { class: 'toolbar' }, h('label', { for: 'project-status' }, 'Status'), filter),
    error,
    h(
      'div',
      tableWrap('Projects table'),
      h(
        'table',
        { class: 'jobs projects' },
        h('caption', { class: 'visually-hidden' }, `Projects${wanted ? ` with status ${wanted}` : ''}`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Project', 'Mode', 'Status', 'Scenes', 'Updated'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        tbody,
      ),
    ),
    empty,
    more,
    createForm(ctx),
  );
  void load();
  return () => {};
}

function createForm(ctx) {
  const name = textInput({ placeholder: 'optional' });
  const mode = select(MODES, { value: 'custom' });
  const prompt = textArea();
  const subject = textInput({ placeholder: 'the character or product the scenes are about' });
  const audio = srcField(ctx, { label: 'Backing track', path: 'audio.src', accept: 'audio/*' });
  const refs = [];
  const refList = h('ol', { class: 'rows', 'data-keep': 'referenceImages' });
  const drawRefs = () =>
    replace(
      refList,
      refs.map((r, i) => {
        r.input.dataset.path = `referenceImages[${i}]`;
        r.element.querySelector('label').textContent = `Reference image ${i + 1}`;
        return h(
          'li',
          { class: 'row' },
          h('div', { class: 'row-fields' }, r.element),
          rowControls(`reference image ${i + 1}`, {
            remove: () => {
              refs.splice(i, 1);
              drawRefs();
            },
          }),
        );
      }),
    );
  const resolution = select(
    RESOLUTIONS.map((r) => [r, r]),
    { value: 'preview' },
  );
  const status = h('div', { class: 'validation', role: 'status', 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'project-form',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        const images = refs.map((r) => r.input.value.trim()).filter(Boolean);
        const body = compact({
          name: name.value.trim(),
          mode: mode.value,
          prompt: prompt.value.trim(),
          subject: subject.value.trim(),
          audio: audio.input.value.trim() ? { src: audio.input.value.trim() } : undefined,
          referenceImages: images.length ? images : undefined,
          output: { resolution: resolution.value },
        });
        replace(status, h('p', { class: 'muted' }, 'Creating…'));
        try {
          const p = await ctx.api().call('POST', '/v1/projects', body);
          ctx.navigate(`#/projects/${p.id}`);
        } catch (err) {
          showError(status, err, form);
        }
      },
    },
    field('Name', name, { path: 'name' }),
    field('Mode', mode, { path: 'mode' }),
    field('Prompt', prompt, {
      path: 'prompt',
      help: 'What the video is about, for AI planning where it is offered.',
    }),
    field('Subject', subject, { path: 'subject' }),
    audio.element,
    h(
      'fieldset',
      { 'data-path': 'referenceImages' },
      h('legend', {}, 'Reference images'),
      refList,
      h(
        'button',
        {
          type: 'button',
          'data-add-row': 'referenceImages',
          onclick: () => {
            refs.push(srcField(ctx, { label: 'Reference image', accept: 'image/*' }));
            drawRefs();
            refs.at(-1).input.focus();
          },
        },
        'Add a reference image',
      ),
    ),
    field('Resolution', resolution, { path: 'output.resolution' }),
    status,
    h('button', { type: 'submit', class: 'primary' }, 'Create project'),
  );
  clearOnInput(form, status);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'new-project-h' },
    h('h2', { id: 'new-project-h' }, 'New project'),
    form,
  );
}

/** The scene form: its fields follow the source; `onSubmit(body)` adds or replaces a scene. */
function sceneForm(ctx, { title, submitLabel, onSubmit, onCancel }) {
  const source = select(SOURCES, { value: 'title' });
  const media = srcField(ctx, { label: 'Media', path: 'src', accept: 'video/*,image/*' });
  const image = srcField(ctx, { label: 'Picture behind the voice', path: 'image', accept: 'image/*' });
  const text = textArea({ rows: 2 });
  const voice = textInput({ placeholder: 'en-us' });
  const promptBox = textArea({ rows: 2 });
  const caption = textInput({ placeholder: 'optional' });
  const length = numberInput({ min: 0.1, placeholder: 'default' });
  const trim = numberInput({ min: 0, placeholder: '0' });
  const fit = select(
    [
      ['', 'default (crop)'],
      ['crop', 'crop'],
      ['contain', 'contain'],
    ],
    { value: '' },
  );
  const parts = {
    media: media.element,
    image: image.element,
    text: field('Text', text, { path: 'text' }),
    voice: field('Voice', voice, { path: 'voice' }),
    prompt: field('Prompt', promptBox, { path: 'prompt' }),
    caption: field('Caption', caption, { path: 'caption' }),
    trim: field('Trim (s)', trim, { path: 'trim' }),
    fit: field('Fit', fit, { path: 'fit' }),
  };
  const uses = {
    title: ['text'],
    upload: ['media', 'trim', 'fit'],
    image: ['media', 'caption', 'fit'],
    voiceover: ['text', 'voice', 'image'],
    generate: ['prompt', 'fit'],
  };
  const show = () => {
    for (const [k, el] of Object.entries(parts)) el.hidden = !uses[source.value].includes(k);
  };
  source.addEventListener('change', show);
  show();
  const status = h('div', { class: 'validation', role: 'status', 'aria-live': 'polite' });

  function build() {
    const s = source.value;
    const v = (el) => el.value.trim() || undefined;
    const common = { source: s, length: num(length) };
    if (s === 'title') return compact({ ...common, text: v(text) });
    if (s === 'upload') return compact({ ...common, src: v(media.input), trim: num(trim), fit: v(fit) });
    if (s === 'image') return compact({ ...common, src: v(media.input), caption: v(caption), fit: v(fit) });
    if (s === 'voiceover')
      return compact({ ...common, text: v(text), voice: v(voice), image: v(image.input) });
    return compact({ ...common, prompt: v(promptBox), fit: v(fit) });
  }

  const form = h(
    'form',
    {
      class: 'scene-form',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        replace(status, h('p', { class: 'muted' }, 'Saving…'));
        try {
          await onSubmit(build());
          replace(status);
        } catch (err) {
          // The API names a scene's fields `scene.src` when it checks the sources; the form's are `src`.
          showError(status, err, form, /^scene\./);
        }
      },
    },
    field('Scene source', source, { path: 'source' }),
    Object.values(parts),
    field('Length (s)', length, { path: 'length' }),
    status,
    h(
      'div',
      { class: 'toolbar' },
      h('button', { type: 'submit', class: 'primary' }, submitLabel),
      onCancel ? h('button', { type: 'button', onclick: onCancel }, 'Cancel') : null,
    ),
  );
  clearOnInput(form, status);
  return h('section', { class: 'panel', 'aria-label': title }, h('h3', {}, title), form);
}

function sceneSummary(s) {
  const name = (src) => String(src).slice(String(src).lastIndexOf('/') + 1);
  if (s.source === 'title') return `“${s.text}”`;
  if (s.source === 'voiceover') return `says “${s.text}”${s.image ? ` over ${name(s.image)}` : ''}`;
  if (s.source === 'generate') return `prompt “${s.prompt}”`;
  return name(s.src) + (s.caption ? ` — “${s.caption}”` : '');
}

/**
 * The project's own fields (name, mode, prompt, subject, backing track), edited in place with
 * PUT /v1/projects/{id}: a field emptied is sent as null (removed); the API answers the project.
 * `fill(project)` sets the controls from the project, except while the user is changing them.
 */
function detailsForm(ctx, path, onSaved) {
  const name = textInput({ placeholder: 'optional' });
  const mode = select(MODES, { value: 'custom' });
  const prompt = textArea();
  const subject = textInput();
  const audio = srcField(ctx, { label: 'Backing track', path: 'audio.src', accept: 'audio/*' });
  const status = h('div', { class: 'validation', role: 'status', 'aria-live': 'polite' });
  let dirty = false;
  let audioSrc;
  const orNull = (el) => el.value.trim() || null;
  const form = h(
    'form',
    {
      class: 'project-form',
      novalidate: true,
      oninput: () => (dirty = true),
      onchange: () => (dirty = true),
      onsubmit: async (e) => {
        e.preventDefault();
        const src = audio.input.value.trim();
        const body = {
          name: orNull(name),
          mode: mode.value,
          prompt: orNull(prompt),
          subject: orNull(subject),
          // The backing track keeps its other settings when only its src is unchanged.
          ...(src === (audioSrc ?? '') ? {} : { audio: src ? { src } : null }),
        };
        replace(status, h('p', { class: 'muted' }, 'Saving…'));
        try {
          const p = await ctx.api().call('PUT', path, body);
          dirty = false;
          onSaved(p);
          replace(status, h('p', { class: 'good' }, 'Saved.'));
        } catch (err) {
          showError(status, err, form);
        }
      },
    },
    field('Name', name, { path: 'name' }),
    field('Mode', mode, { path: 'mode' }),
    field('Prompt', prompt, { path: 'prompt' }),
    field('Subject', subject, { path: 'subject' }),
    audio.element,
    status,
    h('button', { type: 'submit', class: 'primary' }, 'Save the details'),
  );
  clearOnInput(form, status);
  return {
    element: h(
      'details',
      { class: 'panel project-details' },
      h('summary', {}, 'Edit the project’s details'),
      form,
    ),
    fill(p) {
      if (dirty) return;
      name.value = p.name ?? '';
      mode.value = p.mode ?? 'custom';
      prompt.value = p.prompt ?? '';
      subject.value = p.subject ?? '';
      audioSrc = p.audio?.src;
      audio.input.value = audioSrc ?? '';
    },
  };
}

export function projectView(root, ctx, id) {
  const path = `/v1/projects/${encodeURIComponent(id)}`;
  const title = h('h1', { tabindex: -1 }, 'Project');
  const problem = h('p', { class: 'bad', role: 'alert', hidden: true });
  const facts = h('dl', { class: 'facts' });
  const scenesList = h('ol', { class: 'rows scenes', 'aria-label': 'Scenes, in order' });
  const sceneNote = h('p', { class: 'small muted', role: 'status' });
  const composeBox = h('div', { role: 'status', 'aria-live': 'polite' });
  const finalBox = h('div');
  const editorSlot = h('div');
  let project;
  let lastKey;
  let timer;
  let stopped = false;

  /** A change the API answers with the project; the caller shows a refusal (a form or the page). */
  const act = async (method, suffix, body, focusAfter) => {
    show(await ctx.api().call(method, `${path}${suffix}`, body));
    problem.hidden = true;
    focusAfter?.();
  };
  const onPage = (p) => p.catch((err) => ctx.onError(err, problem));

  /** Drag a scene onto another to put it there (the buttons and Alt+Arrow do the same without a mouse). */
  function dragToReorder(li, n) {
    li.draggable = true;
    li.addEventListener('dragstart', (e) => {
      e.dataTransfer.setData('text/x-cutline-scene', String(n));
      e.dataTransfer.effectAllowed = 'move';
      li.classList.add('dragging');
    });
    li.addEventListener('dragend', () => li.classList.remove('dragging'));
    li.addEventListener('dragover', (e) => {
      if (e.dataTransfer.types.includes('text/x-cutline-scene')) e.preventDefault();
    });
    li.addEventListener('drop', (e) => {
      e.preventDefault();
      const from = Number(e.dataTransfer.getData('text/x-cutline-scene'));
      if (from && from !== n) move(from, n - from);
    });
  }

  /** Moves scene number `n` (from 1) by `by` places with PUT …/order; focus follows the scene. */
  const move = (n, by) => {
    const count = project.scenes.length;
    const to = n + by;
    if (to < 1 || to > count) return;
    const order = project.scenes.map((s) => s.number).filter((x) => x !== n);
    order.splice(to - 1, 0, n);
    void onPage(
      act('PUT', '/order', { order }, () => {
        scenesList.children[to - 1]?.focus();
        announce(`Scene moved to position ${to}`);
      }),
    );
  };

  function editScene(n) {
    replace(
      editorSlot,
      sceneForm(ctx, {
        title: `Replace scene ${n}`,
        submitLabel: `Replace scene ${n}`,
        onSubmit: async (body) => {
          await act('PUT', `/scenes/${n}`, body);
          replace(editorSlot);
          scenesList.children[n - 1]?.focus();
        },
        onCancel: () => {
          replace(editorSlot);
          scenesList.children[n - 1]?.focus();
        },
      }),
    );
    editorSlot.querySelector('select')?.focus();
  }

  function drawScenes() {
    const scenes = project.scenes;
    sceneNote.textContent = scenes.length
      ? 'Focus a scene and press Alt+Arrow up/down to move it.'
      : 'No scenes yet: add one below.';
    replace(
      scenesList,
      scenes.map((s) => {
        const label = `scene ${s.number}`;
        const li = h(
          'li',
          {
            class: 'row scene',
            tabindex: 0,
            'data-status': s.status,
            'aria-label': `Scene ${s.number}: ${s.source} ${sceneSummary(s)}, ${s.status}`,
          },
          h(
            'div',
            { class: 'row-fields' },
            h(
              'div',
              {},
              h('strong', {}, `${s.number}. ${s.source}`),
              ' ',
              sceneSummary(s),
              typeof s.length === 'number' ? ` · ${s.length} s` : '',
              h('br'),
              statusBadge(s.status),
              h('span', { class: 'small muted' }, ` attempts ${s.attempts}`),
              s.error
                ? h(
                    'p',
                    { class: 'bad small scene-error' },
                    h('code', {}, s.error.code),
                    ' ',
                    s.error.message,
                  )
                : null,
            ),
          ),
          h(
            'div',
            { class: 'row-controls' },
            rowControls(label, {
              up: s.number > 1 ? () => move(s.number, -1) : undefined,
              down: s.number < scenes.length ? () => move(s.number, 1) : undefined,
            }),
            h(
              'button',
              {
                type: 'button',
                class: 'small',
                onclick: () => editScene(s.number),
                'aria-label': `Replace ${label}`,
              },
              'Replace',
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'small danger',
                'aria-label': `Remove ${label}`,
                onclick: async () => {
                  const yes = await confirmDialog({
                    title: `Remove scene ${s.number}?`,
                    message: 'The scene leaves the project; the scenes after it move up.',
                    confirm: `Remove scene ${s.number}`,
                  });
                  if (yes)
                    void onPage(
                      act('DELETE', `/scenes/${s.number}`, undefined, () =>
                        (
                          scenesList.children[s.number - 1] ??
                          scenesList.children[s.number - 2] ??
                          title
                        ).focus(),
                      ),
                    );
                },
              },
              'Remove',
            ),
          ),
        );
        reorderKeys(li, { up: () => move(s.number, -1), down: () => move(s.number, 1) });
        dragToReorder(li, s.number);
        return li;
      }),
    );
  }

  async function drawFinal() {
    try {
      const v = await ctx.api().call('GET', `${path}/final-video`);
      const name = v.key.slice(v.key.lastIndexOf('/') + 1);
      replace(
        finalBox,
        h(
          'figure',
          { class: 'output output-video final-video' },
          h('video', {
            src: v.url,
            controls: true,
            preload: 'metadata',
            playsinline: true,
            'aria-label': 'final video',
          }),
          h(
            'figcaption',
            {},
            h(
              'span',
              { class: 'small muted' },
              `${v.width ?? ''}×${v.height ?? ''} · ${v.durationSeconds ?? ''} s `,
            ),
            h(
              'a',
              { href: v.downloadUrl ?? v.url, download: name, class: 'download' },
              'Download the final video',
            ),
          ),
        ),
      );
    } catch (err) {
      replace(
        finalBox,
        h('p', { class: 'muted' }, err.status === 404 ? err.message : `${err.code}: ${err.message}`),
      );
    }
  }

  function show(p) {
    project = p;
    details.fill(p);
    title.textContent = p.name ?? `Project ${p.id.slice(0, 8)}`;
    const fact = (k, v) => (v ? [h('dt', {}, k), h('dd', {}, v)] : []);
    replace(
      facts,
      fact('Mode', p.mode),
      fact('Status', statusBadge(p.status)),
      fact('Prompt', p.prompt),
      fact('Subject', p.subject),
      fact('Backing track', p.audio?.src),
      fact('Reference images', p.referenceImages?.length ? String(p.referenceImages.length) : ''),
      fact('Updated', formatTime(p.updatedAt)),
    );
    const key = JSON.stringify([p.scenes, p.status, p.compose?.status, p.compose?.progress]);
    if (key === lastKey) return;
    const wasComposing = lastKey && JSON.parse(lastKey)[2];
    lastKey = key;
    drawScenes();
    const c = p.compose;
    // "Composing: job …" from the button is stale once the job has ended.
    if (c && c.status !== 'QUEUED' && c.status !== 'RUNNING') replace(composeStatus);
    replace(
      composeBox,
      c
        ? h(
            'p',
            {},
            'Last compose: ',
            statusBadge(c.status),
            ` ${c.stage ?? ''} ${c.progress}% `,
            h('a', { href: `#/jobs/${c.jobId}` }, 'its job'),
            c.error ? h('span', { class: 'bad' }, ` ${c.error.code}: ${c.error.message}`) : '',
          )
        : h('p', { class: 'muted' }, 'Not composed yet.'),
    );
    if (c?.status !== wasComposing && c && c.status !== 'QUEUED' && c.status !== 'RUNNING')
      announce(`Compose ${c.status}`);
    void drawFinal();
  }

  async function load() {
    try {
      show(await ctx.api().call('GET', path));
      problem.hidden = true;
    } catch (err) {
      if (err.status !== 404) ctx.onError(err, problem);
      else {
        stopped = true;
        ctx.notFound(root, {
          title: 'Project not found',
          message: `There is no project ${id} for this API key: it may have been deleted, or the link is wrong.`,
          back: ['#/projects', '← All projects'],
        });
      }
    }
    const busy =
      project && (project.status === 'composing' || project.scenes.some((s) => s.status === 'processing'));
    if (!stopped && busy) timer = setTimeout(load, POLL_MS);
  }

  // Planning (POST …/plan): scene cuts on the backing track's beats; prompts need an LLM provider, which
  // a deployment may lack — then the API's NOT_SUPPORTED message is shown as it is.
  const planCount = numberInput({ min: 1, step: 1, placeholder: 'one per ~4 s' });
  const planPrompts = h('input', {
    type: 'checkbox',
    id: 'plan-prompts',
    checked: true,
    'data-path': 'prompts',
  });
  const planOut = h('div', { class: 'validation plan-result', role: 'status', 'aria-live': 'polite' });
  const planForm = h(
    'form',
    {
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        replace(planOut, h('p', { class: 'muted' }, 'Planning…'));
        try {
          const r = await ctx
            .api()
            .call('POST', `${path}/plan`, compact({ scenes: num(planCount), prompts: planPrompts.checked }));
          replace(
            planOut,
            h(
              'p',
              { class: 'good' },
              `${r.scenes.length} scene${r.scenes.length === 1 ? '' : 's'} over ${r.length} s`,
              r.tempo ? ` at ${Math.round(r.tempo)} BPM` : '',
              ':',
            ),
            h(
              'ol',
              { class: 'small plan-scenes' },
              r.scenes.map((c) =>
                h('li', {}, `from ${c.start} s for ${c.length} s`, c.prompt ? ` — ${c.prompt}` : ''),
              ),
            ),
          );
        } catch (err) {
          showError(planOut, err, planForm);
        }
      },
    },
    field('How many scenes to plan', planCount, { path: 'scenes' }),
    h(
      'div',
      { class: 'toolbar' },
      planPrompts,
      h('label', { for: 'plan-prompts' }, 'Write each scene’s prompt with AI'),
    ),
    h('button', { type: 'submit' }, 'Plan the scenes'),
    planOut,
  );

  clearOnInput(planForm, planOut);

  const onlyCompleted = h('input', { type: 'checkbox', id: 'compose-completed' });
  const composeStatus = h('div', { class: 'validation', role: 'status' });
  const composeForm = h(
    'form',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          replace(composeStatus, h('p', { class: 'muted' }, 'Starting…'));
          const r = await ctx
            .api()
            .call('POST', `${path}/compose`, onlyCompleted.checked ? { composeCompletedOnly: true } : {});
          replace(composeStatus, h('p', {}, `Composing: job ${r.jobId.slice(0, 8)}.`));
          clearTimeout(timer);
          void load();
        } catch (err) {
          showError(composeStatus, err, composeForm);
        }
      },
    },
    h(
      'div',
      { class: 'toolbar' },
      onlyCompleted,
      h('label', { for: 'compose-completed' }, 'Only the scenes already completed (generate nothing)'),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Compose'),
    composeStatus,
  );
  clearOnInput(composeForm, composeStatus);
  const details = detailsForm(ctx, path, (p) => show(p));

  replace(
    root,
    h('p', {}, h('a', { href: '#/projects' }, '← All projects')),
    title,
    problem,
    facts,
    details.element,
    h(
      'section',
      { 'aria-labelledby': 'scenes-h' },
      h('h2', { id: 'scenes-h' }, 'Scenes'),
      sceneNote,
      scenesList,
      editorSlot,
      sceneForm(ctx, {
        title: 'Add a scene',
        submitLabel: 'Add the scene',
        onSubmit: (body) => act('POST', '/scenes', body),
      }),
    ),
    h(
      'section',
      { 'aria-labelledby': 'plan-h' },
      h('h2', { id: 'plan-h' }, 'Plan'),
      h(
        'p',
        { class: 'small muted' },
        'Cuts on the backing track’s beats, their lengths summing to the track.',
      ),
      planForm,
    ),
    h(
      'section',
      { 'aria-labelledby': 'compose-h' },
      h('h2', { id: 'compose-h' }, 'Compose'),
      composeBox,
      composeForm,
    ),
    h('section', { 'aria-labelledby': 'final-h' }, h('h2', { id: 'final-h' }, 'Final video'), finalBox),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: async () => {
            const yes = await confirmDialog({
              title: 'Delete this project?',
              message: 'The project and its scenes are deleted for good.',
              confirm: 'Delete project',
            });
            if (!yes) return;
            try {
              await ctx.api().call('DELETE', path);
              ctx.navigate('#/projects');
            } catch (err) {
              ctx.onError(err, problem);
            }
          },
        },
        'Delete project',
      ),
    ),
  );
  void load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
