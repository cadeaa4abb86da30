// The event log: every write and fault of this dashboard, newest first, with
// its time and outcome (which member answered, or why it failed).
import { clock, fill, h } from './dom.js';

const SHOWN = 200;

export function createLog(root) {
  const list = h('ol', { class: 'log', id: 'event-log', reversed: true });
  fill(root, list);
  let entries = [];

  function render() {
    if (entries.length === 0) {
      fill(list, h('li', { class: 'empty' }, 'Writes and faults appear here, with their outcome.'));
      return;
    }
    fill(list, entries.slice(-SHOWN).reverse().map((e) => h('li', { class: `entry ${e.kind} ${e.ok === false ? 'failed' : e.ok ? 'done' : ''}`, dataset: { id: e.id } },
      h('time', { datetime: new Date(e.at).toISOString() }, clock(e.at)),
      h('span', { class: `kind ${e.kind}` }, e.kind),
      h('span', { class: 'title mono' }, e.title),
      h('span', { class: 'outcome' }, h('span', { class: e.ok === false ? 'mark bad' : 'mark ok' }, e.ok === false ? '✖' : '✔'), ' ', e.text, e.aside ? h('span', { class: 'aside' }, ` ${e.aside}`) : null),
    )));
  }

  return {
    get entries() { return entries; },
    reset(all) {
      entries = [...all];
      render();
    },
    add(entry) {
      if (entries.some((e) => e.id === entry.id)) return;
      entries.push(entry);
      render();
    },
  };
}
