// The timeline: per member over the last minutes, what it was (leader,
// follower, without a leader, paused, down) with its Raft term, and below,
// its raft index; every fault is a dashed line across both, so an election
// after a kill is something to point at. Inline SVG, drawn anew on each look.
import { fill, h, memberColour, s } from './dom.js';

const LEFT = 64;
const RIGHT = 16;
/** Room above the lanes for three rows of fault labels. */
const TOP = 46;
const LABEL_ROW = 12;
const LANE = 22;
const GAP = 6;
const INDEX_HEIGHT = 120;
const AXIS = 24;
const MIN_WINDOW = 60_000;

export function createTimeline(root, info) {
  const holder = h('div', { class: 'chart', id: 'timeline-chart' });
  const legend = h('div', { class: 'legend' },
    [['leader', 'leader (its term inside)'], ['follower', 'follower'], ['candidate', 'no leader'], ['paused', 'paused'], ['down', 'down'], ['silent', 'no answer']]
      .map(([k, text]) => h('span', { class: 'legend-item' }, h('span', { class: `legend-box lane-${k}` }), text)),
    h('span', { class: 'legend-item' }, h('span', { class: 'legend-mark' }), 'fault'));
  fill(root, holder, legend);

  return {
    draw(history, log) {
      const width = Math.max(480, holder.clientWidth || 800);
      const now = history.length ? history[history.length - 1].at : Date.now();
      const span = history.length ? now - history[0].at : 0;
      const window = Math.min(info.historyMs, Math.max(MIN_WINDOW, span));
      const from = now - window;
      const x = (t) => LEFT + ((t - from) / window) * (width - LEFT - RIGHT);
      const lanesBottom = TOP + info.members.length * (LANE + GAP);
      const indexTop = lanesBottom + 18;
      const height = indexTop + INDEX_HEIGHT + AXIS;
      const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Raft term, leader and raft index of each member over time' });
      const samples = history.filter((p) => p.at >= from - 1000);

      // Lanes: runs of the same state, the term written in each leader run.
      info.members.forEach((name, i) => {
        const y = TOP + i * (LANE + GAP);
        svg.append(s('text', { x: LEFT - 10, y: y + LANE / 2 + 4, class: 'lane-name', 'text-anchor': 'end', fill: memberColour(info.members, name) }, name));
        svg.append(s('rect', { x: LEFT, y, width: width - LEFT - RIGHT, height: LANE, class: 'lane-bg' }));
        for (const run of runs(samples, name)) {
          const x0 = Math.max(LEFT, x(run.from));
          const x1 = x(run.to);
          const w = Math.max(1.5, x1 - x0);
          const rect = s('rect', { x: x0, y, width: w, height: LANE, class: `lane-${run.state}`, rx: 2 });
          if (run.state === 'leader' || run.state === 'follower') rect.setAttribute('fill', memberColour(info.members, name));
          rect.append(s('title', {}, `${name}: ${LABELS[run.state]}${run.term !== undefined ? `, term ${run.term}` : ''}`));
          svg.append(rect);
          if (run.term !== undefined && w > 46 && run.state !== 'down' && run.state !== 'paused') {
            svg.append(s('text', { x: x0 + 6, y: y + LANE / 2 + 4, class: run.state === 'leader' ? 'lane-term on-dark' : 'lane-term' }, `term ${run.term}`));
          }
        }
      });

      // Raft index: one line per member, broken where it did not answer.
      const indexes = samples.flatMap((p) => Object.values(p.members).map((m) => m.index).filter((v) => v !== undefined));
      const low = indexes.length ? Math.min(...indexes) : 0;
      const high = indexes.length ? Math.max(...indexes) : 1;
      const pad = Math.max(1, Math.round((high - low) * 0.08));
      const y = (v) => indexTop + INDEX_HEIGHT - ((v - (low - pad)) / (high + pad - (low - pad))) * INDEX_HEIGHT;
      svg.append(s('rect', { x: LEFT, y: indexTop, width: width - LEFT - RIGHT, height: INDEX_HEIGHT, class: 'plot-bg' }));
      svg.append(s('text', { x: LEFT - 10, y: indexTop + 12, class: 'axis-label', 'text-anchor': 'end' }, String(high)));
      svg.append(s('text', { x: LEFT - 10, y: indexTop + INDEX_HEIGHT, class: 'axis-label', 'text-anchor': 'end' }, String(low)));
      svg.append(s('text', { x: LEFT - 10, y: indexTop + INDEX_HEIGHT / 2 + 4, class: 'axis-title', 'text-anchor': 'end' }, 'raft index'));
      info.members.forEach((name) => {
        for (const line of lines(samples, name)) {
          svg.append(s('polyline', { points: line.map((p) => `${x(p.at).toFixed(1)},${y(p.index).toFixed(1)}`).join(' '), class: 'index-line', stroke: memberColour(info.members, name) }));
        }
      });

      // Time axis.
      const step = window > 180_000 ? 60_000 : window > 90_000 ? 30_000 : 15_000;
      for (let t = now - step * Math.floor(window / step); t <= now; t += step) {
        if (t < from) continue;
        const back = Math.round((now - t) / 1000);
        svg.append(s('line', { x1: x(t), x2: x(t), y1: TOP - 4, y2: indexTop + INDEX_HEIGHT, class: 'grid' }));
        svg.append(s('text', { x: x(t), y: height - 6, class: 'axis-label', 'text-anchor': back === 0 ? 'end' : 'middle' }, back === 0 ? 'now' : `−${Math.floor(back / 60)}:${String(back % 60).padStart(2, '0')}`));
      }

      // Faults: a dashed line and what it was; each label in the first of three rows where it overlaps no other.
      const rows = [[], [], []];
      for (const e of log.filter((entry) => entry.kind === 'fault' && entry.at >= from)) {
        const mx = x(Math.min(e.at, now));
        const w = e.title.length * 6.3 + 4;
        const end = mx + 3 + w > width - RIGHT;
        const x0 = end ? mx - 3 - w : mx + 3;
        const row = rows.findIndex((taken) => taken.every(([a, b]) => x0 + w < a || x0 > b));
        const r = row < 0 ? rows.length - 1 : row;
        rows[r].push([x0, x0 + w]);
        const y = 12 + r * LABEL_ROW;
        svg.append(s('line', { x1: mx, x2: mx, y1: y - 9, y2: indexTop + INDEX_HEIGHT, class: `fault-mark${e.ok === false ? ' failed' : ''}` }));
        svg.append(s('text', { x: end ? mx - 3 : mx + 3, y, class: 'fault-label', 'text-anchor': end ? 'end' : 'start' }, e.title));
      }
      fill(holder, svg);
    },
  };
}

const LABELS = { leader: 'leader', follower: 'follower', candidate: 'no leader', paused: 'paused', down: 'down', silent: 'no answer' };

function stateOf(m) {
  if (!m) return undefined;
  if (m.c === 'down') return 'down';
  if (m.c === 'paused') return 'paused';
  if (!m.a) return 'silent';
  if (m.l) return 'leader';
  return m.k ? 'follower' : 'candidate';
}

/** Consecutive samples of one member in the same state and term. */
function runs(samples, name) {
  const out = [];
  for (let i = 0; i < samples.length; i++) {
    const m = samples[i].members[name];
    const state = stateOf(m);
    if (!state) continue;
    const term = m.term;
    const next = samples[i + 1]?.at ?? samples[i].at + 500;
    const last = out[out.length - 1];
    if (last && last.state === state && last.term === term && last.to >= samples[i].at - 2500) last.to = next;
    else out.push({ state, term, from: samples[i].at, to: next });
  }
  return out;
}

/** Runs of samples where the member told its raft index. */
function lines(samples, name) {
  const out = [];
  let current = null;
  for (const p of samples) {
    const index = p.members[name]?.index;
    if (index === undefined) {
      current = null;
      continue;
    }
    if (!current) out.push((current = []));
    current.push({ at: p.at, index });
  }
  return out.filter((l) => l.length > 0);
}
