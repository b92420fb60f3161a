// Tiny DOM helpers: elements as data, text always set as text (never parsed as HTML).

/**
 * h('a', { href: '#/jobs', class: 'x', onclick: fn }, 'text', child) → an element. Attributes that are
 * `false`, `null` or `undefined` are left out; `true` sets an empty attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked' || k === 'selected') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function formatBytes(n) {
  if (typeof n !== 'number') return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

export function formatSeconds(s) {
  if (typeof s !== 'number' || !Number.isFinite(s)) return '';
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** Seconds between two ISO times, or undefined. */
export function between(a, b) {
  if (!a || !b) return undefined;
  return (Date.parse(b) - Date.parse(a)) / 1000;
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** The polite live region: screen readers hear status changes without losing their place. */
export function announce(text) {
  const region = document.getElementById('announce');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick is announced even when the text repeats.
  setTimeout(() => (region.textContent = text), 50);
}

export const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
export const STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export function statusBadge(status) {
  return h('span', { class: `badge badge-${String(status).toLowerCase()}` }, status);
}

/**
 * A not-found page in `root`: says what was not found and links back, so a bad link never leaves a
 * blank screen or a spinner. Focus moves to its heading, as on any new page.
 */
export function showNotFound(root, { title, message, back }) {
  const heading = h('h1', { tabindex: -1 }, title);
  replace(
    root,
    h(
      'section',
      { class: 'not-found', 'data-not-found': true },
      heading,
      h('p', {}, message),
      h('p', {}, h('a', { href: back[0] }, back[1])),
    ),
  );
  document.title = `${title} — cutline`;
  heading.focus({ preventScroll: true });
}

/**
 * Clears `messages` (success or error lines about the last action) as soon as the user changes any
 * control in `form`, so an old "Saved" or "Not submitted" never describes the new input.
 */
export function clearOnInput(form, ...messages) {
  const clear = () => {
    for (const m of messages) m.replaceChildren();
  };
  form.addEventListener('input', clear);
  form.addEventListener('change', clear);
}

/**
 * The attributes of a table's scroll box: a wide table scrolls inside it, so it is focusable (keyboard
 * users can scroll it with the arrow keys) and named as a region.
 */
export const tableWrap = (label) => ({
  class: 'table-wrap',
  tabindex: 0,
  role: 'region',
  'aria-label': label,
});
