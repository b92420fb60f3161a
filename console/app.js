// The console's shell: configuration, the API key prompt (key.js), the hash router and views.
import { createApi } from './api.js';
import { clipsView } from './clips.js';
import { mixesView } from './mixes.js';
import { projectListView, projectView } from './projects.js';
import { showNotFound } from './dom.js';
import { forgetKey, isRemembered, keyPrompt, storedKey } from './key.js';
import { discardKeptForms, keepForms, restoreForms } from './keep-forms.js';
import { jobListView, jobView } from './jobs.js';
import { submitView } from './submit.js';
import { templateListView, templateView } from './templates.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const keyStatus = document.getElementById('key-status');

/** config.json: `{ apiUrl }`; '' (the local platform) means the API shares this origin. */
const config = await fetch(new URL('config.json', location.href))
  .then((r) => (r.ok ? r.json() : {}))
  .catch(() => ({}));
const apiUrl = String(config.apiUrl ?? '').replace(/\/+$/, '');

let cleanup = () => {};

/** Whether the prompt after a refusal starts ticked: the user had chosen to be remembered. */
let rememberAgain = false;

/**
 * Any call the API refuses (401/403) forgets the key and shows the key prompt in place of the page; the
 * hash stays, so a good key brings the user back to the same page, with what was typed in its forms
 * (keep-forms.js). Several refused calls at once (a page's polls) show the prompt once.
 */
function refused(keyUsed) {
  if (storedKey() !== keyUsed) return;
  rememberAgain = isRemembered();
  forgetKey();
  // A call made after the key was forgotten (a poll, a debounced check) is refused too: the prompt is
  // already shown then, and what was kept from the page stays.
  if (!main.querySelector('form.key-form')) keepForms(main, location.hash);
  route('The API refused the key; enter it again.');
}

const ctx = {
  api: () => {
    const key = storedKey();
    return createApi(apiUrl, key, () => refused(key));
  },
  staticUrl: (name) => new URL(name, location.href).href,
  navigate: (hash) => {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  query: new URLSearchParams(),
  /** Shows an API error in `el`; a refused key has already been handled (the key prompt). */
  onError(err, el) {
    if (err.refused) return;
    el.hidden = false;
    el.textContent = `${err.code}: ${err.message}`;
  },
  notFound: (root, what) => showNotFound(root, what),
};

function route(message) {
  cleanup();
  cleanup = () => {};
  const [path, q] = (location.hash.slice(1) || '/jobs').split('?');
  ctx.query = new URLSearchParams(q ?? '');
  const parts = path.split('/').filter(Boolean);
  const signedIn = !!storedKey();
  nav.hidden = !signedIn;
  keyStatus.hidden = !signedIn;
  for (const a of nav.querySelectorAll('a'))
    a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${parts[0] ?? 'jobs'}`);
  if (!signedIn)
    return keyPrompt(main, {
      message: typeof message === 'string' ? message : undefined,
      remember: typeof message === 'string' && rememberAgain,
      apiUrl,
      check: (key) => createApi(apiUrl, key).call('GET', '/v1/renders?limit=1'),
      done: () => route(),
    });
  const [section, id] = parts;
  if (section === 'jobs' && id) cleanup = jobView(main, ctx, id);
  else if (section === 'submit') cleanup = submitView(main, ctx);
  else if (section === 'clips') cleanup = clipsView(main, ctx);
  else if (section === 'mixes') cleanup = mixesView(main, ctx);
  else if (section === 'projects' && id) cleanup = projectView(main, ctx, id);
  else if (section === 'projects') cleanup = projectListView(main, ctx);
  else if (section === 'templates' && id) cleanup = templateView(main, ctx, id);
  else if (section === 'templates') cleanup = templateListView(main, ctx);
  else if (!section || section === 'jobs') cleanup = jobListView(main, ctx);
  else
    showNotFound(main, {
      title: 'Page not found',
      message: `The console has no page at ${location.hash}.`,
      back: ['#/jobs', 'Go to the jobs list'],
    });
  // Move focus to the new page's heading, as a page load would, so keyboard and screen-reader users start there.
  main.querySelector('h1')?.focus({ preventScroll: true });
  restoreForms(main, location.hash);
  document.title = `${main.querySelector('h1')?.textContent ?? 'Console'} — cutline`;
}

document.getElementById('sign-out').addEventListener('click', () => {
  forgetKey();
  discardKeptForms();
  route();
});
window.addEventListener('hashchange', () => route());
// A link to the page already shown opens it afresh (the hash does not change, so no hashchange): its
// messages from earlier actions go, as after any navigation.
document.addEventListener('click', (e) => {
  const a = e.target.closest?.('a[href^="#/"]');
  if (!a || a.getAttribute('href') !== location.hash || e.defaultPrevented) return;
  e.preventDefault();
  route();
});
route();
