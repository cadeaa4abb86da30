/**
 * The report: one self-contained HTML page (inline CSS, SVG and a few lines
 * of script; nothing fetched, so it opens from disk anywhere) that explains
 * why a history is not linearizable, one section per failing key:
 *
 * - the anomalies the direct checks named, in words;
 * - the first operation that cannot be placed, with the model's reason;
 * - the timeline around it (about 40 operations; how many are left out is
 *   said), one row per client, with the events (faults) on the same axis;
 * - the longest order the checker could justify, step by step with the
 *   state after each step, ending with the operation that does not fit.
 *
 * Clicking a bar or a step highlights the same operation in both places.
 */
import type { Anomaly } from '../anomaly.ts';
import type { Operation } from '../operation.ts';
import type { CheckResult, PartResult } from '../result.ts';
import { clip, esc, ms } from './html.ts';
import { renderTimeline } from './timeline.ts';
import { windowAround } from './window.ts';

const MAX_PARTS = 10;
const MAX_STEPS = 30;
const MAX_ANOMALIES = 20;

const verdictWords = { linearizable: 'linearizable', 'not-linearizable': 'not linearizable', unknown: 'unknown (the search ran out of time)' };

export function renderReport(result: CheckResult): string {
  const failing = result.parts.filter((p) => p.verdict === 'not-linearizable');
  const shown = failing.slice(0, MAX_PARTS);
  const operations = result.parts.reduce((sum, p) => sum + p.operations.length, 0);
  const title = `History check: ${verdictWords[result.verdict]}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<title>${esc(title)}${result.file ? ` — ${esc(result.file)}` : ''}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1 class="${esc(result.verdict)}">${esc(verdictWords[result.verdict])}</h1>`,
    `<p class="muted">${result.file ? `<code>${esc(result.file)}</code> · ` : ''}model <code>${esc(result.model.name)}</code> · ${esc(operations.toLocaleString('en-US'))} operations in ${esc(result.parts.length)} key${result.parts.length === 1 ? '' : 's'} · checked in ${esc(ms(result.ms))}</p>`,
    `<p>${esc(EXPLANATION)}</p>`,
    '<ul class="parts">',
    ...result.parts.map((p) => `<li class="${esc(p.verdict)}">key <code>${esc(p.key)}</code>: ${esc(verdictWords[p.verdict])} (${esc(p.operations.length)} operations)${p.verdict === 'not-linearizable' && shown.includes(p) ? ` — <a href="#part-${result.parts.indexOf(p)}">details</a>` : ''}</li>`),
    '</ul>',
    failing.length > shown.length ? `<p class="muted">${esc(failing.length - shown.length)} more failing keys are not shown.</p>` : '',
    '</header>',
    ...shown.map((p) => renderPart(result, p, result.parts.indexOf(p))),
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const EXPLANATION =
  'A history is linearizable when its operations can be put in one order, each taking effect at some instant between its call and its return, ' +
  'such that a single correct store running them one after another gives exactly the answers the clients got. ' +
  'For each failing key below, the checker shows the longest such order it could find and the operation that cannot come next.';

/** Anomalies grouped by kind, each group in the order its first one shows, the groups too. */
function byKind(anomalies: readonly Anomaly[]): Anomaly[][] {
  const groups = new Map<string, Anomaly[]>();
  for (const a of anomalies) {
    const group = groups.get(a.kind);
    if (group) group.push(a);
    else groups.set(a.kind, [a]);
  }
  return [...groups.values()];
}

/** An operation of the part by id, as the model describes it, and its client. */
function operationName(part: PartResult, id: number | undefined, label: (op: Operation) => string): string {
  const op = part.operations.find((o) => o.id === id);
  return op ? `${label(op)} (client ${op.client})` : `operation ${id}`;
}

function renderPart(result: CheckResult, part: PartResult, index: number): string {
  const label = (op: Operation) => result.model.describeOperation(op.input, op.outcome === 'ok' ? op.output : undefined);
  const evidence = part.evidence;
  const blocked = evidence?.blocked;
  const focus = blocked?.operation ?? part.operations.find((o) => o.id === part.anomalies[0]?.operations.at(-1));
  const window = windowAround(part.operations, focus);
  const steps = new Map((evidence?.order ?? []).map((s, i) => [s.operation.id, i + 1]));
  const out: string[] = [];
  out.push(`<section class="part" id="part-${index}">`);
  out.push(`<h2>Key <code>${esc(part.key)}</code>: not linearizable</h2>`);

  if (part.anomalies.length) {
    out.push('<div class="anomalies"><h3>What went wrong</h3><ul>');
    for (const group of byKind(part.anomalies)) {
      const [first, ...rest] = group;
      const kind = first.kind.replace(/-/g, ' ');
      out.push(`<li><b>${esc(kind)}</b>: ${esc(first.text)}`);
      if (rest.length) {
        // Near-identical lines say nothing new: one line names the other operations involved.
        const named = rest.slice(0, MAX_ANOMALIES).map((a) => operationName(part, a.operations[0], label));
        out.push(`<br><span class="muted">${esc(rest.length)} more ${esc(kind)}${rest.length > 1 ? 's' : ''} of the same kind: ${esc(named.join(', '))}${rest.length > MAX_ANOMALIES ? ', …' : ''}</span>`);
      }
      out.push('</li>');
    }
    out.push('</ul></div>');
  }

  if (blocked) {
    out.push('<div class="blocked">');
    out.push('<h3>The first operation that cannot be placed</h3>');
    out.push(`<p><span class="oplabel" data-op="${esc(blocked.operation.id)}">${esc(blocked.label)}</span> ${esc(describe(blocked.operation))}</p>`);
    out.push(`<p class="reason">${esc(blocked.reason)}</p>`);
    out.push(`<p class="muted">After the ${esc(evidence!.order.length)} steps below, the longest order the checker could justify, it cannot be placed: not next, and not later.</p>`);
    if (evidence!.alsoRefused.length) {
      out.push('<details><summary>The other operations that could have come next, refused too</summary><ul>');
      for (const r of evidence!.alsoRefused) out.push(`<li><span class="oplabel" data-op="${esc(r.operation.id)}">${esc(r.label)}</span> ${esc(describe(r.operation))}: ${esc(r.reason)}</li>`);
      out.push('</ul></details>');
    }
    out.push('</div>');
  }

  out.push('<h3>Timeline</h3>');
  const leftOut = window.leftOutBefore + window.leftOutAfter;
  out.push(
    `<p class="muted">${
      leftOut
        ? `Showing ${esc(window.operations.length)} of the key's ${esc(part.operations.length)} operations, around the one that cannot be placed: ${esc(window.leftOutBefore)} earlier and ${esc(window.leftOutAfter)} later ones are left out.`
        : `All ${esc(part.operations.length)} operations of the key.`
    } Hover a bar for its times; click it to find it in the order below.</p>`,
  );
  const t0 = window.operations[0]?.call ?? 0;
  const t1 = Math.max(...window.operations.map((o) => o.return ?? o.call));
  const outsideEvents = result.events.filter((e) => e.kind !== 'leader' && (e.at < t0 || e.at > t1 + (t1 - t0) * 0.04));
  if (outsideEvents.length) {
    out.push(`<p class="muted">Outside this window: ${outsideEvents.slice(0, 6).map((e) => `${esc(e.text)} (${esc(ms(e.at))})`).join('; ')}${outsideEvents.length > 6 ? `; and ${esc(outsideEvents.length - 6)} more` : ''}.</p>`);
  }
  out.push(LEGEND);
  out.push('<div class="scroll">');
  out.push(
    renderTimeline({
      operations: window.operations,
      label,
      steps,
      blocked: blocked?.operation.id,
      refused: new Set(evidence?.alsoRefused.map((r) => r.operation.id)),
      events: result.events,
      idPrefix: `p${index}`,
    }),
  );
  out.push('</div>');

  if (evidence) {
    out.push('<h3>The longest order that could be justified</h3>');
    const order = evidence.order;
    const from = Math.max(0, order.length - MAX_STEPS);
    out.push('<table class="order"><thead><tr><th>step</th><th>operation</th><th>client</th><th>id</th><th>state after</th></tr></thead><tbody>');
    if (from > 0) out.push(`<tr class="muted"><td colspan="5">… ${esc(from)} earlier steps left out</td></tr>`);
    else out.push(`<tr class="muted"><td>0</td><td colspan="3">(start)</td><td><code>${esc(evidence.initialState)}</code></td></tr>`);
    order.slice(from).forEach((s, i) => {
      out.push(
        `<tr data-op="${esc(s.operation.id)}"><td>${esc(from + i + 1)}</td><td><code>${esc(s.label)}</code></td><td>${esc(s.operation.client)}</td><td>${esc(s.operation.id)}</td><td><code title="${esc(s.state)}">${esc(clip(s.state, 160))}</code></td></tr>`,
      );
    });
    if (blocked) {
      out.push(
        `<tr class="blocked" data-op="${esc(blocked.operation.id)}"><td>✗</td><td><code>${esc(blocked.label)}</code></td><td>${esc(blocked.operation.client)}</td><td>${esc(blocked.operation.id)}</td><td>${esc(blocked.reason)}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }
  out.push('</section>');
  return out.join('\n');
}

function describe(op: Operation): string {
  const when = op.outcome === 'unknown' ? `called at ${ms(op.call)}, never answered` : `${ms(op.call)} → ${ms(op.return!)}, ${op.outcome}`;
  return `(operation ${op.id}, client ${op.client}, ${when})`;
}

const LEGEND =
  '<p class="legend"><span class="swatch ok"></span>ok <span class="swatch fail"></span>fail (not applied) <span class="swatch unknown"></span>unknown (may take effect any time after its call, or never) ' +
  '<span class="swatch blocked"></span>cannot be placed <span class="swatch refused"></span>refused too · <b>#n</b>: step n of the order below</p>';

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1160px; padding: 0 16px; color: #1d2330; }
h1 { font-size: 26px; margin: 0 0 4px; }
h1.not-linearizable { color: #b3261e; } h1.linearizable { color: #2e7d32; } h1.unknown { color: #a15c00; }
h2 { border-top: 2px solid #d0d5dd; padding-top: 18px; margin-top: 32px; }
h3 { margin: 18px 0 6px; font-size: 16px; }
code, .oplabel, table.order td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.muted { color: #667085; }
ul.parts li.not-linearizable { color: #b3261e; } ul.parts li.unknown { color: #a15c00; }
.anomalies { background: #fff4e5; border-left: 4px solid #e9a23b; padding: 6px 14px; }
.blocked { background: #fdecea; border-left: 4px solid #d62728; padding: 6px 14px; }
.blocked .reason { font-weight: 600; }
.oplabel { background: #eef1f5; padding: 1px 5px; border-radius: 3px; cursor: pointer; }
.scroll { overflow-x: auto; border: 1px solid #e4e7ec; border-radius: 4px; }
svg.timeline { display: block; font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
svg .row:nth-of-type(odd) { fill: #f7f8fa; } svg .row { fill: #ffffff; }
svg .grid { stroke: #e4e7ec; } svg .tick { fill: #667085; font-size: 10px; }
svg .client { fill: #344054; font-weight: 600; }
svg .op { cursor: pointer; } svg .op text { fill: #ffffff; pointer-events: none; }
svg .op.ok rect { fill: #3f8f5a; } svg .op.fail rect { fill: #a5abb3; } svg .op.fail text { fill: #1d2330; }
svg .op.unknown text, svg .op text.outside { fill: #1d2330; }
svg .op.placed rect { stroke: #1d2330; stroke-width: 0.6; }
svg .op.blocked rect { stroke: #d62728; stroke-width: 3.5; }
svg .op.refused rect { stroke: #d62728; stroke-width: 2; stroke-dasharray: 4 3; }
svg .op:hover rect, svg .op.selected rect { stroke: #1f4fd1; stroke-width: 3; }
svg .event line { stroke: #7a4fd1; stroke-width: 1.5; stroke-dasharray: 5 4; }
svg .event text { fill: #5b35a8; font-weight: 600; }
svg .leader rect { fill: #ece4fb; stroke: #b9a3ea; stroke-width: 0.8; }
svg .leader text { fill: #4b2d8f; }
svg .leader.none rect { fill: #f2f4f7; stroke: #c4c9d1; stroke-dasharray: 3 2; }
svg .leader.none text { fill: #667085; }
svg .event.kill line, svg .event.partition line { stroke: #d62728; } svg .event.kill text, svg .event.partition text { fill: #b3261e; }
svg .event.heal line, svg .event.restart line { stroke: #2e7d32; } svg .event.heal text, svg .event.restart text { fill: #2e7d32; }
.legend { font-size: 12.5px; }
.swatch { display: inline-block; box-sizing: border-box; width: 22px; height: 11px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
.swatch.ok { background: #3f8f5a; } .swatch.fail { background: #a5abb3; } .swatch.unknown { background: linear-gradient(90deg, #e9a23b, #f8e3c2); }
.swatch.blocked { border: 3px solid #d62728; } .swatch.refused { border: 2px dashed #d62728; }
table.order { border-collapse: collapse; width: 100%; margin-top: 6px; }
table.order th, table.order td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eaecf0; vertical-align: top; }
table.order td:last-child { word-break: break-all; }
table.order tr.blocked td { background: #fdecea; color: #b3261e; font-weight: 600; }
table.order tr.selected td, .oplabel.selected { background: #dbe6ff; }
table.order tr[data-op] { cursor: pointer; }
`;

// No "<" or "&" in here: the page stays well-formed XML as well as HTML.
const SCRIPT = `
document.addEventListener('click', function (event) {
  var hit = event.target.closest ? event.target.closest('[data-op]') : null;
  if (!hit) return;
  var id = hit.getAttribute('data-op');
  document.querySelectorAll('.selected').forEach(function (el) { el.classList.remove('selected'); });
  var same = document.querySelectorAll('[data-op="' + id + '"]');
  same.forEach(function (el) { el.classList.add('selected'); });
  var other = Array.prototype.find.call(same, function (el) { return el !== hit; });
  if (other) other.scrollIntoView({ block: 'center', behavior: 'smooth' });
});
`;
