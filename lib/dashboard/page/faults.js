// Faults (with --faults): a partition built by putting each member on one of
// two sides, and heal. (Kill, restart, pause, resume and isolate are buttons
// in the member table.) Every action's result shows here and in the log.
import { fill, h, memberColour, message } from './dom.js';

export function createFaults(root, info, { fault }) {
  const majority = Math.floor(info.members.length / 2) + 1;
  const side = new Map(info.members.map((m, i) => [m, i < majority ? 'A' : 'B']));
  const result = h('div', { id: 'fault-result', class: 'result', 'aria-live': 'polite' }, h('span', { class: 'muted' }, 'Kill, pause or isolate a member with the buttons in its row, or cut the cluster in two here.'));
  const sides = h('div', { class: 'sides' });

  function renderSides() {
    fill(sides, info.members.map((m) => h('div', { class: 'side-pick', dataset: { member: m } },
      h('span', { class: 'swatch', style: { background: memberColour(info.members, m) } }), h('span', { class: 'member-name' }, m),
      h('span', { class: 'segmented' }, ['A', 'B'].map((s) => h('button', {
        type: 'button', class: side.get(m) === s ? 'on' : '', dataset: { side: s }, 'aria-pressed': String(side.get(m) === s),
        onclick: () => { side.set(m, s); renderSides(); },
      }, s))))));
  }

  const partition = h('button', { type: 'button', id: 'partition', class: 'warn', onclick: () => {
    const groups = ['A', 'B'].map((s) => info.members.filter((m) => side.get(m) === s));
    run(partition, { kind: 'partition', groups });
  } }, 'Partition A | B');
  const heal = h('button', { type: 'button', id: 'heal', class: 'good', onclick: () => run(heal, { kind: 'heal' }) }, 'Heal every link');

  async function run(button, request) {
    button.disabled = true;
    try {
      await fault(request);
    } finally {
      button.disabled = false;
    }
  }

  fill(root, h('div', { class: 'partition' }, h('span', { class: 'label' }, 'Sides'), sides, partition, heal), result);
  renderSides();
  return {
    show(answer) {
      fill(result, message(answer));
    },
  };
}
