// Replication: each member's own copy of the keys you follow (serializable
// reads: what that member has, not what a quorum says), value and mod
// revision side by side. A copy that differs from the copy of the member
// with the newest data is marked stale: a member cut off from the others
// keeps its old value until the partition heals, then catches up.
import { fill, h, memberColour, shortValue } from './dom.js';

const MAX = 12;
const STORE = 'etcd-dashboard-followed';

export function createReplication(root, info, { onChange }) {
  let followed = JSON.parse(sessionStorage.getItem(STORE) ?? '[]');
  let last = { copies: [], members: [] };
  const input = h('input', { id: 'follow-key', placeholder: 'a key to follow', autocomplete: 'off', spellcheck: 'false' });
  const chips = h('div', { class: 'chips', id: 'followed' });
  const table = h('div', { id: 'replication-table' });
  const addButton = h('button', { type: 'button', id: 'follow', onclick: () => { follow(input.value); input.value = ''; } }, 'Follow');
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') addButton.click(); });

  function set(keys) {
    followed = keys.slice(-MAX);
    sessionStorage.setItem(STORE, JSON.stringify(followed));
    renderChips();
    render();
    onChange(followed);
  }

  function follow(key) {
    if (!key || followed.includes(key)) return;
    set([...followed, key]);
  }

  function renderChips() {
    fill(chips, followed.map((k) => h('span', { class: 'chip mono' }, k, h('button', { type: 'button', class: 'chip-x', title: `stop following ${k}`, 'aria-label': `stop following ${k}`, onclick: () => set(followed.filter((f) => f !== k)) }, '×'))));
  }

  function render() {
    if (followed.length === 0) {
      fill(table, h('p', { class: 'empty' }, 'Follow a key (every key you put is followed) to see each member\'s own copy of it.'));
      return;
    }
    const byMember = new Map(last.copies.map((c) => [c.member, c]));
    // The member with the newest data (highest revision) is the reference; a copy that differs from its copy is stale.
    const answering = last.members.filter((m) => m.answering && m.revision !== undefined);
    const newest = answering.reduce((a, b) => (!a || BigInt(b.revision) > BigInt(a.revision) ? b : a), undefined);
    const reference = newest && byMember.get(newest.name)?.copies;
    fill(table, h('table', { class: 'replication' },
      h('thead', {}, h('tr', {}, h('th', {}, 'key'), info.members.map((m) => h('th', {}, h('span', { class: 'swatch', style: { background: memberColour(info.members, m) } }), m)))),
      h('tbody', {}, followed.map((key) => h('tr', { dataset: { key } },
        h('th', { class: 'mono key', title: key }, key),
        info.members.map((m) => cell(key, m, byMember.get(m), reference)),
      )))));
  }

  function cell(key, member, entry, reference) {
    const attrs = { dataset: { key, member } };
    if (!entry) return h('td', { ...attrs, class: 'copy muted' }, '…');
    if (entry.error) return h('td', { ...attrs, class: 'copy unreachable', title: entry.error }, h('span', { class: 'muted' }, entry.error.replace(`${member} `, '').replace(/ \(.*$/, '')));
    if (!(key in (entry.copies ?? {}))) return h('td', { ...attrs, class: 'copy muted' }, '…');
    const copy = entry.copies[key] ?? null;
    const ref = reference ? reference[key] ?? null : copy;
    const stale = reference !== undefined && (copy?.modRevision ?? null) !== (ref?.modRevision ?? null);
    attrs.dataset.stale = String(stale);
    attrs.dataset.value = copy ? copy.value : '';
    attrs.dataset.modRevision = copy ? copy.modRevision : '';
    return h('td', { ...attrs, class: `copy${stale ? ' stale' : ''}`, title: stale ? `behind: the newest copy is ${ref ? `${JSON.stringify(ref.value)} (mod revision ${ref.modRevision})` : 'none (deleted)'}` : '' },
      copy ? [h('span', { class: 'mono value' }, shortValue(copy.value, 24)), h('span', { class: 'rev' }, `rev ${copy.modRevision}`)] : h('span', { class: 'muted' }, '(none)'),
      stale ? h('span', { class: 'tag' }, 'stale') : null);
  }

  fill(root, h('div', { class: 'form-row' }, input, addButton), chips, table);
  renderChips();
  render();
  return {
    get followed() { return followed; },
    follow,
    update(state) {
      last = state;
      render();
    },
  };
}
