/**
 * A link between a student's client and one etcd member that a check can see
 * through: a TCP proxy in the runner process that reads the HTTP/2 frames
 * gRPC sends (plain h2c) and holds each request back a little on its way to
 * etcd. What it tells is decided by the order of events, not by speed:
 *
 * - how many requests were in flight at once: a loop of awaited puts never
 *   has two; `Promise.all` or `forEach(async …)` has all of them, since the
 *   held requests cannot be answered before the last one is sent;
 * - how many requests were answered only after the student's function had
 *   resolved: a put without `await`. A request cannot be answered before it
 *   has been held HOLD_MS; the call's result reaches the runner well within
 *   that (an IPC message: measured with both cores busy at load 14, median
 *   1 ms, 99th percentile 16-34 ms, worst 91 ms of 1300), so a request the
 *   function awaited is always answered first.
 *
 * On a TLS cluster the frames cannot be read (and the member's certificate
 * names the member, not this proxy): `openWire()` then hands out the ordinary
 * client and `seen` is false; checks fall back to reading etcd's state.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { ClientArg } from '../../sandbox/protocol.ts';
import type { CheckContext } from '../../runner/context.ts';
import { sleep } from './time.ts';

/** How long each request is held: long enough that a result crossing to the runner always arrives first. */
export const HOLD_MS = 200;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const DATA = 0x0;
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const END_STREAM = 0x1;

/** Splits one direction of an HTTP/2 connection into frames: (type, flags, stream id). */
class FrameReader {
  private buffer = Buffer.alloc(0);
  constructor(private skip: number, private readonly onFrame: (type: number, flags: number, stream: number) => void) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.skip > 0) {
      const n = Math.min(this.skip, this.buffer.length);
      this.buffer = this.buffer.subarray(n);
      this.skip -= n;
    }
    while (this.buffer.length >= 9) {
      const length = this.buffer.readUIntBE(0, 3);
      if (this.buffer.length < 9 + length) return;
      this.onFrame(this.buffer[3], this.buffer[4], this.buffer.readUInt32BE(5) & 0x7fffffff);
      this.buffer = this.buffer.subarray(9 + length);
    }
  }
}

/** Forwards chunks in order, each no sooner than `ms` after it arrived. */
function delayed(from: Socket, to: Socket, ms: () => number, seen: (chunk: Buffer) => void): void {
  let last = 0;
  from.on('data', (chunk: Buffer) => {
    seen(chunk);
    const wait = ms();
    const at = Math.max(Date.now() + wait, last);
    last = at;
    if (at <= Date.now()) {
      if (to.writable) to.write(chunk);
    } else setTimeout(() => to.writable && to.write(chunk), at - Date.now());
  });
}

export interface WireOptions {
  /** Held on the way to etcd, per chunk (default HOLD_MS). */
  requestDelayMs?: number;
  /**
   * Held on the way back, per chunk, given the connection's number (0, 1, …)
   * and how many requests it has carried so far: an answer that comes too late.
   */
  responseDelayMs?: (connection: number, requests: number) => number;
  /** Answers that never arrive: the connection is cut when this says so as an answer comes back. */
  cutAnswer?: (connection: number, requests: number) => boolean;
}

/** The proxy itself: an address to give a client, and what it saw. */
export class WireProxy {
  private readonly sockets = new Set<Socket>();
  private readonly open = new Set<string>();
  private connections = 0;
  private opened = 0;
  private answered = 0;
  private most = 0;
  private waiters: (() => void)[] = [];

  private constructor(private readonly server: Server, readonly endpoint: string) {}

  static async start(upstream: string, options: WireOptions = {}): Promise<WireProxy> {
    const target = new URL(upstream.includes('://') ? upstream : `http://${upstream}`);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const proxy = new WireProxy(server, `http://127.0.0.1:${port}`);
    server.on('connection', (client) => proxy.link(client, target, options));
    return proxy;
  }

  private link(client: Socket, target: URL, options: WireOptions): void {
    const id = this.connections++;
    const member = connect(Number(target.port), target.hostname);
    for (const s of [client, member]) {
      this.sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        member.destroy();
        this.closeConnection(id);
      });
    }
    let carried = 0;
    const requests = new FrameReader(PREFACE.length, (type, _flags, stream) => {
      if (type === HEADERS && stream > 0 && !this.open.has(`${id}:${stream}`)) {
        carried++;
        this.start(`${id}:${stream}`);
      }
      if (type === RST_STREAM) this.finish(`${id}:${stream}`);
    });
    const responses = new FrameReader(0, (type, flags, stream) => {
      if (type === RST_STREAM || ((type === HEADERS || type === DATA) && flags & END_STREAM)) this.finish(`${id}:${stream}`);
    });
    delayed(client, member, () => options.requestDelayMs ?? HOLD_MS, (chunk) => requests.push(chunk));
    // A request counts as answered when its last frame reaches the proxy, before the client can see it.
    delayed(member, client, () => options.responseDelayMs?.(id, carried) ?? 0, (chunk) => {
      if (carried > 0 && options.cutAnswer?.(id, carried)) {
        client.destroy();
        member.destroy();
        return;
      }
      responses.push(chunk);
    });
  }

  private start(key: string): void {
    this.open.add(key);
    this.opened++;
    this.most = Math.max(this.most, this.open.size);
  }

  private finish(key: string): void {
    if (!this.open.delete(key)) return;
    this.answered++;
    if (this.open.size === 0) this.waiters.splice(0).forEach((w) => w());
  }

  private closeConnection(id: number): void {
    for (const key of [...this.open]) if (key.startsWith(`${id}:`)) this.finish(key);
  }

  /** Requests sent, answered, in flight now, and the most in flight at once, since the last reset(). */
  counts(): { sent: number; answered: number; inFlight: number; most: number } {
    return { sent: this.opened, answered: this.answered, inFlight: this.open.size, most: this.most };
  }

  reset(): void {
    this.opened = this.open.size;
    this.answered = 0;
    this.most = this.open.size;
  }

  /** Resolves true once no request is in flight, false after `limitMs`. */
  idle(limitMs: number): Promise<boolean> {
    if (this.open.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), limitMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async close(): Promise<void> {
    this.sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export interface Wire {
  /** The client argument for the student's function. */
  client: ClientArg;
  /** False on a TLS cluster: the client is the ordinary one and nothing is observed. */
  seen: boolean;
  proxy?: WireProxy;
}

/** A client for the student's function through a WireProxy to the run's first member (stopped when the run ends). */
export async function openWire(ctx: CheckContext, label: string, options: WireOptions = {}): Promise<Wire> {
  if (ctx.target.tls) return { client: ctx.client({ label }), seen: false };
  const proxy = await WireProxy.start(ctx.target.endpoints[0], options);
  ctx.atEnd(() => proxy.close());
  return { client: ctx.client({ label, hosts: [proxy.endpoint] }), seen: true, proxy };
}

export interface WireCall<T> {
  value: T;
  /** The requests the function started ("KV.put", …), as the client logged them (probe `rpcs`). */
  requests: string[];
  /** The most requests in flight at once (0 when the wire is not seen). */
  most: number;
  /** Requests answered only after the function had resolved: work it did not await (0 when not seen). */
  late: number;
}

/**
 * Calls the student's `fn` (its arguments include `wire.client`), then waits
 * until every request it started has been answered, and tells what the wire
 * saw. Deciding "answered after the function resolved" needs no timing
 * beyond the hold: the client logs each request when it starts (before the
 * function can resolve), and the proxy counts the answers.
 */
export async function callThroughWire<T>(ctx: CheckContext, wire: Wire, fn: string, args: unknown[]): Promise<WireCall<T>> {
  await ctx.student.probe('rpcs', [wire.client]);
  wire.proxy?.reset();
  const value = await ctx.student.call<T>(fn, args);
  const atResolve = wire.proxy?.counts().answered ?? 0;
  const logged = await ctx.student.probe<string[]>('rpcs', [wire.client]);
  const requests = (logged.ok ? logged.value : []).filter((r) => !r.startsWith('Auth.'));
  const proxy = wire.proxy;
  if (!proxy) return { value, requests, most: 0, late: 0 };
  const began = Date.now();
  while (proxy.counts().answered < requests.length && Date.now() - began < 5_000) {
    await proxy.idle(100);
    await sleep(5);
  }
  const { answered, most } = proxy.counts();
  return { value, requests, most, late: answered - atResolve };
}

export type Landing = 'in-time' | 'late' | 'missing';

/**
 * Whether a call's writes were in etcd when it resolved. With the wire seen,
 * `late` decides; without it (TLS), etcd is read now and, when the writes are
 * not there, once more a second later (work that lands then was not awaited;
 * a fast un-awaited put may also land before the first read and pass).
 */
export async function landing(call: WireCall<unknown>, wire: Wire, present: () => Promise<boolean>): Promise<Landing> {
  if (wire.seen && call.late > 0) return 'late';
  if (await present()) return 'in-time';
  if (wire.seen) return 'missing';
  await sleep(1_000);
  return (await present()) ? 'late' : 'missing';
}

/** The failure for work that landed after the function resolved: a missing `await`, named. */
export function lateWork(what: string, call: WireCall<unknown>, wire: Wire): { message: string; details: { expected: string; actual: string; explain: string } } {
  const told = wire.seen
    ? `${call.late} of its ${call.requests.length} request(s) to etcd were answered only after it had returned`
    : 'its writes reached etcd only after it had returned';
  return {
    message: `${what} resolved before its work was done: ${told}`,
    details: {
      expected: 'every write done (awaited) before the function resolves',
      actual: `requests sent: ${call.requests.join(', ') || 'none logged'}; ${told}`,
      explain: 'A missing await: the function returned while its requests were still on their way. '
        + 'Await each one (`await client.put(key).value(v).exec()`). `forEach(async …)` does not wait for anything: '
        + 'use `for (const x of list) await …`, or `await Promise.all(list.map(…))`.',
    },
  };
}
