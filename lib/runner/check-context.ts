/**
 * Builds what one check gets to work with (CheckContext, lib/runner/context.ts)
 * from the state of the lab run it belongs to.
 */
import type { CheckEntry, LabEntry } from '../catalog.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import type { CheckContext, Target } from './context.ts';
import { Random } from './random.ts';
import type { CheckResult } from './results.ts';
import type { Secrets } from './secrets.ts';
import { StudentCode } from './student.ts';
import { TRUSTED_DEADLINE_MS } from './target.ts';
import type { WorkerPool } from './worker-pool.ts';

/** What the checks of one lab run share. */
export interface RunState {
  lab: LabEntry;
  box: Sandbox;
  workers: WorkerPool;
  labFile: string;
  seed: number;
  target: Target;
  etcd: CheckContext['etcd'];
  kv: CheckContext['kv'];
  secrets: Secrets;
  cleanups: (() => Promise<void> | void)[];
  /** ctx.once(): work shared by the checks of the run. */
  shared: Map<string, Promise<unknown>>;
}

/** The student's code never gets the runner's credentials when it has narrower ones of its own. */
function studentCredentials(target: Target): Pick<Target, 'auth' | 'tls'> {
  const { auth, tls } = target.student ?? target;
  return { auth, tls };
}

/**
 * The extra lab processes one check spawned, stopped after the check; once it
 * is `closed` (the check is over, perhaps abandoned at its time limit and
 * still running), whatever it spawns is stopped at once.
 */
export interface Spawned {
  workers: StudentCode[];
  closed: boolean;
}

/** One check's context. */
export function checkContext(state: RunState, check: CheckEntry, timeoutMs: number, result: CheckResult, show: (line: string) => void, spawned: Spawned): CheckContext {
  const { target } = state;
  return {
    lab: state.lab,
    check,
    seed: state.seed,
    rng: new Random(state.seed, check.id),
    student: new StudentCode(state.box, state.labFile, timeoutMs),
    kv: state.kv,
    etcd: state.etcd,
    target,
    timeoutMs,
    scratch: state.box.job,
    client: (overrides) => ({
      $client: {
        hosts: target.endpoints,
        namespace: target.namespace || undefined,
        deadlineMs: TRUSTED_DEADLINE_MS,
        ...studentCredentials(target),
        ...overrides,
      },
    }),
    studentConnection: () => ({ endpoints: target.endpoints, ...studentCredentials(target) }),
    clientFor: (hosts, settings = {}) => ({ $client: { hosts, ...settings } }),
    once: <T>(key: string, work: () => Promise<T>): Promise<T> => {
      if (!state.shared.has(key)) state.shared.set(key, work());
      return state.shared.get(key) as Promise<T>;
    },
    secret: (value) => state.secrets.add(value),
    atEnd: (cleanup) => {
      state.cleanups.push(cleanup);
    },
    spawn: () => {
      const worker = new StudentCode(state.workers.take(), state.labFile, timeoutMs);
      spawned.workers.push(worker);
      if (spawned.closed) worker.box.dispose();
      return worker;
    },
    note: (text) => {
      const redacted = state.secrets.redact(text);
      result.notes.push(redacted);
      show(redacted);
    },
  };
}
