/**
 * The timeline: an inline SVG of one part's operations over time, one row
 * per client, each operation a bar from its call to its return, coloured by
 * outcome (ok, fail, unknown; an unknown one runs on to the right edge, since
 * it may take effect at any later time). A bar is labelled with the
 * operation (`APPEND x3`, `GET → [x1,x3]`) and, when it is part of the longest
 * justified order, its step number there (`#12`). The operation that cannot
 * be placed is outlined in red, the others refused after the same order in
 * dashed red. On the same time axis, above the clients: a row of faults
 * (kill, partition, heal, restart, notes), each also a vertical line through
 * the clients' rows, and a row for the leader, a band per leader from one
 * change to the next (the leader before the window carries into it).
 *
 * Text is cut to fit its bar; the full text is in a tooltip (`<title>`).
 */
import type { HistoryEvent, Operation } from '../operation.ts';
import { clip, esc, ms, num } from './html.ts';

export type TimelineInput = {
  operations: readonly Operation[];
  label: (op: Operation) => string;
  /** Operation id → its step (1-based) in the longest justified order. */
  steps: ReadonlyMap<number, number>;
  blocked?: number;
  refused: ReadonlySet<number>;
  events: readonly HistoryEvent[];
  /** Makes the SVG's ids unique in a page with several timelines. */
  idPrefix: string;
};

const WIDTH = 1100;
const LEFT = 130;
const RIGHT = 30;
const LANE = 28;
const BAR = 20;
const CHAR = 6.4; // width of one character of the bars' 11px monospace font
const FAULT_LINE = 16;
const LEADER_ROW = 18;
const MAX_LABEL = 40;

/**
 * Labels at given x positions on up to 3 lines: each goes on the first line
 * where it does not run into the one before it, cut to fit where none is
 * free (a label with fewer than 3 characters left is not drawn: its tooltip
 * still says everything).
 */
function placeLabels(labels: { x: number; text: string }[]): { line: number; chars: number }[] {
  const ends = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const out = labels.map(() => ({ line: 0, chars: 0 }));
  const order = labels.map((l, i) => ({ ...l, i })).sort((a, b) => a.x - b.x);
  for (const l of order) {
    const want = Math.min(l.text.length, MAX_LABEL);
    let line = ends.findIndex((end) => end + 6 <= l.x);
    if (line === -1) line = ends.indexOf(Math.min(...ends));
    const room = Math.floor((WIDTH - l.x - 6) / CHAR);
    const chars = Math.max(0, Math.min(want, room));
    out[l.i] = { line, chars: ends[line] + 6 <= l.x ? chars : 0 };
    if (out[l.i].chars) ends[line] = l.x + 3 + out[l.i].chars * CHAR;
  }
  return out;
}

export function renderTimeline(input: TimelineInput): string {
  const ops = input.operations;
  if (!ops.length) return '<p class="muted">No operations to draw.</p>';
  const t0 = Math.min(...ops.map((o) => o.call));
  let t1 = Math.max(...ops.map((o) => o.return ?? o.call));
  if (t1 - t0 < 1e-9) t1 = t0 + 1;
  const span = (t1 - t0) * 1.04;
  const plot = WIDTH - LEFT - RIGHT;
  const x = (t: number) => LEFT + ((t - t0) / span) * plot;
  const rightEdge = WIDTH - RIGHT + 12;
  const inWindow = (at: number) => at >= t0 && at <= t0 + span;

  // Faults (and notes) get a row of labels, in up to 3 lines when they crowd, and a line down through the clients;
  // the leader gets a row of its own, a band per leader from one change to the next.
  const faults = input.events.filter((e) => e.kind !== 'leader' && inWindow(e.at));
  const placed = placeLabels(faults.map((e) => ({ x: x(e.at), text: e.text })));
  const faultLines = faults.length ? Math.max(...placed.map((p) => p.line)) + 1 : 0;
  const changes = input.events.filter((e) => e.kind === 'leader').sort((a, b) => a.at - b.at);
  const bands = changes
    .map((e, i) => ({ event: e, from: Math.max(e.at, t0), to: Math.min(changes[i + 1]?.at ?? Number.POSITIVE_INFINITY, t0 + span) }))
    .filter((b) => b.to > b.from);
  const faultTop = 24;
  const leaderTop = faultTop + faultLines * FAULT_LINE + (faultLines ? 4 : 0);
  const top = leaderTop + (bands.length ? LEADER_ROW + 8 : 0) + 6;

  const lanes = assignLanes(ops);
  const clients = [...new Set(ops.map((o) => String(o.client)))].sort(naturalOrder);
  const rowTop = new Map<string, number>();
  let y = top;
  for (const c of clients) {
    rowTop.set(c, y);
    y += LANE * (lanes.countOf.get(c) ?? 1) + 6;
  }
  const height = y + 10;

  const parts: string[] = [];
  parts.push(`<svg class="timeline" width="${WIDTH}" height="${num(height)}" viewBox="0 0 ${WIDTH} ${num(height)}" role="img" aria-label="operations over time">`);
  parts.push(
    `<defs><linearGradient id="${esc(input.idPrefix)}-fade" x1="0" x2="1" y1="0" y2="0"><stop offset="0" stop-color="#e9a23b"/><stop offset="1" stop-color="#e9a23b" stop-opacity="0.15"/></linearGradient></defs>`,
  );

  // Axis and grid.
  for (const t of ticks(t0, t0 + span)) {
    parts.push(`<line class="grid" x1="${num(x(t))}" x2="${num(x(t))}" y1="18" y2="${num(height - 6)}"/>`);
    parts.push(`<text class="tick" x="${num(x(t))}" y="12" text-anchor="middle">${esc(ms(t))}</text>`);
  }
  // Client rows.
  for (const c of clients) {
    const ry = rowTop.get(c)!;
    const rh = LANE * (lanes.countOf.get(c) ?? 1);
    parts.push(`<rect class="row" x="0" y="${num(ry - 2)}" width="${WIDTH}" height="${num(rh + 2)}"/>`);
    parts.push(`<text class="client" x="8" y="${num(ry + BAR / 2 + 4)}">${esc(clip(`client ${c}`, 19))}<title>${esc(`client ${c}`)}</title></text>`);
  }
  // The leader over time.
  if (bands.length) {
    parts.push(`<text class="client" x="8" y="${num(leaderTop + LEADER_ROW / 2 + 4)}">leader</text>`);
    for (const b of bands) {
      const bx = x(b.from);
      const w = Math.max(2, x(b.to) - bx);
      const none = /^no leader/.test(b.event.text);
      parts.push(`<g class="leader${none ? ' none' : ''}"><rect x="${num(bx)}" y="${num(leaderTop)}" width="${num(w)}" height="${LEADER_ROW}" rx="2"/>`);
      const fits = Math.floor((w - 6) / CHAR);
      if (fits >= 3) parts.push(`<text x="${num(bx + 3)}" y="${num(leaderTop + LEADER_ROW / 2 + 4)}">${esc(clip(b.event.text, fits))}</text>`);
      parts.push(`<title>${esc(`${ms(b.event.at)}: ${b.event.text}`)}</title></g>`);
    }
  }
  // Faults: a line through every row, the label above.
  if (faults.length) parts.push(`<text class="client" x="8" y="${num(faultTop + FAULT_LINE / 2 + 4)}">faults</text>`);
  faults.forEach((e, i) => {
    const ex = x(e.at);
    const label = placed[i];
    const ly = faultTop + label.line * FAULT_LINE + FAULT_LINE / 2 + 4;
    parts.push(`<g class="event ${esc(e.kind)}"><line x1="${num(ex)}" x2="${num(ex)}" y1="${num(faultTop + label.line * FAULT_LINE + 2)}" y2="${num(height - 6)}"/>`);
    if (label.chars >= 3) parts.push(`<text x="${num(ex + 3)}" y="${num(ly)}">${esc(clip(e.text, label.chars))}</text>`);
    parts.push(`<title>${esc(`${ms(e.at)}: ${e.kind}: ${e.text}`)}</title></g>`);
  });

  // Operations. A label that does not fit its bar goes after it, as far as the next bar of the lane allows.
  const nextStart = new Map<Operation, number>();
  const lastInLane = new Map<string, Operation>();
  for (const op of [...ops].sort((a, b) => b.call - a.call)) {
    const lane = `${String(op.client)}/${lanes.laneOf.get(op)}`;
    const after = lastInLane.get(lane);
    nextStart.set(op, after ? x(after.call) : rightEdge + RIGHT);
    lastInLane.set(lane, op);
  }
  for (const op of ops) {
    const c = String(op.client);
    const by = rowTop.get(c)! + LANE * lanes.laneOf.get(op)!;
    const bx = x(op.call);
    const end = op.outcome === 'unknown' ? rightEdge : Math.max(x(op.return!), bx + 3);
    const w = end - bx;
    const step = input.steps.get(op.id);
    const text = `${step ? `#${step} ` : ''}${input.label(op)}${op.outcome === 'unknown' ? ' (unknown)' : op.outcome === 'fail' ? ' (fail)' : ''}`;
    const classes = ['op', op.outcome, op.id === input.blocked ? 'blocked' : '', input.refused.has(op.id) ? 'refused' : '', step ? 'placed' : ''].filter(Boolean).join(' ');
    const when = op.outcome === 'unknown' ? `called ${ms(op.call)}, never returned` : `${ms(op.call)} → ${ms(op.return!)}`;
    parts.push(`<g class="${classes}" data-op="${esc(op.id)}" tabindex="0">`);
    parts.push(`<title>${esc(`operation ${op.id}, client ${c}: ${text}\n${when}, outcome ${op.outcome}`)}</title>`);
    const fill = op.outcome === 'unknown' ? ` fill="url(#${esc(input.idPrefix)}-fade)"` : '';
    parts.push(`<rect x="${num(bx)}" y="${num(by)}" width="${num(w)}" height="${BAR}" rx="3"${fill}/>`);
    const inside = Math.floor((w - 6) / CHAR);
    const outside = Math.floor((nextStart.get(op)! - end - 8) / CHAR);
    if (inside >= Math.min(text.length, 8)) parts.push(`<text x="${num(bx + 4)}" y="${num(by + BAR / 2 + 4)}">${esc(clip(text, inside))}</text>`);
    else if (outside >= Math.max(inside, 3)) parts.push(`<text class="outside" x="${num(end + 3)}" y="${num(by + BAR / 2 + 4)}">${esc(clip(text, outside))}</text>`);
    else if (inside >= 3) parts.push(`<text x="${num(bx + 4)}" y="${num(by + BAR / 2 + 4)}">${esc(clip(text, inside))}</text>`);
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Overlapping operations of one client (a client that did not wait for its answers) go on lanes below each other. */
function assignLanes(ops: readonly Operation[]): { laneOf: Map<Operation, number>; countOf: Map<string, number> } {
  const laneOf = new Map<Operation, number>();
  const countOf = new Map<string, number>();
  const ends = new Map<string, number[]>();
  for (const op of [...ops].sort((a, b) => a.call - b.call)) {
    const c = String(op.client);
    const laneEnds = ends.get(c) ?? [];
    let lane = laneEnds.findIndex((end) => end < op.call);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = op.return ?? Infinity;
    ends.set(c, laneEnds);
    laneOf.set(op, lane);
    countOf.set(c, Math.max(countOf.get(c) ?? 1, lane + 1));
  }
  return { laneOf, countOf };
}

/** Round tick marks: steps of 1, 2 or 5 times a power of ten, about 8 of them. */
function ticks(from: number, to: number): number[] {
  const raw = (to - from) / 8;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
