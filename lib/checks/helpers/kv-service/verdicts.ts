/**
 * Each phase's history through the checker (lib/history), once per run:
 * the verdict, the named anomalies, the history file (always: a student can
 * check it again with `npm run check-history`) and, when a key is not
 * linearizable, the HTML report, with the phase's faults on its timeline.
 *
 * Files go to reports/lab16/<time>-seed<seed>/ (the last 10 runs are kept):
 * `1-calm.json`, `1-calm.report.html`, …
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Anomaly, type CheckResult, checkHistory, listStore, writeReport } from '../../../history/index.ts';
import { paths, shown } from '../../../paths.ts';
import type { CheckContext } from '../../../runner/context.ts';
import { type Phase, type PhaseName, playedPhase } from './phases.ts';
import type { KvOperation } from './recorder.ts';

export interface Judged {
  phase: Phase;
  result: CheckResult;
  historyFile: string;
  reportFile?: string;
}

/** Search time per key; a phase's keys hold a few dozen operations each, checked in milliseconds. */
const TIME_LIMIT_MS = 10_000;
const KEPT_RUNS = 10;

/** The run's folder of reports, made once (older runs' folders beyond the last 10 are removed). */
export function runFolder(ctx: CheckContext): Promise<string> {
  return ctx.once('kv-run-folder', async () => {
    const root = join(paths.root, 'reports', `lab${ctx.lab.id}`);
    mkdirSync(root, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
    const folder = join(root, `${stamp}-seed${ctx.seed}-${process.pid}`);
    mkdirSync(folder, { recursive: true });
    const older = readdirSync(root).filter((f) => /^\d{8}-\d{6}-seed/.test(f)).sort();
    for (const old of older.slice(0, Math.max(0, older.length - KEPT_RUNS))) rmSync(join(root, old), { recursive: true, force: true });
    return folder;
  });
}

/** Phase `name`, played and checked (once per run). */
export function judgedPhase(ctx: CheckContext, name: PhaseName): Promise<Judged> {
  return ctx.once(`kv-judged-${name}`, async () => {
    const phase = await playedPhase(ctx, name);
    const folder = await runFolder(ctx);
    const base = join(folder, `${phase.index + 1}-${phase.name}`);
    const historyFile = `${base}.json`;
    phase.rec.write(historyFile, { lab: ctx.lab.id, seed: ctx.seed, phase: phase.name, title: phase.title });
    const result: CheckResult = { ...checkHistory({ model: listStore, operations: phase.rec.operations, events: phase.rec.events }, { timeLimitMs: TIME_LIMIT_MS }), file: shown(historyFile) };
    const judged: Judged = { phase, result, historyFile };
    if (result.verdict === 'not-linearizable') {
      result.reportPath = writeReport(result, `${base}.report.html`);
      judged.reportFile = result.reportPath;
    }
    return judged;
  });
}

/** Where to look: the report (when there is one) and the history file, as a student reads them. */
export function whereToLook(judged: Judged): string {
  const lines = [];
  if (judged.reportFile) lines.push(`report: ${shown(judged.reportFile)} (open it in a browser: the operations around it, one row per client, the faults on the same time axis)`);
  lines.push(`history: ${shown(judged.historyFile)} (npm run check-history -- ${shown(judged.historyFile)})`);
  return lines.join('\n');
}

/** Which member's service answered each operation the anomaly names. */
export function whoAnswered(judged: Judged, anomaly: Anomaly): string {
  const byId = new Map(judged.phase.rec.operations.map((o) => [o.id, o]));
  const parts = anomaly.operations.map((id) => byId.get(id)).filter((o): o is KvOperation => !!o).map((o) => `operation ${o.id} (${describeOp(o)})`);
  return parts.length ? `Where: ${parts.join('; ')}.` : '';
}

function describeOp(op: KvOperation): string {
  const what = op.input.op === 'GET' ? 'GET' : `${op.input.op} ${op.input.value}`;
  const tries = op.attempts.map((a) => `${a.service}: ${a.reply}`).join(', then ');
  return `${what}, client ${op.client}, sent to ${tries || 'no service'}`;
}
