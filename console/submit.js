// Submit: a JSON editor validated by the API, the examples, uploads with progress, and submit.
import { clearOnInput, formatBytes, h, replace } from './dom.js';
import { draftText, loadDraft, mayReplaceDraft, saveDraft } from './draft.js';
import { createEditor } from './editor.js';
import { createTimeline } from './timeline.js';

let examplesCache;
async function examples(ctx) {
  examplesCache ??= fetch(ctx.staticUrl('examples.json'))
    .then((r) => (r.ok ? r.json() : { examples: [] }))
    .then((j) => j.examples ?? [])
    .catch(() => []);
  return examplesCache;
}

/** The upload form: a presigned PUT with a progress bar; the resulting `src` can go into the editor. */
export function uploadPanel(ctx, editor) {
  const input = h('input', {
    type: 'file',
    id: 'upload-file',
    accept: 'video/*,audio/*,image/*,.srt,.vtt,.ttf,.otf',
  });
  const bar = h('progress', {
    max: 100,
    value: 0,
    id: 'upload-progress',
    'aria-label': 'upload progress',
    hidden: true,
  });
  const text = h('span', { class: 'small', role: 'status', 'aria-live': 'polite' });
  const result = h('div');
  const button = h('button', { type: 'submit' }, 'Upload');
  const form = h(
    'form',
    {
      class: 'upload',
      onsubmit: async (e) => {
        e.preventDefault();
        const file = input.files?.[0];
        if (!file) return void (text.textContent = 'Choose a file first.');
        button.disabled = true;
        bar.hidden = false;
        bar.value = 0;
        replace(result);
        try {
          const slot = await ctx.api().upload(file, (loaded, total) => {
            const pct = total ? Math.round((loaded / total) * 100) : 0;
            bar.value = pct;
            text.textContent = `${pct}% — ${formatBytes(loaded)} of ${formatBytes(total)}`;
          });
          text.textContent = `Uploaded ${file.name} (${formatBytes(file.size)}).`;
          const src = h('input', {
            type: 'text',
            readonly: true,
            value: slot.src,
            id: 'upload-src',
            class: 'mono',
            'aria-label': 'src of the uploaded file',
          });
          replace(
            result,
            h('label', { for: 'upload-src' }, 'Use this src in an asset:'),
            src,
            h(
              'button',
              {
                type: 'button',
                onclick: () => {
                  // Inserted as a JSON string at the cursor (or over the selection) of the edit.
                  const a = editor.area;
                  const [s, t] = [a.selectionStart, a.selectionEnd];
                  a.setRangeText(JSON.stringify(slot.src), s, t, 'end');
                  a.dispatchEvent(new Event('input'));
                  a.focus();
                },
              },
              'Insert at the cursor in the edit',
            ),
          );
        } catch (err) {
          text.textContent = `Upload failed: ${err.code}: ${err.message}`;
        } finally {
          button.disabled = false;
        }
      },
    },
    h('label', { for: 'upload-file' }, 'Media file'),
    input,
    button,
    bar,
    text,
    result,
  );
  clearOnInput(form, text);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'upload-h' },
    h('h2', { id: 'upload-h' }, 'Upload media'),
    form,
  );
}

export function submitView(root, ctx) {
  const editor = createEditor({
    api: ctx.api,
    label: 'Edit (JSON: timeline, output, merge…)',
    value: draftText(),
  });
  editor.area.addEventListener('input', () => saveDraft(editor.text()));
  const timeline = createTimeline({ api: ctx.api, editor });
  const picker = h('select', { id: 'example' }, h('option', { value: '' }, 'Choose an example…'));
  const note = h('p', { class: 'small muted', role: 'status' });
  const result = h('p', { role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Render');
  const tplName = h('input', { id: 'template-name', type: 'text', placeholder: 'my template' });

  const load = (ex) => {
    editor.setText(JSON.stringify(ex.edit, null, 2));
    loadDraft(editor.text());
    timeline.refresh();
    const notes = [];
    if (ex.media.length && !ex.local)
      notes.push(`It reads ${ex.media.join(', ')}: upload those files and put their src in the edit.`);
    if (ex.local && ex.missing.length)
      notes.push(`Its media is missing here (${ex.missing.join(', ')}): run npm run examples:media.`);
    note.textContent = `Loaded ${ex.name}. ${notes.join(' ')}`;
  };

  void examples(ctx).then((list) => {
    for (const ex of list) picker.append(h('option', { value: ex.name }, ex.name));
    let shown = '';
    // The user's changes are never replaced without asking.
    const pick = async (ex) => {
      picker.value = ex.name;
      const replaceable = await mayReplaceDraft({
        what: `Loading the example “${ex.name}”`,
        confirm: `Replace with ${ex.name}`,
        text: editor.text(),
      });
      if (!replaceable) {
        picker.value = shown;
        if (editor.text().trim()) void editor.validate();
        return;
      }
      shown = ex.name;
      load(ex);
    };
    picker.addEventListener('change', () => {
      const ex = list.find((e) => e.name === picker.value);
      if (ex) void pick(ex);
    });
    const ex = list.find((e) => e.name === ctx.query.get('example'));
    if (ex) void pick(ex);
    else if (editor.text().trim()) void editor.validate();
  });

  const form = h(
    'form',
    {
      class: 'submit',
      onsubmit: async (e) => {
        e.preventDefault();
        const body = editor.parse();
        if (body === undefined) return;
        submit.disabled = true;
        result.textContent = 'Submitting…';
        try {
          const job = await ctx.api().call('POST', '/v1/renders', body);
          result.textContent = `Submitted job ${job.id}.`;
          ctx.navigate(`#/jobs/${job.id}`);
        } catch (err) {
          result.textContent = `Not submitted: ${err.code}: ${err.message}`;
          if (err.details?.length) editor.showProblems(err.details);
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('div', { class: 'toolbar' }, h('label', { for: 'example' }, 'Start from an example'), picker),
    note,
    editor.element,
    h(
      'div',
      { class: 'toolbar' },
      submit,
      h('button', { type: 'button', onclick: () => void editor.validate() }, 'Validate'),
    ),
    result,
  );

  const saveResult = h('p', { role: 'status' });
  const saveForm = h(
    'form',
    {
      class: 'inline',
      onsubmit: async (e) => {
        e.preventDefault();
        const edit = editor.parse();
        if (edit === undefined) return;
        try {
          const t = await ctx.api().call('POST', '/v1/templates', { name: tplName.value.trim(), edit });
          ctx.navigate(`#/templates/${t.id}`);
        } catch (err) {
          saveResult.textContent = `Not saved: ${err.code}: ${err.message}`;
          if (err.details?.length) editor.showProblems(err.details);
        }
      },
    },
    h('label', { for: 'template-name' }, 'Template name'),
    tplName,
    h('button', { type: 'submit' }, 'Save as template'),
    saveResult,
  );

  clearOnInput(form, result);
  clearOnInput(saveForm, saveResult);
  replace(
    root,
    h('h1', { tabindex: -1 }, 'New render'),
    h(
      'div',
      { class: 'columns' },
      h('div', { class: 'main-col' }, form, timeline.element),
      h(
        'aside',
        { class: 'side-col' },
        uploadPanel(ctx, editor),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'save-h' },
          h('h2', { id: 'save-h' }, 'Save as a template'),
          saveForm,
        ),
      ),
    ),
  );
  return () => {
    editor.dispose();
    timeline.dispose();
  };
}
