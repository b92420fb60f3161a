// The JSON editor: a textarea, validated as you type by the API's own checks (POST /v1/validate), so the
// messages and JSON paths are exactly those a submit would give.
import { h, replace } from './dom.js';
import { lineColumn, locatePath, syntaxErrorOffset } from './edit-tools.js';

let ids = 0;

/** ` About 12 s to render (3 chunks on Lambda).` — the submit estimate, with what it could not know. */
export function describeEstimate(e) {
  if (!e) return '';
  const plan = e.plan ? ` (${e.plan.chunks} chunk${e.plan.chunks === 1 ? '' : 's'} on ${e.plan.target})` : '';
  const unknown = e.unknown?.length
    ? ` Not known yet: ${e.unknown.map((u) => `${u.path || '(edit)'} — ${u.reason}`).join('; ')}.`
    : '';
  if (typeof e.estimatedSeconds !== 'number') return unknown ? ` No estimate.${unknown}` : '';
  const s = e.estimatedSeconds < 10 ? e.estimatedSeconds.toFixed(1) : Math.round(e.estimatedSeconds);
  return ` About ${s} s to render${e.complete === false ? ' (for what is known)' : ''}${plan}.${unknown}`;
}

/**
 * `createEditor({ api, label, value, describe })` → `{ element, text, setText, parse, validate,
 * showProblems }`. `describe(text)` may rewrite paths (templates report `edit.`-prefixed paths).
 */
export function createEditor({ api, label, value = '', rows = 22, validate = true }) {
  const id = `editor-${++ids}`;
  const area = h('textarea', {
    id,
    class: 'code',
    rows,
    spellcheck: 'false',
    autocapitalize: 'off',
    autocomplete: 'off',
    'aria-describedby': `${id}-status`,
    value,
  });
  const status = h('div', { id: `${id}-status`, class: 'validation', role: 'status', 'aria-live': 'polite' });
  const element = h('div', { class: 'editor' }, h('label', { for: id }, label), area, status);
  let timer;
  let seq = 0;

  const select = (start, end) => {
    area.focus();
    area.setSelectionRange(start, end);
    // Scroll the selection into view: put the caret's line near the top of the textarea.
    const line = lineColumn(area.value, start).line;
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
    area.scrollTop = Math.max(0, (line - 3) * lineHeight);
  };

  /** Shows problems `[{ path, message }]`; each path is a button that selects its place in the text. */
  function showProblems(problems, title = 'Problems') {
    area.setAttribute('aria-invalid', 'true');
    replace(
      status,
      h('p', { class: 'validation-title bad' }, `${title} (${problems.length}):`),
      h(
        'ul',
        { class: 'problems' },
        problems.map((p) => {
          const path = p.path || '(root)';
          const at = locatePath(area.value, (p.path ?? '').replace(/^edit\.?/, ''));
          return h(
            'li',
            {},
            at
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'path link',
                    title: 'show this place in the edit',
                    onclick: () => select(at.start, at.end),
                  },
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

  function showOk(text) {
    area.removeAttribute('aria-invalid');
    replace(status, h('p', { class: 'good' }, text));
  }

  /** The text as JSON, or undefined after showing where it stops being JSON. */
  function parse() {
    try {
      return JSON.parse(area.value);
    } catch (err) {
      const offset = syntaxErrorOffset(area.value, err.message);
      const where =
        offset === undefined
          ? ''
          : (({ line, column }) => `line ${line}, column ${column}: `)(lineColumn(area.value, offset));
      area.setAttribute('aria-invalid', 'true');
      replace(
        status,
        h('p', { class: 'bad' }, 'Not valid JSON — ', where, err.message, ' '),
        offset === undefined
          ? null
          : h('button', { type: 'button', class: 'link', onclick: () => select(offset, offset + 1) }, 'show'),
      );
      return undefined;
    }
  }

  /** Validates with the API; true when the edit would be accepted. */
  async function check() {
    const mine = ++seq;
    const body = parse();
    if (body === undefined) return false;
    replace(status, h('p', { class: 'muted' }, 'Checking…'));
    try {
      const r = await api().call('POST', '/v1/validate', body);
      if (mine === seq)
        showOk(
          `Valid edit — ${r.sources} source${r.sources === 1 ? '' : 's'}, ready to render.${describeEstimate(r.estimate)}`,
        );
      return true;
    } catch (err) {
      if (mine !== seq) return false;
      if (err.details?.length)
        showProblems(err.details, err.code === 'VALIDATION_FAILED' ? 'Problems' : err.code);
      else replace(status, h('p', { class: 'bad' }, `${err.code}: ${err.message}`));
      return false;
    }
  }

  if (validate)
    area.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(check, 500);
    });

  return {
    element,
    area,
    text: () => area.value,
    setText(t) {
      area.value = t;
      if (validate) void check();
    },
    parse,
    validate: check,
    showProblems,
    dispose: () => clearTimeout(timer),
  };
}
