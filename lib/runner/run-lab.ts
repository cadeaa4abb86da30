/**
 * runLab(id, options): run one lab's checks against a student's file.
 *
 * The programmatic API behind `npm run lab N`; it never reads argv and never
 * sets an exit code (the CLI does). It shows a listr2 task list (unless the
 * renderer is 'silent') and returns every check's result.
 */
import { existsSync } from 'node:fs';
import { Listr } from 'listr2';
import { type LabEntry, checksModulePath, findLab, labPath } from '../catalog.ts';
import { CatalogError, LabFileMissingError, UsageError } from '../errors.ts';
import { paths, shown } from '../paths.ts';
import type { ClientRecipe } from '../sandbox/protocol.ts';
import { Sandbox } from '../sandbox/sandbox.ts';
import type { CheckContext, LabChecks, Target } from './context.ts';
import { CheckFailure, CheckSkipped, type FailureDetails } from './failure.ts';
import { claimOwnedPrefixes } from './claim.ts';
import { LAST_RUN_KEY, type LastRun } from './records.ts';
import { recordProgress } from './progress.ts';
import { Secrets } from './secrets.ts';
import { Random, randomSeed } from './random.ts';
import { StudentCode } from './student.ts';
import { type TargetOptions, TRUSTED_DEADLINE_MS, resolveTarget, trustedClient } from './target.ts';

export interface RunLabOptions extends TargetOptions {
  /** Run the reference solution instead of the student's file. */
  solution?: boolean;
  /** Run the lab files of another folder (grading a submission). */
  labsDir?: string;
  seed?: number;
  renderer?: 'default' | 'simple' | 'silent';
  /** Overrides every check's per-call timeout (ms). */
  timeoutMs?: number;
  /** Remember the result in .workbook/progress.json (default: only for the student's own labs/). */
  recordProgress?: boolean;
  /** Run only these checks (ids from the catalog). */
  only?: string[];
  /** A lab process the caller started early (the CLI does, before its own imports); disposed at the end. */
  sandbox?: Sandbox;
}

export interface CheckResult {
  id: string;
  title: string;
  status: 'passed' | 'failed' | 'skipped';
  /** One line: why it failed or was skipped. */
  message?: string;
  details?: FailureDetails;
  /** The failure is a stub that is not implemented yet. */
  todo?: boolean;
  /** The check itself could not run (a workbook bug, a broken cluster): not the student's failure. */
  error?: boolean;
  notes: string[];
  ms: number;
}

export interface LabResult {
  lab: LabEntry;
  labFile: string;
  seed: number;
  checks: CheckResult[];
  passed: boolean;
  ms: number;
}

export const DEFAULT_CALL_TIMEOUT_S = 10;

/** A lab passes when no check failed and at least one ran (skipped checks could not run here). */
export function isPassed(checks: CheckResult[]): boolean {
  return checks.every((c) => c.status !== 'failed') && checks.some((c) => c.status === 'passed');
}

/**
 * What a lab run came to: passed, failed, or skipped (no check could run
 * here, e.g. a lab that starts its own members, on a class cluster).
 */
export type LabOutcome = 'passed' | 'failed' | 'skipped';

export function labOutcome(result: Pick<LabResult, 'checks' | 'passed'>): LabOutcome {
  if (result.passed) return 'passed';
  return result.checks.length > 0 && result.checks.every((c) => c.status === 'skipped') ? 'skipped' : 'failed';
}

/** Whether any lab of a run failed (labs that could not run here do not count): what decides a command's exit code. */
export function anyFailed(results: LabResult[]): boolean {
  return results.some((r) => labOutcome(r) === 'failed');
}

/** The outcome as JSON reports spell it (Exercism's results.json, --json). */
export function statusWord(result: Pick<LabResult, 'checks' | 'passed'>): 'pass' | 'fail' | 'skip' {
  return ({ passed: 'pass', failed: 'fail', skipped: 'skip' } as const)[labOutcome(result)];
}

/** The result as plain JSON (for --json): no catalog internals, paths relative. */
export function toJson(result: LabResult) {
  return {
    lab: result.lab.id,
    title: result.lab.title,
    file: shown(result.labFile),
    seed: result.seed,
    status: statusWord(result),
    ms: result.ms,
    checks: result.checks.map(({ id, title, status, message, ms, notes }) => ({ id, title, status, message, ms, notes })),
  };
}

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
  const folder = options.labsDir ?? (options.solution ? paths.solutions : paths.labs);
  const labFile = labPath(lab, folder);
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
    const [target, checks] = await Promise.all([resolveTarget(options), loadChecks(lab), lab.kind === 'code' ? box.load(labFile) : undefined]);
    etcd = trustedClient(target);
    secrets.add(target.auth?.password);
    const kv = target.namespace ? etcd.namespace(target.namespace) : etcd;
    release = await claimOwnedPrefixes(kv, lab, target.namespace);
    workers = new WorkerPool(labFile, lab.workers);
    const results = await runChecks(selected, checks, { box, workers, labFile, seed, target, etcd, kv, options, secrets, cleanups });
    await deleteOwnedKeys(lab, kv).catch(() => {});
    const result: LabResult = { lab, labFile, seed, checks: results, passed: isPassed(results), ms: Math.round(performance.now() - began) };
    // On a shared cluster, what the instructor's `npm run class -- status` shows for this student.
    if (target.namespace && !target.cluster) {
      const last: LastRun = { lab: lab.id, passed: results.filter((r) => r.status === 'passed').length, total: results.length, outcome: labOutcome(result), at: new Date().toISOString() };
      await kv.put(LAST_RUN_KEY).value(JSON.stringify(last)).exec().catch(() => {});
    }
    const ran = results.some((r) => r.status !== 'skipped'); // a lab skipped here says nothing about the student's code
    if (ran && (options.recordProgress ?? (!options.solution && !options.labsDir && !options.only?.length))) {
      recordProgress(lab.id, {
        status: result.passed ? 'passed' : 'failed',
        passed: results.filter((r) => r.status === 'passed').length,
        total: results.length,
        at: new Date().toISOString(),
        seed,
      });
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

/**
 * Extra lab processes for checks that need several (ctx.spawn()). Node, tsx
 * and the lab file take ~0.6 s to load, so the lab's `workers` are started
 * ahead and replaced as they are taken.
 */
class WorkerPool {
  private warm: Sandbox[] = [];
  constructor(private readonly labFile: string, private readonly size: number) {
    for (let i = 0; i < size; i++) this.warm.push(this.start());
  }
  private start(): Sandbox {
    const box = Sandbox.spawn();
    void box.load(this.labFile);
    return box;
  }
  take(): Sandbox {
    return this.warm.shift() ?? this.start();
  }
  /** Between checks: warm up what the last check took, for the next one. */
  refill(): void {
    while (this.warm.length < this.size) this.warm.push(this.start());
  }
  dispose(): void {
    this.warm.forEach((box) => box.dispose());
  }
}

interface RunState {
  workers: WorkerPool;
  box: Sandbox;
  labFile: string;
  seed: number;
  target: Target;
  etcd: CheckContext['etcd'];
  kv: CheckContext['kv'];
  options: RunLabOptions;
  secrets: Secrets;
  cleanups: (() => Promise<void> | void)[];
}

async function runChecks(lab: LabEntry, checks: LabChecks, state: RunState): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const shared = new Map<string, Promise<unknown>>();
  const list = new Listr(
    lab.checks.map((check) => ({
      title: check.title,
      task: async (_ctx: unknown, task: { output: string; skip: (message: string) => void }) => {
        const timeoutMs = state.options.timeoutMs ?? (check.timeout ?? DEFAULT_CALL_TIMEOUT_S) * 1000;
        const result: CheckResult = { id: check.id, title: check.title, status: 'passed', notes: [], ms: 0 };
        results.push(result);
        const student = new StudentCode(state.box, state.labFile, timeoutMs);
        const workers: StudentCode[] = [];
        const context: CheckContext = {
          lab,
          check,
          seed: state.seed,
          rng: new Random(state.seed, check.id),
          student,
          kv: state.kv,
          etcd: state.etcd,
          target: state.target,
          timeoutMs,
          client: (overrides?: Partial<ClientRecipe>) => ({
            $client: {
              hosts: state.target.endpoints,
              namespace: state.target.namespace || undefined,
              deadlineMs: TRUSTED_DEADLINE_MS,
              auth: state.target.auth,
              tls: state.target.tls,
              ...overrides,
            },
          }),
          once: <T>(key: string, work: () => Promise<T>): Promise<T> => {
            if (!shared.has(key)) shared.set(key, work());
            return shared.get(key) as Promise<T>;
          },
          secret: (value) => state.secrets.add(value),
          atEnd: (cleanup) => { state.cleanups.push(cleanup); },
          spawn: () => {
            const worker = new StudentCode(state.workers.take(), state.labFile, timeoutMs);
            workers.push(worker);
            return worker;
          },
          note: (text: string) => {
            const shown = state.secrets.redact(text);
            result.notes.push(shown);
            task.output = shown;
          },
        };
        const started = performance.now();
        try {
          // Every check starts from an empty lab keyspace: no check sees another's data.
          if (lab.localOnly && !state.target.cluster) {
            throw new CheckSkipped(`lab ${lab.id} runs on your own machine only (${lab.localOnly}); run it without --endpoints or a connection file`);
          }
          await deleteOwnedKeys(lab, state.kv);
          await runOne(checks[check.id], context, timeoutMs);
        } catch (error) {
          if (error instanceof CheckSkipped) {
            result.status = 'skipped';
            result.message = error.message;
            task.skip(`${check.title} (skipped: ${error.message})`);
            return;
          }
          result.status = 'failed';
          if (error instanceof CheckFailure) {
            result.message = state.secrets.redact(error.message);
            const printed = [student, ...workers].map((s) => s.printed()).filter(Boolean).join('\n') || undefined;
            result.details = state.secrets.redactDetails(printed ? { ...error.details, explain: [error.details.explain, printed].filter(Boolean).join('\n') } : error.details);
            result.todo = error.message.startsWith('TODO: implement');
          } else {
            result.message = state.secrets.redact(`the check could not run: ${(error as Error).message?.split('\n')[0] ?? String(error)}`);
            result.error = true;
          }
          throw new Error(result.message.split('\n')[0]);
        } finally {
          for (const worker of workers) worker.box.dispose();
          state.workers.refill();
          result.ms = Math.round(performance.now() - started);
        }
      },
      rendererOptions: { persistentOutput: true },
    })),
    {
      concurrent: false,
      exitOnError: false,
      collectErrors: 'minimal',
      renderer: state.options.renderer ?? 'default',
      fallbackRenderer: 'simple',
      rendererOptions: { collapseErrors: false, collapseSkips: false },
    },
  );
  await list.run();
  return results;
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
