// Form pieces the job screens share: labelled fields, a src box with upload, and a job form validated
// live by POST /v1/validate?type=… (the API's own messages and JSON paths) and submitted to its endpoint.
import { clearOnInput, formatBytes, h, replace } from './dom.js';
import { describeEstimate } from './editor.js';

let ids = 0;
export const uid = (prefix) => `${prefix}-${++ids}`;

/** A labelled control; `path` (the request's JSON path) lets a problem's path button focus it. */
export function field(label, control, { help, path } = {}) {
  control.id ||= uid('f');
  if (path) control.dataset.path = path;
  const helpEl = help ? h('p', { id: `${control.id}-help`, class: 'small muted' }, help) : null;
  if (helpEl) control.setAttribute('aria-describedby', helpEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, helpEl);
}

export const numberInput = (attrs = {}) => h('input', { type: 'number', step: 'any', ...attrs });
export const textInput = (attrs = {}) => h('input', { type: 'text', autocomplete: 'off', ...attrs });

export function select(options, attrs = {}) {
  return h(
    'select',
    attrs,
    options.map(([value, text]) => h('option', { value, selected: value === attrs.value }, text)),
  );
}

/** A number from an input, or undefined when it is empty (the API then applies its default). */
export function num(input) {
  const v = input.value.trim();
  return v === '' ? undefined : Number(v);
}

/** Drops undefined values (and empty objects) so the request holds only what the user gave. */
export function compact(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === '') continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length) continue;
    out[k] = v;
  }
  return out;
}

/**
 * A src box: type a src (object key, s3:// or https URL) or upload a file with the presigned PUT, which
 * fills the box with the upload's src. `{ element, input }`.
 */
export function srcField(ctx, { label, path, accept = 'video/*', required = false, help }) {
  const input = textInput({ class: 'mono', required, placeholder: 'uploads/… or https://…' });
  const file = h('input', { type: 'file', accept, id: uid('file') });
  const bar = h('progress', { max: 100, value: 0, hidden: true, 'aria-label': `upload progress, ${label}` });
  const text = h('span', { class: 'small', role: 'status' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'small',
      'aria-label': `Upload ${label.toLowerCase()}`,
      onclick: async () => {
        const f = file.files?.[0];
        if (!f) return void (text.textContent = 'Choose a file first.');
        button.disabled = true;
        bar.hidden = false;
        try {
          const slot = await ctx.api().upload(f, (loaded, total) => {
            bar.value = total ? Math.round((loaded / total) * 100) : 0;
            text.textContent = `${bar.value}% of ${formatBytes(total)}`;
          });
          input.value = slot.src;
          input.dispatchEvent(new Event('input', { bubbles: true }));
          text.textContent = `Uploaded ${f.name}.`;
        } catch (err) {
          text.textContent = `Upload failed: ${err.code}: ${err.message}`;
        } finally {
          button.disabled = false;
        }
      },
    },
    'Upload',
  );
  const element = h(
    'div',
    { class: 'src-field' },
    field(label, input, { help, path }),
    h(
      'div',
      { class: 'toolbar src-upload' },
      h('label', { for: file.id, class: 'small' }, `or upload a file for ${label.toLowerCase()}`),
      file,
      button,
      bar,
      text,
    ),
  );
  return { element, input };
}

/** Problems `[{ path, message }]` as a list; a path whose control is on the form is a button to it. */
export function showProblems(status, problems, title, form) {
  const controlFor = (path) => {
    // The control of the path, or of the nearest enclosing path (clips[1] for clips[1].end when absent).
    for (let p = path; p; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
      const el = [...form.querySelectorAll('[data-path]')].find((x) => x.dataset.path === p);
      if (el) return el;
      if (!/(\.[^.[\]]+|\[\d+\])$/.test(p)) break;
    }
    return null;
  };
  replace(
    status,
    h('p', { class: 'validation-title bad' }, `${title} (${problems.length}):`),
    h(
      'ul',
      { class: 'problems' },
      problems.map((p) => {
        const path = p.path || '(root)';
        const el = controlFor(p.path ?? '');
        return h(
          'li',
          {},
          el
            ? h(
                'button',
                { type: 'button', class: 'path link', title: 'go to this field', onclick: () => el.focus() },
                h('code', {}, path),
              )
            : h('code', { class: 'path' }, path),
          ' ',
          h('span', { class: 'message' }, p.message),
        );
      }),
    ),
  );
}

/**
 * A job form: `build()` makes the request from the controls; every change validates it with
 * POST /v1/validate?type=`type` (debounced); submit posts it to `endpoint` and opens the job.
 * Returns `{ element, validate, dispose }`.
 */
export function jobForm(ctx, { type, endpoint, build, fields, submitLabel, noun }) {
  const status = h('div', { class: 'validation', role: 'status', 'aria-live': 'polite' });
  const preview = h('pre', { class: 'json-output mono small request-json' });
  const result = h('p', { role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  let timer;
  let seq = 0;

  async function validate() {
    const mine = ++seq;
    const body = build();
    preview.textContent = JSON.stringify(body, null, 2);
    replace(status, h('p', { class: 'muted' }, 'Checking…'));
    try {
      const r = await ctx.api().call('POST', `/v1/validate?type=${type}`, body);
      if (mine === seq)
        replace(
          status,
          h(
            'p',
            { class: 'good' },
            `Valid ${noun} — ${r.sources} source${r.sources === 1 ? '' : 's'}.${describeEstimate(r.estimate)}`,
          ),
        );
      return true;
    } catch (err) {
      if (mine !== seq) return false;
      if (err.details?.length)
        showProblems(status, err.details, err.code === 'VALIDATION_FAILED' ? 'Problems' : err.code, form);
      else replace(status, h('p', { class: 'bad' }, `${err.code}: ${err.message}`));
      return false;
    }
  }
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(validate, 400);
  };

  const form = h(
    'form',
    {
      class: 'job-form',
      novalidate: true,
      oninput: later,
      onchange: later,
      onsubmit: async (e) => {
        e.preventDefault();
        clearTimeout(timer);
        submit.disabled = true;
        result.textContent = 'Submitting…';
        try {
          const job = await ctx.api().call('POST', endpoint, build());
          result.textContent = `Submitted job ${job.id}.`;
          ctx.navigate(`#/jobs/${job.id}`);
        } catch (err) {
          result.textContent = `Not submitted: ${err.code}: ${err.message}`;
          if (err.details?.length) showProblems(status, err.details, err.code, form);
        } finally {
          submit.disabled = false;
        }
      },
    },
    fields,
    status,
    h('div', { class: 'toolbar' }, submit),
    result,
    h('details', {}, h('summary', {}, 'The request this form sends'), preview),
  );
  clearOnInput(form, result);
  return { element: form, validate, refresh: later, dispose: () => clearTimeout(timer) };
}

/** Up/down/remove buttons for a row of a list, plus Alt+ArrowUp/Down on the row itself. */
export function rowControls(label, { up, down, remove }) {
  return h(
    'div',
    { class: 'row-controls' },
    up
      ? h('button', { type: 'button', class: 'small', onclick: up, 'aria-label': `Move ${label} up` }, '↑')
      : null,
    down
      ? h(
          'button',
          { type: 'button', class: 'small', onclick: down, 'aria-label': `Move ${label} down` },
          '↓',
        )
      : null,
    remove
      ? h(
          'button',
          { type: 'button', class: 'small danger', onclick: remove, 'aria-label': `Remove ${label}` },
          '×',
        )
      : null,
  );
}

/**
 * Alt+ArrowUp / Alt+ArrowDown on a focused row moves it (the buttons do the same); inside one of its
 * fields the keys keep their usual meaning.
 */
export function reorderKeys(el, { up, down }) {
  el.addEventListener('keydown', (e) => {
    if (e.target !== el || !e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    (e.key === 'ArrowUp' ? up : down)?.();
  });
}
