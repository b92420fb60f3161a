// The New render draft in session storage: its text, and the text it was last loaded as (an example or
// a job's request), so a draft the user changed is told apart and never replaced without asking.
import { confirmDialog } from './dialog.js';

const DRAFT = 'cutline.draft';
const LOADED = 'cutline.draft.loaded';

export const draftText = () => sessionStorage.getItem(DRAFT) ?? '';
export const saveDraft = (text) => sessionStorage.setItem(DRAFT, text);

/** Makes `text` the draft, as loaded (not typed): replacing it later needs no question. */
export function loadDraft(text) {
  sessionStorage.setItem(DRAFT, text);
  sessionStorage.setItem(LOADED, text);
}

export function changedDraft(text = draftText()) {
  const t = text.trim();
  return t !== '' && t !== (sessionStorage.getItem(LOADED) ?? '').trim();
}

/**
 * True when the draft may be replaced: it is unchanged, or the user confirms. `what` says what replaces
 * it ("Loading the example “hello”"); `confirm` is the confirm button's text.
 */
export async function mayReplaceDraft({ what, confirm, text }) {
  if (!changedDraft(text)) return true;
  return confirmDialog({
    title: 'Replace your draft?',
    message: `${what} replaces the edit you changed. This cannot be undone.`,
    confirm,
    cancel: 'Keep my draft',
  });
}
