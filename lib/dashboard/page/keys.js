// The seed app's four operations: list under a prefix (in etcd's byte order),
// get, put, delete; each answer in the console's words. Through any member,
// or through the one chosen under "via".
import { get, post } from './api.js';
import { fill, h, message, shortValue } from './dom.js';

export function createKeys(root, info, { onWrite, follow }) {
  const key = h('input', { id: 'key', placeholder: 'key, e.g. greeting', autocomplete: 'off', spellcheck: 'false' });
  const value = h('input', { id: 'value', placeholder: 'value', autocomplete: 'off', spellcheck: 'false' });
  const via = h('select', { id: 'via', title: 'which member to ask' }, h('option', { value: '' }, 'any member'), info.members.map((m) => h('option', { value: m }, `via ${m}`)));
  const serializable = h('input', { id: 'serializable', type: 'checkbox' });
  const result = h('div', { id: 'key-result', class: 'result', 'aria-live': 'polite' }, h('span', { class: 'muted' }, 'Get, put or delete a key; list the keys under a prefix.'));
  const prefix = h('input', { id: 'prefix', placeholder: 'prefix (empty: every key)', autocomplete: 'off', spellcheck: 'false' });
  const list = h('div', { id: 'key-list', class: 'key-list' });
  const summary = h('div', { id: 'list-summary', class: 'muted small' });

  const busy = async (button, work) => {
    button.disabled = true;
    try {
      await work();
    } catch (error) {
      fill(result, message({ ok: false, text: error.message }));
    } finally {
      button.disabled = false;
    }
  };
  const need = () => {
    if (key.value === '') {
      fill(result, message({ ok: false, text: 'type a key first' }));
      key.focus();
      return false;
    }
    return true;
  };

  const getButton = h('button', { type: 'button', id: 'get', onclick: () => need() && busy(getButton, async () => {
    fill(result, message(await get('key', { key: key.value, via: via.value, serializable: serializable.checked ? '1' : '' })));
  }) }, 'Get');
  const putButton = h('button', { type: 'button', id: 'put', class: 'primary', onclick: () => need() && busy(putButton, async () => {
    const answer = await post('put', { key: key.value, value: value.value, via: via.value });
    fill(result, message(answer));
    if (answer.ok) onWrite(key.value);
    await refresh();
  }) }, 'Put');
  const deleteButton = h('button', { type: 'button', id: 'delete', onclick: () => need() && busy(deleteButton, async () => {
    fill(result, message(await post('delete', { key: key.value, via: via.value })));
    await refresh();
  }) }, 'Delete');
  const listButton = h('button', { type: 'button', id: 'list', onclick: () => busy(listButton, refresh) }, 'List');
  for (const input of [key, value]) input.addEventListener('keydown', (e) => { if (e.key === 'Enter') putButton.click(); });
  prefix.addEventListener('keydown', (e) => { if (e.key === 'Enter') listButton.click(); });

  async function refresh() {
    const answer = await get('keys', { prefix: prefix.value, via: via.value });
    if (!answer.outcome.answer.ok) {
      fill(summary, message(answer));
      return;
    }
    const { entries, total } = answer.outcome.answer.value;
    fill(summary, message({ text: `${answer.text}${total > entries.length ? `, the first ${entries.length} shown` : ''}`, aside: answer.aside }));
    if (entries.length === 0) {
      fill(list, h('p', { class: 'empty' }, prefix.value ? `No key starts with ${JSON.stringify(prefix.value)}.` : 'No keys yet: put one.'));
      return;
    }
    fill(list, h('table', { class: 'keys' },
      h('thead', {}, h('tr', {}, h('th', {}, 'key'), h('th', {}, 'value'), h('th', { class: 'right' }, 'mod rev'), h('th', {}))),
      h('tbody', {}, entries.map((e) => h('tr', { dataset: { key: e.key } },
        h('td', { class: 'mono' }, h('a', { href: '#', onclick: (ev) => { ev.preventDefault(); key.value = e.key; value.value = e.value; } }, e.key)),
        h('td', { class: 'mono', title: e.value }, shortValue(e.value)),
        h('td', { class: 'num' }, e.modRevision),
        h('td', {}, h('button', { type: 'button', class: 'small link', title: 'see every member\'s copy of this key', onclick: () => follow(e.key) }, 'follow')),
      )))));
  }

  fill(root,
    h('div', { class: 'form-row' }, key, value),
    h('div', { class: 'form-row' }, via, h('label', { class: 'check', title: 'read the member\'s own copy, without asking a quorum (may be stale)' }, serializable, ' serializable'), h('span', { class: 'spacer' }), getButton, putButton, deleteButton),
    result,
    h('div', { class: 'form-row list-row' }, prefix, listButton),
    summary,
    list,
  );
  refresh().catch(() => {});
  return { refresh };
}
