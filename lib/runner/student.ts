/**
 * The student's code, as checks see it: calls that either return a value or
 * fail the check with a sentence that says what the code did.
 *
 *   await ctx.student.call('getValue', [ctx.client(), key])      // value, or CheckFailure
 *   await ctx.student.attempt('getValue', [ctx.client(), key])   // the raw outcome, to inspect errors
 */
import { shown } from '../paths.ts';
import type { Arg, HandleRef, ThrownError } from '../sandbox/protocol.ts';
import type { CallOptions, CallOutcome, Sandbox } from '../sandbox/sandbox.ts';
import { CheckFailure, type FailureDetails } from './failure.ts';
import { loadFailure, thrownAt } from './load-failure.ts';
import { classifyEtcdError } from '../connection/etcd-errors.ts';

/** Where in the lab file an error was thrown, e.g. "labs/02-kv-basics.ts:14:11". */
export function locate(error: ThrownError, labFile: string): string | undefined {
  const at = thrownAt(error, labFile);
  return at ? `${shown(labFile)}:${at.line}:${at.column}` : undefined;
}

export function describeThrown(error: ThrownError): string {
  if (error.denied) return deniedAccess(error.denied);
  const text = `${error.kitClass ?? error.name}: ${error.message.split('\n')[0]}`;
  // gRPC's own words ("14 UNAVAILABLE: No connection established. Last error: null") say little: add what they mean.
  const { meaning } = error.kitClass ? { meaning: '' } : classifyEtcdError(`${error.name} ${error.message}`);
  return meaning ? `${text} (${meaning})` : text;
}

/** What the box refused, as a student reads it. */
function deniedAccess(denied: NonNullable<ThrownError['denied']>): string {
  const where = denied.resource ? ` ${shown(denied.resource)}` : '';
  const what: Record<string, string> = {
    FileSystemRead: `tried to read${where}`,
    FileSystemWrite: `tried to write${where}`,
    ChildProcess: 'tried to start a process',
    Worker: 'tried to start a worker thread',
  };
  return `${what[denied.permission] ?? `was refused ${denied.permission}${where}`}, which a lab's code may not: it may read its own files, write only where a check asks it to, and start no process`;
}

type Threw = Extract<CallOutcome, { kind: 'threw' }>;

/**
 * The call rejected with an error of the student's own making: their answer,
 * to be judged (not a stub's TODO, not a function the file does not export).
 */
export function threwOwnError(outcome: CallOutcome): outcome is Threw {
  return !outcome.ok && outcome.kind === 'threw' && !outcome.error.todo && outcome.error.name !== 'MissingExport';
}

export class StudentCode {
  constructor(
    readonly box: Sandbox,
    /** Absolute path of the lab file being checked. */
    readonly labFile: string,
    private readonly defaultTimeoutMs: number,
  ) {}

  private options(options?: CallOptions): CallOptions {
    return { ...options, timeoutMs: options?.timeoutMs ?? this.defaultTimeoutMs };
  }

  /** One sentence for an outcome that is not a plain success. */
  explain(what: string, outcome: Exclude<CallOutcome, { ok: true }>, timeoutMs = this.defaultTimeoutMs): string {
    const file = shown(this.labFile);
    switch (outcome.kind) {
      case 'load-failed':
        return loadFailure(outcome.error, this.labFile).message;
      case 'timeout':
        return `${what} did not finish within ${timeoutMs / 1000} s: it hangs (an await that never settles, a call without a deadline, or an endless loop). The lab process was stopped.`;
      case 'exited': {
        const how = outcome.signal ?? `exit code ${outcome.code}`;
        const culprit = outcome.by ? `${outcome.by}()` : undefined;
        const who = culprit && culprit !== what ? `${culprit} ended the lab process (${how}) while ${what} was running` : `${what} ended the lab process (${how})`;
        return `${who}. Lab functions must return or throw, never call process.exit().`;
      }
      case 'threw': {
        if (outcome.error.todo) return `TODO: implement \`${outcome.error.todo}\` in ${file}`;
        if (outcome.error.name === 'MissingExport') return `${file} does not export ${what.replace(/\(\)$/, '')}: keep the names and signatures of the stub, the checks call them`;
        const at = locate(outcome.error, this.labFile);
        return `${what} ${outcome.error.denied ? '' : 'threw '}${describeThrown(outcome.error)}${at ? ` (at ${at})` : ''}`;
      }
    }
  }

  /** The failure for an outcome that is not a plain success: explain()'s sentence, flagged as a TODO when it is one. */
  failure(what: string, outcome: Exclude<CallOutcome, { ok: true }>, timeoutMs = this.defaultTimeoutMs, details?: FailureDetails): CheckFailure {
    const todo = outcome.kind === 'threw' ? outcome.error.todo : undefined;
    return new CheckFailure(this.explain(what, outcome, timeoutMs), details, todo);
  }

  private unwrap<T>(what: string, outcome: CallOutcome<T>, options: CallOptions): T {
    if (outcome.ok) return outcome.value;
    throw this.failure(what, outcome, options.timeoutMs);
  }

  /**
   * For failure reports: what the student's code printed (console.log) since
   * the last report, and errors it threw outside any call (a timer, a promise
   * nobody awaited).
   */
  printed(): string | undefined {
    const out = this.box.takeOutput().trim();
    const stray = this.box.stray.splice(0).map((e) => `  ${describeThrown(e)}${locate(e, this.labFile) ? ` (at ${locate(e, this.labFile)})` : ''}`);
    const parts = [
      out ? `your code printed:\n${out.split('\n').slice(-15).join('\n')}` : '',
      stray.length ? `your code also threw outside any call (an error nobody awaited or caught):\n${stray.slice(0, 5).join('\n')}` : '',
    ].filter(Boolean);
    return parts.length ? parts.join('\n') : undefined;
  }

  attempt<T = unknown>(fn: string, args: Arg[] = [], options?: CallOptions): Promise<CallOutcome<T>> {
    return this.box.call<T>(fn, args, this.options(options));
  }

  async call<T = unknown>(fn: string, args: Arg[] = [], options?: CallOptions): Promise<T> {
    const o = this.options(options);
    return this.unwrap(`${fn}()`, await this.box.call<T>(fn, args, o), o);
  }

  /** Like call(), also telling how long the call took (ms, including the hop to the lab process). */
  async timed<T = unknown>(fn: string, args: Arg[] = [], options?: CallOptions): Promise<{ value: T; ms: number }> {
    const o = this.options(options);
    const outcome = await this.box.call<T>(fn, args, o);
    return { value: this.unwrap(`${fn}()`, outcome, o), ms: outcome.ms };
  }

  async invoke<T = unknown>(handle: HandleRef, method: string, args: Arg[] = [], label = method, options?: CallOptions): Promise<T> {
    const o = this.options(options);
    return this.unwrap(`${label}()`, await this.box.invoke<T>(handle, method, args, o), o);
  }

  /** Runs a harness probe on something the student's code returned; failures of the probe itself are the student's (e.g. a broken client). */
  probe<T = unknown>(probe: string, args: Arg[] = [], options?: CallOptions): Promise<CallOutcome<T>> {
    return this.box.probe<T>(probe, args, this.options(options));
  }
}
