/**
 * Lab 16's service processes: one lab process per member, each running the
 * student's `serveKv()` on a port of its own, in front of that member alone.
 *
 * They live as long as the cluster they serve (several checks use them, one
 * after another), so they are not `ctx.spawn()` workers, which stop with
 * their check: each is a lab process of its own, stopped when the run ends
 * (`ctx.atEnd`). A check kills one (SIGKILL, mid-request) and starts it again
 * on the same port.
 *
 * Each service's client is built in its lab process from a recipe: one
 * member, a 3 s deadline per call, one attempt (no etcd3 retries, no circuit
 * breaker), and the kv-writes adversary (lib/sandbox/adversaries/kv-writes.ts)
 * that the probes arm on a few marked writes.
 */
import { portFree } from '../../../cluster/probe.ts';
import { waitFor } from '../time.ts';
import type { CheckContext } from '../../../runner/context.ts';
import { CheckFailure, show } from '../../../runner/failure.ts';
import { StudentCode } from '../../../runner/student.ts';
import type { ClientArg, HandleRef } from '../../../sandbox/protocol.ts';
import type { CallOutcome } from '../../../sandbox/sandbox.ts';
import { Sandbox } from '../../../sandbox/sandbox.ts';
import type { ThrownError } from '../../../sandbox/protocol.ts';

/** Each call of a service's client gives up after this (the stub says 3 s). */
export const SERVICE_DEADLINE_MS = 3000;
/** Loading a lab process and starting the server: generous, the machine may be busy. */
const START_MS = 30_000;
const CLOSE_MS = 10_000;

/** Ports handed out by this process recently: free until a service binds them. */
const claimed = new Set<number>();

/** `count` free ports on 127.0.0.1, from `from` up. */
export async function freePorts(count: number, from = 31000): Promise<number[]> {
  const found: number[] = [];
  for (let port = from; port < from + 4000 && found.length < count; port++) {
    if (claimed.has(port) || !(await portFree(port))) continue;
    claimed.add(port);
    setTimeout(() => claimed.delete(port), 120_000).unref();
    found.push(port);
  }
  if (found.length < count) throw new Error(`no ${count} free ports between ${from} and ${from + 4000}`);
  return found;
}

export interface ServiceSpec {
  /** The member's name (n1, …), also what serveKv() is told. */
  member: string;
  /** The member's client URL. */
  endpoint: string;
  port: number;
}

/** How a service's process ended without being asked to. */
export interface ServiceTrouble {
  member: string;
  /** Errors its code threw outside any request handler's promise (a crash, in a real server). */
  stray: ThrownError[];
}

/** The service of one member: its lab process may be killed and started again, on the same port. */
export class Service {
  private code?: StudentCode;
  private handle?: HandleRef;
  private generation = 0;
  /** Errors thrown outside any call, over every process this service has had. */
  readonly stray: ThrownError[] = [];
  /** The lab processes it killed on purpose (their deaths are not the student's). */
  killed = 0;

  constructor(
    private readonly ctx: CheckContext,
    readonly spec: ServiceSpec,
    private readonly options: { adversary: boolean },
  ) {}

  get member(): string {
    return this.spec.member;
  }

  get port(): number {
    return this.spec.port;
  }

  /** The client argument of the current process (the probes reach its adversary through it). */
  client(): ClientArg {
    return {
      $client: {
        hosts: [this.spec.endpoint],
        deadlineMs: SERVICE_DEADLINE_MS,
        singleAttempt: true,
        label: `kv-${this.spec.member}-${this.generation}`,
        adversary: this.options.adversary ? { name: 'kv-writes', args: {} } : undefined,
      },
    };
  }

  private prepared?: Sandbox;

  /** Starts a lab process now (node and etcd3 take a while to load): start() runs serveKv() in it, a restart too. */
  prepare(): this {
    if (this.prepared) return this;
    const box = Sandbox.spawn();
    this.ctx.atEnd(() => box.dispose());
    void box.load(this.ctx.student.labFile);
    this.prepared = box;
    return this;
  }

  /**
   * Runs `serveKv()` in a lab process (a new one, or the prepared one); a
   * failure is the student's (a TODO, a throw, a hang). A restart first waits
   * for the port to be free: a process killed a moment ago may still hold it.
   * A port another program took meanwhile (EADDRINUSE) is the runner's
   * problem: the service moves to another.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await waitFor(() => portFree(this.spec.port), 5000, 100);
      this.generation++;
      if (!this.prepared) this.prepare();
      const box = this.prepared!;
      this.prepared = undefined;
      const code = new StudentCode(box, this.ctx.student.labFile, START_MS);
      this.code = code;
      const outcome = await code.attempt<HandleRef>('serveKv', [this.client(), { port: this.spec.port, name: this.spec.member }], { timeoutMs: START_MS });
      const taken = !outcome.ok && outcome.kind === 'threw' && /EADDRINUSE/.test(`${outcome.error.code ?? ''} ${outcome.error.message}`);
      if (taken && attempt < 3) {
        box.dispose();
        [this.spec.port] = await freePorts(1, this.spec.port + 1);
        continue;
      }
      if (!outcome.ok) throw code.failure('serveKv()', outcome, START_MS);
      this.handle = outcome.value;
      break;
    }
    if (!this.handle || typeof this.handle !== 'object' || !('$handle' in this.handle) || !this.handle.methods.includes('close')) {
      throw new CheckFailure(`serveKv() resolved to ${show(this.handle)}, not an object with a close() method`, {
        explain: 'Resolve to { close }, where close() stops the server: return { close: () => new Promise((resolve) => server.close(() => resolve())) }.',
      });
    }
  }

  /** Runs a probe in the service's process (the kv-writes adversary's controls). */
  probe<T>(name: string, args: unknown[]): Promise<CallOutcome<T>> {
    if (!this.code) throw new Error(`the service of ${this.member} is not running`);
    return this.code.probe<T>(name, args, { timeoutMs: 5000 });
  }

  /** SIGKILL: the process dies mid-request, as in a power cut. */
  kill(): void {
    this.collectStray();
    this.killed++;
    this.code?.box.kill();
  }

  /** The service's own close(); resolves with its outcome. */
  async close(): Promise<CallOutcome> {
    if (!this.code || !this.handle) throw new Error(`the service of ${this.member} is not running`);
    return this.code.box.invoke(this.handle, 'close', [], { timeoutMs: CLOSE_MS });
  }

  /**
   * Lets go of the process (the harness's clients closed) and waits up to
   * `waitMs` for it to exit by itself: true when it did, i.e. the student's
   * code left nothing running once closed.
   */
  release(waitMs: number): Promise<boolean> {
    return this.code ? this.code.box.release(waitMs) : Promise.resolve(true);
  }

  /** Whether its process still runs. */
  alive(): boolean {
    const pid = this.code?.box.pid;
    if (pid === undefined) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Moves the errors thrown outside any call into `stray`, and returns the new ones. */
  collectStray(): ThrownError[] {
    const fresh = this.code ? this.code.box.stray.splice(0) : [];
    this.stray.push(...fresh);
    return fresh;
  }

  /** What the student's code printed since last asked (console.log in a request handler). */
  printed(): string {
    return this.code?.box.takeOutput().trim() ?? '';
  }

  dispose(): void {
    this.collectStray();
    this.prepared?.dispose();
    this.code?.box.dispose();
  }
}

/** Runs serveKv() in every service, side by side; the first failure stops them all. */
export async function startServices(services: Service[]): Promise<Service[]> {
  const started = await Promise.allSettled(services.map((s) => s.start()));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    services.forEach((s) => s.dispose());
    throw failed.reason;
  }
  return services;
}
