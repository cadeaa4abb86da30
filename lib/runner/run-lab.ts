/**
 * runLab(id, options): run one lab's checks against a student's file.
 *
 * The programmatic API behind `npm run lab N`; it never reads argv, never
 * sets an exit code and never records progress (the CLI decides all three).
 * It shows a listr2 task list (unless the renderer is 'silent') and returns
 * every check's result (lib/runner/results.ts).
 */
import { existsSync } from 'node:fs';
import { Listr } from 'listr2';
import { type LabEntry, checksModulePath, findLab, labPath } from '../catalog.ts';
import { CatalogError, ClusterDownError, LabFileMissingError, UsageError } from '../errors.ts';
import { labsFolder, shown } from '../paths.ts';
import type { ThrownError } from '../sandbox/protocol.ts';
import { Sandbox } from '../sandbox/sandbox.ts';
import { type RunState, type Spawned, checkContext } from './check-context.ts';
import { claimOwnedPrefixes } from './claim.ts';
import type { CheckContext, LabChecks } from './context.ts';
import { CheckFailure, CheckSkipped } from './failure.ts';
import { type EnvironmentProblem, environmentProblem } from './health.ts';
import { loadFailure } from './load-failure.ts';
import { randomSeed } from './random.ts';
import { LAST_RUN_KEY, type LastRun } from './records.ts';
import { type CheckResult, type LabResult, isPassed, labOutcome, passedChecks } from './results.ts';
import { Secrets } from './secrets.ts';
import type { StudentCode } from './student.ts';
import { type TargetOptions, resolveTarget, trustedClient } from './target.ts';
import { WorkerPool } from './worker-pool.ts';

export interface RunLabOptions extends TargetOptions {
  /** Run the reference solution instead of the student's file. */
  solution?: boolean;
  /** Run the lab files of another folder (grading a submission). */
  labsDir?: string;
  seed?: number;
  renderer?: 'default' | 'simple' | 'silent';
  /** Overrides every check's per-call timeout (ms). */
  timeoutMs?: number;
  /** Run only these checks (ids from the catalog). */
  only?: string[];
  /** A lab process the caller started early (the CLI does, before its own imports); disposed at the end. */
  sandbox?: Sandbox;
  /** Called as each check ends (a plain progress line where there is no task list). */
  onCheck?: (result: CheckResult) => void;
}

export const DEFAULT_CALL_TIMEOUT_S = 10;

async function loadChecks(lab: LabEntry): Promise<LabChecks> {
  const module = (await import(checksModulePath(lab))) as { default?: LabChecks };
  const checks = module.default;
  if (!checks) throw new CatalogError(`lab ${lab.id}: ${shown(checksModulePath(lab))} has no default export`);
  for (const c of lab.checks) {
    if (typeof checks[c.id] !== 'function') throw new CatalogError(`lab ${lab.id}: check ${c.id} has no implementation in ${shown(checksModulePath(lab))}`);
  }
  return checks;
}

async function deleteOwnedKeys(lab: LabEntry, kv: CheckContext['kv']): Promise<void> {
  await Promise.all(lab.owns.map((prefix) => kv.delete().prefix(prefix).exec()));
}

export async function runLab(id: string, options: RunLabOptions = {}): Promise<LabResult> {
  const began = performance.now();
  const lab = findLab(id);
  const labFile = labPath(lab, labsFolder(options));
  if (!existsSync(labFile)) throw new LabFileMissingError(shown(labFile));
  const unknown = (options.only ?? []).filter((c) => !lab.checks.some((k) => k.id === c));
  if (unknown.length) throw new UsageError(`lab ${lab.id} has no check ${unknown.join(', ')}`, `its checks are: ${lab.checks.map((c) => c.id).join(', ')}`);
  const selected = options.only?.length ? { ...lab, checks: lab.checks.filter((c) => options.only!.includes(c.id)) } : lab;

  // Node, tsx and etcd3 take ~0.5 s to start: do it while the cluster comes up.
  const box = options.sandbox ?? Sandbox.spawn();
  const seed = options.seed ?? randomSeed();
  let etcd: ReturnType<typeof trustedClient> | undefined;
  let workers: WorkerPool | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  let release: (() => Promise<void>) | undefined;
  const secrets = new Secrets();
  try {
    // The lab file is loaded before the first check, so check times are the checks' own.
    // A tests lab (lab 12) is a test file the checks run with vitest: nothing to load here.
    const [target, checks, loaded] = await Promise.all([resolveTarget(options), loadChecks(lab), lab.kind === 'code' ? box.load(labFile) : undefined]);
    etcd = trustedClient(target);
    secrets.add(target.auth?.password);
    secrets.add(target.student?.auth?.password);
    const kv = target.namespace ? etcd.namespace(target.namespace) : etcd;
    release = await claimOwnedPrefixes(kv, lab, target.namespace).catch(async (error) => {
      // The cluster answered a moment ago: if it is gone now, say so (not an internal error).
      const environment = await environmentProblem(target).catch(() => undefined);
      throw environment ? new ClusterDownError(environment.problem, environment.fix) : error;
    });
    workers = new WorkerPool(labFile, lab.workers, box.job);
    const state: RunState = { lab: selected, box, workers, labFile, seed, target, etcd, kv, secrets, cleanups, shared: new Map() };
    // A file that does not load fails every check for one reason: said once, with where.
    const unloadable = loaded && !loaded.ok && loaded.kind === 'load-failed' ? loaded.error : undefined;
    const results = unloadable ? notLoaded(selected, labFile, unloadable) : await runChecks(state, checks, options);
    if (unloadable) results.forEach((r) => options.onCheck?.(r));
    await deleteOwnedKeys(lab, kv).catch(() => {});
    const result: LabResult = { lab, labFile, seed, checks: results, passed: isPassed(results), ms: Math.round(performance.now() - began) };
    // On a shared cluster, what the instructor's `npm run class -- status` shows for this student.
    if (target.namespace && !target.cluster) {
      const last: LastRun = { lab: lab.id, passed: passedChecks(result), total: results.length, outcome: labOutcome(result), at: new Date().toISOString() };
      await kv.put(LAST_RUN_KEY).value(JSON.stringify(last)).exec().catch(() => {});
    }
    return result;
  } finally {
    box.dispose();
    workers?.dispose();
    await release?.();
    etcd?.close();
    for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => {});
  }
}

async function runChecks(state: RunState, checks: LabChecks, options: RunLabOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const list = new Listr(
    state.lab.checks.map((check) => ({
      title: check.title,
      task: async (_ctx: unknown, task: { output: string; skip: (message: string) => void }) => {
        const timeoutMs = options.timeoutMs ?? (check.timeout ?? DEFAULT_CALL_TIMEOUT_S) * 1000;
        const result: CheckResult = { id: check.id, title: check.title, status: 'passed', notes: [], ms: 0 };
        results.push(result);
        const spawned: Spawned = { workers: [], closed: false };
        const context = checkContext(state, check, timeoutMs, result, (line) => { task.output = line; }, spawned);
        const started = performance.now();
        try {
          if (state.lab.localOnly && !state.target.cluster) {
            throw new CheckSkipped(`lab ${state.lab.id} runs on your own machine only (${state.lab.localOnly}); run it without --endpoints or a connection file`);
          }
          // Every check starts from an empty lab keyspace: no check sees another's data.
          await deleteOwnedKeys(state.lab, state.kv);
          await runOne(checks[check.id], context, timeoutMs);
        } catch (error) {
          if (error instanceof CheckSkipped) {
            result.status = 'skipped';
            result.message = error.message;
            task.skip(`${check.title} (skipped: ${error.message})`);
            return;
          }
          // A cluster that went away mid-check is the environment's fault, not the student's.
          const environment = await environmentProblem(state.target).catch(() => undefined);
          if (environment) recordEnvironmentFailure(result, environment);
          else recordFailure(state, result, error, [context.student, ...spawned.workers]);
          throw new Error(result.message!.split('\n')[0]);
        } finally {
          // A check abandoned at its time limit may still be running: what it spawns from now on is stopped at once.
          spawned.closed = true;
          for (const worker of spawned.workers) worker.box.dispose();
          state.workers.refill();
          result.ms = Math.round(performance.now() - started);
          options.onCheck?.(result);
        }
      },
      rendererOptions: { persistentOutput: true },
    })),
    {
      concurrent: false,
      exitOnError: false,
      collectErrors: 'minimal',
      renderer: options.renderer ?? 'default',
      fallbackRenderer: 'simple',
      rendererOptions: { collapseErrors: false, collapseSkips: false },
    },
  );
  await list.run();
  return results;
}

function notLoaded(lab: LabEntry, labFile: string, error: ThrownError): CheckResult[] {
  const { message, details } = loadFailure(error, labFile);
  return lab.checks.map((check, i) => ({
    id: check.id,
    title: check.title,
    status: 'failed',
    ...(i === 0 ? { message, details } : { message: `not run: ${shown(labFile)} does not load (see the first check)`, notRun: true }),
    notes: [],
    ms: 0,
  }));
}

function recordEnvironmentFailure(result: CheckResult, environment: EnvironmentProblem): void {
  result.status = 'failed';
  result.error = true;
  result.environment = true;
  result.message = `could not run: ${environment.problem} (not your code's fault)`;
  result.details = { explain: `Fix: ${environment.fix}` };
}

/** A check that threw: the student's failure (CheckFailure), or the check could not run (anything else). */
function recordFailure(state: RunState, result: CheckResult, error: unknown, students: StudentCode[]): void {
  result.status = 'failed';
  if (error instanceof CheckFailure) {
    result.message = state.secrets.redact(error.message);
    const printed = students.map((s) => s.printed()).filter(Boolean).join('\n') || undefined;
    result.details = state.secrets.redactDetails(printed ? { ...error.details, explain: [error.details.explain, printed].filter(Boolean).join('\n') } : error.details);
    result.todo = error.todo !== undefined;
  } else {
    result.message = state.secrets.redact(`the check could not run: ${(error as Error).message?.split('\n')[0] ?? String(error)}`);
    result.error = true;
  }
}

/** A check is our own code, but it must not hang a run either. */
async function runOne(check: (ctx: CheckContext) => Promise<void>, context: CheckContext, timeoutMs: number): Promise<void> {
  const limit = timeoutMs * 4 + 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(context),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the check did not finish within ${limit / 1000} s (a bug in the workbook: please report it with the seed)`)), limit);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
