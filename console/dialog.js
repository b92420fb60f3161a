// An accessible confirm: a modal <dialog> (focus kept inside, Escape cancels, focus returns after),
// labelled by its title and described by its message. Resolves true only for the confirm button.
import { h } from './dom.js';

let ids = 0;

export function confirmDialog({ title, message, confirm = 'OK', cancel = 'Cancel' }) {
  const id = `dialog-${++ids}`;
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-message` },
      h('h2', { id: `${id}-title` }, title),
      h('p', { id: `${id}-message` }, message),
      h(
        'form',
        { method: 'dialog', class: 'toolbar' },
        h('button', { value: 'yes', class: 'primary' }, confirm),
        h('button', { value: 'no', autofocus: true }, cancel),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus?.();
      resolve(dialog.returnValue === 'yes');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
