// The API key: where it is kept, and the one prompt every page shows when there is none or the API
// refused it. Session storage by default (gone with the tab); local storage only when the user ticks
// "Remember in this browser". A refused key is forgotten in both.
import { h, replace } from './dom.js';

const KEY = 'cutline.apiKey';

export const storedKey = () => sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY) ?? '';
export const isRemembered = () => localStorage.getItem(KEY) !== null;

export function forgetKey() {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}

export function keepKey(key, remember) {
  forgetKey();
  (remember ? localStorage : sessionStorage).setItem(KEY, key);
}

/** A 401 or 403 from the API: the key is missing, wrong or revoked (API Gateway answers 403). */
export const isRefusal = (status) => status === 401 || status === 403;

/**
 * The key prompt in `root`; `remember` ticks the box (a refused remembered key asks again, still ticked).
 * `check(key)` asks the API whether it takes the key; after a good one the key
 * is kept and `done()` shows the page the user was on (the hash is never changed).
 */
export function keyPrompt(root, { message, remember: ticked = false, apiUrl, check, done }) {
  const input = h('input', {
    id: 'api-key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'api-key-help',
  });
  const remember = h('input', {
    id: 'remember-key',
    type: 'checkbox',
    checked: ticked,
    'aria-describedby': 'remember-key-help',
  });
  const out = h('p', { class: 'bad', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    {
      class: 'key-form',
      oninput: () => (out.textContent = ''),
      onsubmit: async (e) => {
        e.preventDefault();
        const key = input.value.trim();
        try {
          await check(key);
          keepKey(key, remember.checked);
          done();
        } catch (err) {
          out.textContent = err.refused ? 'That key was refused by the API.' : `${err.code}: ${err.message}`;
          input.focus();
        }
      },
    },
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h(
      'p',
      { id: 'api-key-help', class: 'small muted' },
      'Sent only to the API',
      apiUrl ? ` (${apiUrl})` : '',
      '. `npm start` prints the local key.',
    ),
    h('div', { class: 'check' }, remember, h('label', { for: 'remember-key' }, 'Remember in this browser')),
    h(
      'p',
      { id: 'remember-key-help', class: 'small muted' },
      'Unticked, the key is kept in this tab\u2019s session storage only. Ticked, it stays in this ',
      'browser\u2019s local storage until you press \u201cForget API key\u201d. Do not tick it on a shared computer.',
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Continue'),
    out,
  );
  replace(
    root,
    h('h1', { tabindex: -1 }, message ? 'Enter the API key again' : 'Sign in with an API key'),
    form,
  );
  input.focus();
}
