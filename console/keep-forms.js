// What the user typed in a page's forms, kept in session storage while the key prompt replaces the page
// (a refused key), and put back when the page returns: values and checks by each control's label, and
// the number of rows of every repeated list (`data-keep` lists, grown or shrunk with their
// `data-add-row` button and their rows' Remove buttons) so fields added by hand come back too.
const KEY = 'cutline.keptForms';
/** How long a returning page may take to draw its forms (it may load them from the API first). */
const RESTORE_MS = 5000;

const controls = (root) =>
  [...root.querySelectorAll('input, select, textarea')].filter(
    (el) => !['file', 'password', 'hidden', 'submit', 'button'].includes(el.type),
  );

/** A control's name that survives a redraw: its label, else its aria-label, data-path or name. */
const nameOf = (el) =>
  el.labels?.[0]?.textContent.trim() ||
  el.getAttribute('aria-label') ||
  el.dataset.path ||
  el.name ||
  el.tagName.toLowerCase();

/** Every control keyed by its name and, for names that repeat, its place among them. */
function keyed(root) {
  const seen = new Map();
  return controls(root).map((el) => {
    const name = nameOf(el);
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    return [`${name}#${n}`, el];
  });
}

/** Saves `root`'s forms for the page at `hash`. */
export function keepForms(root, hash) {
  const rows = [...root.querySelectorAll('[data-keep]')].map((l) => [l.dataset.keep, l.children.length]);
  const values = keyed(root).map(([key, el]) =>
    el.type === 'checkbox' || el.type === 'radio'
      ? [key, { checked: el.checked }]
      : [key, { value: el.value }],
  );
  sessionStorage.setItem(KEY, JSON.stringify({ hash, rows, values }));
}

export const discardKeptForms = () => sessionStorage.removeItem(KEY);

/** An attribute selector for a list's name (`groups[0].clips`): quoted, so only quotes need escaping. */
const attr = (name, value) => `[${name}="${value.replace(/["\\]/g, '\\$&')}"]`;

function fire(el) {
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Grows or shrinks each kept list to its saved length; true when every list present is settled. */
function settleRows(root, rows) {
  let all = true;
  for (const [name, length] of rows) {
    const list = root.querySelector(attr('data-keep', name));
    if (!list) {
      all = false;
      continue;
    }
    for (let guard = 0; list.isConnected && list.children.length !== length && guard < 50; guard++) {
      const button =
        list.children.length < length
          ? root.querySelector(attr('data-add-row', name))
          : // The last row's own Remove button, not one of a list nested in it.
            [...(list.lastElementChild?.querySelectorAll('button') ?? [])].find(
              (b) =>
                b.closest('[data-keep]') === list &&
                (b.getAttribute('aria-label') ?? '').startsWith('Remove'),
            );
      if (!button) break;
      button.click();
    }
  }
  return all;
}

/**
 * Puts back what `keepForms` saved for this `hash` into the page `root` draws (now or once it has loaded
 * its data), then forgets it. Stops early once the user types: their input wins.
 */
export function restoreForms(root, hash) {
  let saved;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
  } catch {
    saved = null;
  }
  if (!saved) return;
  if (saved.hash !== hash) return discardKeptForms();
  const pending = new Map(saved.values);
  let typed = false;
  const onInput = (e) => (typed ||= e.isTrusted);
  root.addEventListener('input', onInput, true);
  const started = Date.now();
  const step = () => {
    const rowsDone = settleRows(root, saved.rows);
    for (const [key, el] of keyed(root)) {
      const v = pending.get(key);
      if (!v) continue;
      pending.delete(key);
      if ('checked' in v ? el.checked === v.checked : el.value === v.value) continue;
      if ('checked' in v) el.checked = v.checked;
      else el.value = v.value;
      fire(el);
    }
    if (typed || (rowsDone && !pending.size) || Date.now() - started > RESTORE_MS || !root.isConnected) {
      root.removeEventListener('input', onInput, true);
      discardKeptForms();
      return;
    }
    setTimeout(step, 100);
  };
  step();
}
