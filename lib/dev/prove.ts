/**
 * Proving that a lab's checks catch what they should, every run (maintainers,
 * `npm run prove`):
 *
 * - the wrong implementations of its contract, each run `repeat` times with
 *   the checks it names: caught when every one of those checks failed with
 *   the message the contract gives;
 * - any folder of lab files (wrong implementations written blind), each run
 *   against every check: caught when some check failed;
 * - the reference solution, `repeat` times: it must pass every check.
 *
 * A wrong implementation caught 4 times out of 5 counts as not caught.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LabEntry, labFileName } from '../catalog.ts';
import { type WrongImplementation, loadContract, wrongFolder } from '../checks/contract.ts';
import { show } from '../runner/failure.ts';
import type { CheckResult, LabResult } from '../runner/results.ts';
import { type RunLabOptions, runLab } from '../runner/run-lab.ts';

export interface ProveOptions extends Pick<RunLabOptions, 'endpoints' | 'cluster'> {
  /** Every run's keys under this prefix (two people proving at once on one cluster). */
  namespace?: string;
  repeat?: number;
  /** Runs side by side, each in a namespace of its own. */
  jobs?: number;
  /** Only these variants of the contract. */
  variants?: string[];
  /** Called after every run (a line of progress). */
  onRun?: (run: ProvenRun) => void;
}

export interface ProvenRun {
  subject: string;
  seed: number;
  /** The wrong implementation was caught as it should be (or: the solution passed). */
  ok: boolean;
  /** One line: what happened. */
  said: string;
}

export interface Proof {
  subject: string;
  runs: ProvenRun[];
  /** ok in every run. */
  always: boolean;
}

let namespaces = 0;

/** Runs `work` over `items` with at most `jobs` at a time, in order of the items. */
async function pool<T, R>(items: T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  }));
  return results;
}

function run(lab: LabEntry, options: ProveOptions, extra: RunLabOptions): Promise<LabResult> {
  // Side by side, runs owning the same keys need namespaces of their own.
  const base = options.namespace ?? '';
  const namespace = (options.jobs ?? 1) > 1 ? `${base.replace(/\/$/, '')}/prove-${process.pid}-${++namespaces}/` : base || undefined;
  return runLab(lab.id, { endpoints: options.endpoints, cluster: options.cluster, renderer: 'silent', namespace, ...extra });
}

function firstLine(check: CheckResult): string {
  return `${check.id}: ${(check.message ?? check.status).split('\n')[0].slice(0, 160)}`;
}

/** What the student reads for a check: message, expected, actual, explanation. */
function readText(check: CheckResult): string {
  const { expected, actual, explain } = check.details ?? {};
  return [check.message, show(expected), show(actual), explain].join('\n');
}

function judgeWrong(wrong: WrongImplementation, result: LabResult): { ok: boolean; said: string } {
  const byId = Object.fromEntries(result.checks.map((c) => [c.id, c]));
  for (const [id, pattern] of Object.entries(wrong.fails)) {
    const check = byId[id];
    if (!check || check.status !== 'failed') return { ok: false, said: `${id} passed (escaped)` };
    if (check.error) return { ok: false, said: `${id} could not run: ${check.message}` };
    if (!pattern.test(readText(check))) return { ok: false, said: `${id} failed, but not as the contract says: ${firstLine(check)}` };
  }
  return { ok: true, said: Object.keys(wrong.fails).map((id) => firstLine(byId[id])).join(' | ') };
}

function summarise(subject: string, runs: ProvenRun[]): Proof {
  return { subject, runs, always: runs.every((r) => r.ok) };
}

/** The contract's wrong implementations of `lab`, each `repeat` times. */
export async function proveContract(lab: LabEntry, options: ProveOptions = {}): Promise<Proof[]> {
  const wrong = loadContract(lab).wrong.filter((w) => !options.variants?.length || options.variants.includes(w.variant));
  const tasks = wrong.flatMap((w) => Array.from({ length: options.repeat ?? 1 }, () => w));
  const runs = await pool(tasks, options.jobs ?? 1, async (w): Promise<ProvenRun> => {
    const result = await run(lab, options, { labsDir: wrongFolder(lab, w.variant), only: Object.keys(w.fails), timeoutMs: w.timeoutMs });
    const proven = { subject: w.variant, seed: result.seed, ...judgeWrong(w, result) };
    options.onRun?.(proven);
    return proven;
  });
  return wrong.map((w) => summarise(w.variant, runs.filter((r) => r.subject === w.variant)));
}

/** Every subfolder of `dir` that holds the lab's file: run against every check; caught when a check fails. */
export async function proveFolder(lab: LabEntry, dir: string, options: ProveOptions = {}): Promise<Proof[]> {
  const root = resolve(dir);
  const variants = readdirSync(root).filter((v) => existsSync(join(root, v, labFileName(lab)))).sort();
  const tasks = variants.flatMap((v) => Array.from({ length: options.repeat ?? 1 }, () => v));
  const runs = await pool(tasks, options.jobs ?? 1, async (variant): Promise<ProvenRun> => {
    const result = await run(lab, options, { labsDir: join(root, variant) });
    const failed = result.checks.filter((c) => c.status === 'failed');
    const errors = failed.filter((c) => c.error);
    const proven: ProvenRun = {
      subject: variant,
      seed: result.seed,
      ok: failed.length > errors.length,
      said: failed.length === 0 ? 'passed every check (escaped)' : failed.map(firstLine).join(' | '),
    };
    options.onRun?.(proven);
    return proven;
  });
  return variants.map((v) => summarise(v, runs.filter((r) => r.subject === v)));
}

/** The reference solution, `repeat` times: it must pass every check every time. */
export async function proveSolution(lab: LabEntry, options: ProveOptions = {}): Promise<Proof> {
  const tasks = Array.from({ length: options.repeat ?? 1 }, (_, i) => i);
  const runs = await pool(tasks, options.jobs ?? 1, async (): Promise<ProvenRun> => {
    const result = await run(lab, options, { solution: true });
    const failed = result.checks.filter((c) => c.status !== 'passed');
    const proven = { subject: 'solution', seed: result.seed, ok: failed.length === 0, said: failed.length ? failed.map(firstLine).join(' | ') : `passed ${result.checks.length} checks in ${(result.ms / 1000).toFixed(1)} s` };
    options.onRun?.(proven);
    return proven;
  });
  return summarise('solution', runs);
}
