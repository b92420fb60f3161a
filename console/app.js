// The console's shell: configuration, the API key (session storage only), the hash router and views.
import { createApi } from './api.js';
import { clipsView } from './clips.js';
import { mixesView } from './mixes.js';
import { projectListView, projectView } from './projects.js';
import { h, replace } from './dom.js';
import { jobListView, jobView } from './jobs.js';
import { submitView } from './submit.js';
import { templateListView, templateView } from './templates.js';

const KEY = 'cutline.apiKey';
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const keyStatus = document.getElementById('key-status');

/** config.json: `{ apiUrl }`; '' (the local platform) means the API shares this origin. */
const config = await fetch(new URL('config.json', location.href))
  .then((r) => (r.ok ? r.json() : {}))
  .catch(() => ({}));
const apiUrl = String(config.apiUrl ?? '').replace(/\/+$/, '');

let cleanup = () => {};

const ctx = {
  api: () => createApi(apiUrl, sessionStorage.getItem(KEY) ?? ''),
  staticUrl: (name) => new URL(name, location.href).href,
  navigate: (hash) => {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  query: new URLSearchParams(),
  /** Shows an API error in `el`; a refused key sends the user back to the key form. */
  onError(err, el) {
    if (err.status === 403) {
      sessionStorage.removeItem(KEY);
      route('The API refused the key; enter it again.');
      return;
    }
    el.hidden = false;
    el.textContent = `${err.code}: ${err.message}`;
  },
};

function keyView(message) {
  const input = h('input', {
    id: 'api-key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'api-key-help',
  });
  const out = h('p', { class: 'bad', role: 'alert' }, message ?? '');
  replace(
    main,
    h('h1', { tabindex: -1 }, 'Sign in with an API key'),
    h(
      'form',
      {
        class: 'key-form',
        onsubmit: async (e) => {
          e.preventDefault();
          const key = input.value.trim();
          try {
            await createApi(apiUrl, key).call('GET', '/v1/renders?limit=1');
            sessionStorage.setItem(KEY, key);
            route();
          } catch (err) {
            out.textContent =
              err.status === 403 ? 'That key was refused by the API.' : `${err.code}: ${err.message}`;
            input.focus();
          }
        },
      },
      h('label', { for: 'api-key' }, 'API key'),
      input,
      h(
        'p',
        { id: 'api-key-help', class: 'small muted' },
        'Kept in this tab\u2019s session storage only, and sent only to the API',
        apiUrl ? ` (${apiUrl})` : '',
        '. `npm start` prints the local key.',
      ),
      h('button', { type: 'submit', class: 'primary' }, 'Continue'),
      out,
    ),
  );
  input.focus();
}

function route(message) {
  cleanup();
  cleanup = () => {};
  const [path, q] = (location.hash.slice(1) || '/jobs').split('?');
  ctx.query = new URLSearchParams(q ?? '');
  const parts = path.split('/').filter(Boolean);
  const signedIn = !!sessionStorage.getItem(KEY);
  nav.hidden = !signedIn;
  keyStatus.hidden = !signedIn;
  for (const a of nav.querySelectorAll('a'))
    a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${parts[0] ?? 'jobs'}`);
  if (!signedIn) return keyView(typeof message === 'string' ? message : undefined);
  const [section, id] = parts;
  if (section === 'jobs' && id) cleanup = jobView(main, ctx, id);
  else if (section === 'submit') cleanup = submitView(main, ctx);
  else if (section === 'clips') cleanup = clipsView(main, ctx);
  else if (section === 'mixes') cleanup = mixesView(main, ctx);
  else if (section === 'projects' && id) cleanup = projectView(main, ctx, id);
  else if (section === 'projects') cleanup = projectListView(main, ctx);
  else if (section === 'templates' && id) cleanup = templateView(main, ctx, id);
  else if (section === 'templates') cleanup = templateListView(main, ctx);
  else cleanup = jobListView(main, ctx);
  // Move focus to the new page's heading, as a page load would, so keyboard and screen-reader users start there.
  main.querySelector('h1')?.focus({ preventScroll: true });
  document.title = `${main.querySelector('h1')?.textContent ?? 'Console'} — cutline`;
}

document.getElementById('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  route();
});
window.addEventListener('hashchange', () => route());
route();
