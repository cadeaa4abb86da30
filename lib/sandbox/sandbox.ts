/**
 * Running a student's lab file in a process of its own.
 *
 * ```ts
 * const box = Sandbox.spawn();                  // start node early: it takes ~0.4 s
 * await box.load('labs/02-kv-basics.ts');
 * const out = await box.call('getValue', [clientArg, 'k'], { timeoutMs: 10_000 });
 * if (!out.ok) console.log(out.kind);           // 'threw' | 'timeout' | 'exited' | ...
 * box.dispose();
 * ```
 *
 * The runner's event loop never waits on student code: every call has a
 * timer here. A call that does not answer in time (a promise that never
 * settles, or a synchronous endless loop) gets the process SIGKILLed; the
 * next call starts a fresh one. A student's `process.exit()` or crash ends
 * the call it happened in. No child outlives the runner.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { boxArguments, labEnvironment, newJobFolder } from './box.ts';
import { compileLabFile, sandboxRuntime } from './build.ts';
import type { Arg, FromChild, HandleRef, ThrownError, ToChild } from './protocol.ts';

// Only a guard against a file that never finishes loading (an endless loop at the top level): generous, since
// loading node, tsx and etcd3 takes seconds on a busy machine.
const LOAD_TIMEOUT_MS = 60_000;
const OUTPUT_LIMIT = 8_000;

export type CallOutcome<T = unknown> =
  | { ok: true; value: T; ms: number }
  | { ok: false; kind: 'threw'; error: ThrownError; ms: number }
  | { ok: false; kind: 'timeout'; ms: number }
  /** `by`: the function whose process.exit() ended it, when the student's code called it inside a call. */
  | { ok: false; kind: 'exited'; code: number | null; signal: NodeJS.Signals | null; by?: string; ms: number }
  | { ok: false; kind: 'load-failed'; error: ThrownError; ms: number };

export interface SandboxOptions {
  /** The run's folder, shared by its lab processes (runLab makes one; default: a folder of this sandbox's own). */
  job?: string;
}

/** One compilation per lab file and folder (a run's lab processes share it), again when the file changes. */
const compilations = new Map<string, Promise<Awaited<ReturnType<typeof compileLabFile>>>>();

function compiled(file: string, job: string): ReturnType<typeof compileLabFile> {
  let stamp = '';
  try {
    const s = statSync(file);
    stamp = `${s.mtimeMs}:${s.size}`;
  } catch {
    // missing: compileLabFile says so
  }
  const key = `${job}\0${file}\0${stamp}`;
  if (!compilations.has(key)) compilations.set(key, compileLabFile(file, job));
  return compilations.get(key)!;
}

export interface CallOptions {
  timeoutMs?: number;
  /** Environment variables set in the lab process for the duration of the call. */
  env?: Record<string, string | null>;
}

interface Pending {
  resolve: (outcome: CallOutcome) => void;
  began: number;
  timer: NodeJS.Timeout;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Synchronous, so it also runs when the runner exits abruptly via process.exit.
    process.on('exit', () => live.forEach((c) => c.kill('SIGKILL')));
  }
}

export class Sandbox {
  private child!: ChildProcess;
  private ready!: Promise<void>;
  private loaded?: Promise<CallOutcome<string[]>>;
  private file?: string;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  /** The call whose process.exit() is ending the process (several calls may be pending when it does). */
  private exitBy?: string;
  /** Set when we killed the process: the next call must not reach it, even before its exit event. */
  private killed = false;
  private output = '';
  private callbacks = new Map<number, (...args: unknown[]) => unknown>();
  private nextCallback = 1;
  /** Errors the student's code threw outside any call (timers, unhandled rejections). */
  readonly stray: ThrownError[] = [];

  /** The run's folder: the compiled lab file, and the one place the student's code may write. */
  readonly job: string;
  /** This sandbox made the folder (and removes it when disposed); others share a run's. */
  private readonly ownsJob: boolean;

  private constructor(options: SandboxOptions) {
    this.ownsJob = !options.job;
    this.job = options.job ?? newJobFolder();
    this.boot();
  }

  /** Starts the process now (loading node and etcd3 takes a while): load a file later. */
  static spawn(options: SandboxOptions = {}): Sandbox {
    return new Sandbox(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private boot(): void {
    this.exitInfo = undefined;
    this.exitBy = undefined;
    this.killed = false;
    this.loaded = undefined;
    const runtime = sandboxRuntime();
    const child = fork(runtime.child, [], {
      execArgv: boxArguments({ runtime: runtime.dir, job: this.job }),
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: labEnvironment(),
    });
    this.child = child;
    trackChild(child);
    const capture = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    let markReady!: () => void;
    this.ready = new Promise((resolve) => (markReady = resolve));
    child.on('message', (message: FromChild) => {
      if (child !== this.child) return;
      switch (message.type) {
        case 'ready':
          markReady();
          return;
        case 'result':
          this.settle(message.id, message.ok ? { ok: true, value: message.value, ms: 0 } : { ok: false, kind: 'threw', error: message.error, ms: 0 });
          return;
        case 'callback':
          void this.answerCallback(child, message.callback, message.args, message.reply);
          return;
        case 'uncaught':
          this.stray.push(message.error);
          return;
        case 'exiting':
          this.exitBy = message.fn;
          return;
        default:
          this.onLoadMessage?.(message);
      }
    });
    child.on('exit', (code, signal) => {
      if (child !== this.child) return;
      this.exitInfo = { code, signal };
      markReady();
      for (const id of [...this.pending.keys()]) this.settle(id, { ok: false, kind: 'exited', code, signal, by: this.exitBy, ms: 0 });
      this.onLoadMessage?.({ type: 'load-failed', error: { name: 'Exit', message: `the lab process exited (${signal ?? `code ${code}`}) while loading` } });
    });
  }

  private onLoadMessage?: (message: FromChild) => void;

  private async answerCallback(child: ChildProcess, callback: number, args: unknown[], reply: number): Promise<void> {
    const listener = this.callbacks.get(callback);
    let message: ToChild;
    try {
      const value = listener ? await listener(...args) : undefined;
      message = { type: 'reply', reply, ok: true, value };
    } catch (error) {
      const e = error as Error;
      message = { type: 'reply', reply, ok: false, error: { name: e?.name ?? 'Error', message: String(e?.message ?? e) } };
    }
    if (child === this.child) this.sendTo(child, message);
  }

  /** The child may die at any moment (we may have just killed it): a message to it may be lost, never an error here. */
  private sendTo(child: ChildProcess, message: ToChild): void {
    if (!child.connected) return;
    try {
      child.send(message, (error) => void error);
    } catch {
      // the channel closed between the check and the write
    }
  }

  private settle(id: number, outcome: CallOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve({ ...outcome, ms: Math.round((performance.now() - pending.began) * 10) / 10 });
  }

  /** Loads the lab file (again after a restart). Resolves to its export names, or load-failed. */
  load(file: string): Promise<CallOutcome<string[]>> {
    this.file = file;
    if (this.exitInfo || this.killed) this.boot();
    if (this.loaded) return this.loaded;
    const began = performance.now();
    this.loaded = compiled(file, this.job).then((result) => (result.ok ? this.loadCompiled(result.file, began) : { ok: false, kind: 'load-failed', error: result.error, ms: Math.round(performance.now() - began) }));
    return this.loaded;
  }

  private loadCompiled(file: string, began: number): Promise<CallOutcome<string[]>> {
    return new Promise<CallOutcome<string[]>>((resolve) => {
      const timer = setTimeout(() => {
        this.onLoadMessage = undefined;
        this.kill();
        resolve({ ok: false, kind: 'load-failed', error: { name: 'Timeout', message: `loading the file took longer than ${LOAD_TIMEOUT_MS / 1000} s (does it run an endless loop, or await something, at the top level?)` }, ms: LOAD_TIMEOUT_MS });
      }, LOAD_TIMEOUT_MS);
      this.onLoadMessage = (message) => {
        if (message.type !== 'loaded' && message.type !== 'load-failed') return;
        clearTimeout(timer);
        this.onLoadMessage = undefined;
        const ms = Math.round(performance.now() - began);
        resolve(message.type === 'loaded' ? { ok: true, value: message.exports, ms } : { ok: false, kind: 'load-failed', error: message.error, ms });
      };
      void this.ready.then(() => this.send({ type: 'load', file }));
    });
  }

  private send(message: ToChild): void {
    this.sendTo(this.child, message);
  }

  private async request<T>(build: (id: number) => ToChild, timeoutMs: number): Promise<CallOutcome<T>> {
    if (!this.file) throw new Error('Sandbox.load() must come before calls');
    const loaded = await this.load(this.file);
    if (!loaded.ok) return loaded as CallOutcome<T>;
    const id = this.nextId++;
    return new Promise<CallOutcome<T>>((resolve) => {
      const timer = setTimeout(() => {
        // It may be spinning synchronously: only a kill is sure to stop it.
        this.pending.delete(id);
        this.kill();
        resolve({ ok: false, kind: 'timeout', ms: timeoutMs });
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (o: CallOutcome) => void, began: performance.now(), timer });
      this.send(build(id));
    });
  }

  /** Calls an exported function of the lab file. */
  call<T = unknown>(fn: string, args: Arg[] = [], options: CallOptions = {}): Promise<CallOutcome<T>> {
    return this.request<T>((id) => ({ type: 'call', id, fn, args, env: options.env }), options.timeoutMs ?? 10_000);
  }

  /** Calls a method of an object the student's code returned ('' calls a returned function). */
  invoke<T = unknown>(handle: HandleRef, method: string, args: Arg[] = [], options: CallOptions = {}): Promise<CallOutcome<T>> {
    return this.request<T>((id) => ({ type: 'invoke', id, handle: handle.$handle, method, args }), options.timeoutMs ?? 10_000);
  }

  /** Runs one of the harness's own probes inside the lab process. */
  probe<T = unknown>(probe: string, args: Arg[] = [], options: CallOptions = {}): Promise<CallOutcome<T>> {
    return this.request<T>((id) => ({ type: 'probe', id, probe, args }), options.timeoutMs ?? 10_000);
  }

  /**
   * A function argument: calls to it in the lab process arrive here, and
   * what `listener` returns (or throws) is what the call returns (or throws)
   * there, as a promise.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the student's code decides what it passes to the callback
  callback(listener: (...args: any[]) => unknown): { $callback: number } {
    const id = this.nextCallback++;
    this.callbacks.set(id, listener);
    return { $callback: id };
  }

  /** The output the student's code printed since the last `takeOutput()`. */
  takeOutput(): string {
    const out = this.output;
    this.output = '';
    return out;
  }

  /**
   * Closes the harness's clients and the IPC channel, then waits up to
   * `waitMs` for the process to exit on its own. True when it did: the
   * student's code left nothing (timers, keepalives) running.
   */
  async release(waitMs: number): Promise<boolean> {
    if (this.exitInfo) return true;
    const exited = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      this.child.once('exit', () => { clearTimeout(timer); resolve(true); });
    });
    this.send({ type: 'release' });
    return exited;
  }

  /** SIGKILL (default) or another signal, e.g. to test what etcd does when a client dies. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.exitInfo || this.killed) return;
    this.child.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.killed = true;
  }

  dispose(): void {
    this.kill();
    if (this.ownsJob) {
      // After the process is gone: it may still be writing there.
      const remove = () => rmSync(this.job, { recursive: true, force: true });
      if (this.exitInfo) remove();
      else this.child.once('exit', remove);
    }
  }
}
