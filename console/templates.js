// Templates: list, create, edit, delete, and render with merge values (a field per placeholder).
import { confirmDialog } from './dialog.js';
import { clearOnInput, formatTime, h, replace, tableWrap } from './dom.js';
import { createEditor } from './editor.js';
import { mergeFields, mergeValues } from './edit-tools.js';

export function templateListView(root, ctx) {
  const tbody = h('tbody');
  const problem = h('p', { class: 'bad', role: 'alert', hidden: true });
  const empty = h('p', { class: 'muted', hidden: true }, 'No templates yet.');
  replace(
    root,
    h('h1', { tabindex: -1 }, 'Templates'),
    h(
      'div',
      { class: 'toolbar' },
      h('a', { class: 'button primary', href: '#/templates/new' }, 'New template'),
    ),
    problem,
    h(
      'div',
      tableWrap('Templates table'),
      h(
        'table',
        { class: 'templates' },
        h('caption', { class: 'visually-hidden' }, 'Templates'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Name', 'Merge fields', 'Updated', 'Actions'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        tbody,
      ),
    ),
    empty,
  );
  async function load() {
    try {
      const page = await ctx.api().call('GET', '/v1/templates?limit=100');
      replace(
        tbody,
        page.templates.map((t) =>
          h(
            'tr',
            {},
            h('td', { 'data-label': 'Name' }, h('a', { href: `#/templates/${t.id}` }, t.name)),
            h(
              'td',
              { 'data-label': 'Merge fields' },
              mergeFields(t.edit)
                .map((f) => (f.default === undefined ? `${f.name} (required)` : f.name))
                .join(', '),
            ),
            h('td', { 'data-label': 'Updated' }, formatTime(t.updatedAt)),
            h(
              'td',
              { 'data-label': 'Actions' },
              h(
                'a',
                { href: `#/templates/${t.id}`, 'aria-label': `Edit / render ${t.name}` },
                'Edit / render',
              ),
              ' ',
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger small',
                  'aria-label': `Delete ${t.name}`,
                  onclick: async () => {
                    const yes = await confirmDialog({
                      title: 'Delete this template?',
                      message: `The template “${t.name}” is deleted for good; jobs already rendered from it stay.`,
                      confirm: `Delete ${t.name}`,
                    });
                    if (!yes) return;
                    try {
                      await ctx.api().call('DELETE', `/v1/templates/${t.id}`);
                      await load();
                    } catch (err) {
                      ctx.onError(err, problem);
                    }
                  },
                },
                'Delete',
              ),
            ),
          ),
        ),
      );
      empty.hidden = page.templates.length > 0;
    } catch (err) {
      ctx.onError(err, problem);
    }
  }
  void load();
  return () => {};
}

const STARTER = {
  merge: [{ find: 'NAME', replace: 'World' }],
  timeline: {
    tracks: [{ clips: [{ asset: { type: 'title', text: 'Hello {{ NAME }}' }, start: 0, length: 3 }] }],
  },
  output: { format: 'mp4', resolution: 'sd' },
};

export function templateView(root, ctx, id) {
  const isNew = id === 'new';
  const name = h('input', { id: 'tpl-name', type: 'text', required: true, autocomplete: 'off' });
  const editor = createEditor({ api: ctx.api, label: 'Template edit (JSON with {{ placeholders }})' });
  const saved = h('p', { role: 'status' });
  const problem = h('p', { class: 'bad', role: 'alert', hidden: true });
  const renderBox = h('section', { class: 'panel', 'aria-labelledby': 'render-h', hidden: isNew });
  let current;

  const save = async (e) => {
    e.preventDefault();
    const edit = editor.parse();
    if (edit === undefined) return;
    try {
      const body = { name: name.value.trim(), edit };
      const t = isNew
        ? await ctx.api().call('POST', '/v1/templates', body)
        : await ctx.api().call('PUT', `/v1/templates/${id}`, body);
      saved.textContent = `Saved ${t.name}.`;
      if (isNew) ctx.navigate(`#/templates/${t.id}`);
      else showRender(t);
    } catch (err) {
      saved.textContent = `Not saved: ${err.code}: ${err.message}`;
      if (err.details?.length) editor.showProblems(err.details);
    }
  };

  function showRender(t) {
    current = t;
    const fields = mergeFields(t.edit);
    const inputs = fields.map((f, i) => {
      const input = h('input', {
        id: `merge-${i}`,
        name: f.name,
        type: f.type === 'number' ? 'number' : 'text',
        step: f.type === 'number' ? 'any' : null,
        placeholder: f.default === undefined ? '' : String(f.default),
        // Required: no default in the template, so a render must give a value (the API refuses one too).
        required: f.default === undefined,
        'aria-describedby': `merge-${i}-hint`,
      });
      return { f, input, i };
    });
    const out = h('p', { role: 'alert', class: 'bad' });
    replace(
      renderBox,
      h('h2', { id: 'render-h' }, 'Render with merge values'),
      h(
        'form',
        {
          class: 'merge-form',
          // Checked here, before submit, so the message names the fields (the browser's bubble names none).
          novalidate: true,
          oninput: (e) => e.target.removeAttribute('aria-invalid'),
          onsubmit: async (e) => {
            e.preventDefault();
            const empty = inputs.filter(({ input }) => input.required && !input.value.trim());
            for (const { input } of inputs)
              input.toggleAttribute(
                'aria-invalid',
                empty.some((x) => x.input === input),
              );
            if (empty.length) {
              const names = empty.map(({ f }) => f.name);
              out.textContent = `Not rendered: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} required (the template has no default).`;
              empty[0].input.focus();
              return;
            }
            const values = Object.fromEntries(inputs.map(({ f, input }) => [f.name, input.value]));
            try {
              const job = await ctx.api().call('POST', `/v1/templates/${current.id}/render`, {
                merge: mergeValues(fields, values),
              });
              ctx.navigate(`#/jobs/${job.id}`);
            } catch (err) {
              out.textContent = `Not rendered: ${err.code}: ${err.message}`;
            }
          },
        },
        fields.length ? null : h('p', { class: 'muted' }, 'This template has no merge fields.'),
        inputs.map(({ f, input, i }) =>
          h(
            'div',
            { class: 'field' },
            h('label', { for: input.id }, f.name),
            input,
            h(
              'span',
              { id: `merge-${i}-hint`, class: 'small muted' },
              f.default === undefined ? 'required: no default' : `default: ${JSON.stringify(f.default)}`,
            ),
          ),
        ),
        h('button', { type: 'submit', class: 'primary' }, 'Render'),
        out,
      ),
    );
    clearOnInput(renderBox.querySelector('form'), out);
    renderBox.hidden = false;
  }

  replace(
    root,
    h('p', {}, h('a', { href: '#/templates' }, '← All templates')),
    h('h1', { tabindex: -1 }, isNew ? 'New template' : 'Template'),
    problem,
    h(
      'div',
      { class: 'columns' },
      h(
        'form',
        { class: 'main-col', onsubmit: save },
        h('div', { class: 'field' }, h('label', { for: 'tpl-name' }, 'Name'), name),
        editor.element,
        h(
          'div',
          { class: 'toolbar' },
          h('button', { type: 'submit', class: 'primary' }, isNew ? 'Create template' : 'Save'),
          isNew
            ? null
            : h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  onclick: async () => {
                    const yes = await confirmDialog({
                      title: 'Delete this template?',
                      message: 'The template is deleted for good; jobs already rendered from it stay.',
                      confirm: 'Delete template',
                    });
                    if (!yes) return;
                    try {
                      await ctx.api().call('DELETE', `/v1/templates/${id}`);
                      ctx.navigate('#/templates');
                    } catch (err) {
                      ctx.onError(err, problem);
                    }
                  },
                },
                'Delete',
              ),
        ),
        saved,
      ),
      h('aside', { class: 'side-col' }, renderBox),
    ),
  );
  clearOnInput(root.querySelector('form.main-col'), saved);

  if (isNew) {
    name.value = '';
    editor.setText(JSON.stringify(STARTER, null, 2));
  } else {
    void ctx
      .api()
      .call('GET', `/v1/templates/${encodeURIComponent(id)}`)
      .then((t) => {
        name.value = t.name;
        editor.setText(JSON.stringify(t.edit, null, 2));
        showRender(t);
      })
      .catch((err) =>
        err.status === 404
          ? ctx.notFound(root, {
              title: 'Template not found',
              message: `There is no template ${id} for this API key: it may have been deleted, or the link is wrong.`,
              back: ['#/templates', '← All templates'],
            })
          : ctx.onError(err, problem),
      );
  }
  return () => editor.dispose();
}
