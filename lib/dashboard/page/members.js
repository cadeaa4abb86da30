// The member table: process, network, Raft role and term, raft index,
// revision, db size and KV hash of every member, the leader marked, a value
// that changed since the last look highlighted for a moment; with --faults, a
// button per fault that makes sense for the member's state.
import { bytes, fill, h, memberColour } from './dom.js';

const COLUMNS = [
  ['name', 'member'], ['process', 'process'], ['network', 'network'], ['role', 'role'], ['term', 'term'],
  ['index', 'raft index'], ['revision', 'revision'], ['db', 'db size'], ['hash', 'kv hash'],
];

const NUMERIC = ['term', 'index', 'revision', 'db', 'hash'];

/** What each cell shows for a member, and its tone. */
function cells(m, info) {
  const process = info.kind === 'shared'
    ? (m.answering ? ['answers', 'good'] : ['no answer', 'bad'])
    : m.condition === 'up' ? ['up', 'good'] : m.condition === 'paused' ? ['paused', 'warn'] : ['down', 'bad'];
  const network = info.kind !== 'faults' ? ['–', ''] : m.isolatedFrom.length === 0 ? ['ok', ''] : m.isolatedFrom.length === info.members.length - 1 ? ['isolated', 'warn'] : [`cut from ${m.isolatedFrom.join(', ')}`, 'warn'];
  const role = m.isLeader ? ['★ leader', 'leader'] : m.leaderName ? [`follows ${m.leaderName}`, ''] : m.answering ? ['no leader', 'warn'] : ['–', 'muted'];
  return {
    process, network, role,
    term: [m.raftTerm ?? '–', ''], index: [m.raftIndex ?? '–', ''], revision: [m.revision ?? '–', ''],
    db: [bytes(m.dbSize), ''], hash: [m.hash === undefined || m.hash === null ? '–' : String(m.hash), ''],
  };
}

export function createMembers(root, info, { fault }) {
  const rows = new Map();
  const head = h('tr', {}, COLUMNS.map(([field, title]) => h('th', { class: NUMERIC.includes(field) ? 'right' : '' }, title)), info.faults ? h('th', {}, 'faults') : null);
  const body = h('tbody');
  for (const name of info.members) {
    const row = h('tr', { dataset: { member: name } });
    for (const [field] of COLUMNS) {
      row.append(h('td', { class: NUMERIC.includes(field) ? 'num' : '', dataset: { field } }));
    }
    row.querySelector('[data-field="name"]').append(h('span', { class: 'swatch', style: { background: memberColour(info.members, name) } }), h('span', { class: 'member-name' }, name));
    let buttons;
    if (info.faults) {
      buttons = Object.fromEntries(['kill', 'restart', 'pause', 'resume', 'isolate'].map((kind) => [kind, h('button', {
        class: `small ${kind === 'kill' ? 'danger' : ''}`, type: 'button', dataset: { action: kind, member: name },
        title: TITLES[kind], onclick: () => fault({ kind, member: name }),
      }, kind)]));
      row.append(h('td', { class: 'actions' }, Object.values(buttons)));
    }
    rows.set(name, { row, buttons, shown: {} });
    body.append(row);
  }
  fill(root, h('table', { class: 'members' }, h('thead', {}, head), body));

  return {
    update(members) {
      for (const m of members) {
        const entry = rows.get(m.name);
        if (!entry) continue;
        const values = cells(m, info);
        entry.row.classList.toggle('is-leader', !!m.isLeader);
        entry.row.classList.toggle('is-down', m.condition !== 'up');
        entry.row.querySelector('[data-field="name"] .member-name').textContent = m.name;
        for (const [field, [text, tone]] of Object.entries(values)) {
          const cell = entry.row.querySelector(`[data-field="${field}"]`);
          const content = field === 'process' ? h('span', { class: `pill ${tone}` }, text) : text;
          if (entry.shown[field] === text) continue;
          fill(cell, content);
          cell.className = `${cell.classList.contains('num') ? 'num ' : ''}${field === 'process' ? '' : tone}`.trim();
          if (entry.shown[field] !== undefined) flash(cell);
          entry.shown[field] = text;
        }
        if (entry.buttons) {
          const c = m.condition;
          entry.buttons.kill.disabled = c === 'down';
          entry.buttons.restart.disabled = c !== 'down';
          entry.buttons.pause.disabled = c !== 'up';
          entry.buttons.resume.disabled = c !== 'paused';
          entry.buttons.isolate.disabled = m.isolatedFrom.length === info.members.length - 1;
        }
      }
    },
  };
}

const TITLES = {
  kill: 'SIGKILL: the member dies at once, as in a power cut',
  restart: 'start it again, with its data',
  pause: 'SIGSTOP: it freezes and answers nothing, its connections stay open',
  resume: 'SIGCONT: it carries on where it stopped',
  isolate: 'cut it off from every other member',
};

/** A value that just changed glows for a moment. */
function flash(cell) {
  cell.classList.remove('changed');
  void cell.offsetWidth; // restart the animation
  cell.classList.add('changed');
}
