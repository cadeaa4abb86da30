/**
 * A TCP relay in front of the cluster's client ports, for checks that must
 * know whether a student's function waited for its last request (labs 08,
 * 09, 10): a close() that revokes a lease, a withLock() that releases, a stop
 * function that cancels a watch.
 *
 * The student's client talks to etcd through the relay. `hold()` keeps what
 * that client sends from reaching etcd (answers and watch events still flow)
 * until `letGo()`. A function that resolves while its request is held did not
 * wait for it: that is a fact of the run, not a race of timings, so the check
 * can say "not awaited" every run. `delay(ms)` makes every request reach etcd
 * that much later: a function that resolves before what it wrote is there
 * (an un-awaited put) then shows every run too. `cutAfter(bytes)` resets
 * the connections in the middle of an answer (lab 15: a snapshot stream that
 * breaks half way).
 *
 * The relay forwards bytes and knows nothing of gRPC. It cannot stand in front
 * of a TLS cluster (the certificate names the cluster's host, not the relay):
 * `relayable()` says whether it can be used.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import type { CheckContext } from '../../runner/context.ts';
import { settledWithin } from './time.ts';

/** Passes each chunk on `delayMs()` after it arrived, in order, without queueing one behind the other. */
class Delay extends Transform {
  private last = 0;
  constructor(private readonly delayMs: () => number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const at = Math.max(Date.now() + this.delayMs(), this.last);
    this.last = at;
    if (at <= Date.now()) done(null, chunk);
    else {
      setTimeout(() => this.push(chunk), at - Date.now());
      done();
    }
  }
}

interface Pair {
  delay: Delay;
  /** What the client sent while the relay held it, in order. */
  queue: Buffer[];
  ended: boolean;
}

export class Relay {
  private held = false;
  private delayMs = 0;
  private heldCount = 0;
  private answered = 0;
  private cutAt: number | undefined;
  private readonly pairs = new Set<Pair>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly servers: Server[],
    /** The relay's endpoints, one per member, in the order of the cluster's. */
    readonly hosts: string[],
  ) {}

  /** One listening port per endpoint of the cluster, forwarding to it. */
  static async start(endpoints: string[]): Promise<Relay> {
    const servers: Server[] = [];
    const hosts: string[] = [];
    let relay!: Relay;
    for (const endpoint of endpoints) {
      const url = new URL(endpoint.includes('://') ? endpoint : `http://${endpoint}`);
      const server = createServer((client) => relay.join(client, url));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      hosts.push(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    }
    relay = new Relay(servers, hosts);
    return relay;
  }

  private join(client: Socket, target: URL): void {
    const upstream = connect(Number(target.port), target.hostname);
    const delay = new Delay(() => this.delayMs);
    const pair: Pair = { delay, queue: [], ended: false };
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', drop);
      socket.on('close', drop);
    }
    upstream.pipe(client);
    upstream.on('data', (chunk: Buffer) => {
      this.answered += chunk.length;
      if (this.cutAt !== undefined && this.answered >= this.cutAt) {
        this.cutAt = undefined;
        this.cut();
      }
    });
    delay.pipe(upstream);
    client.on('data', (chunk: Buffer) => {
      if (!this.held) delay.write(chunk);
      else {
        pair.queue.push(chunk);
        this.heldCount += chunk.length;
      }
    });
    client.on('end', () => {
      pair.ended = true;
      if (!this.held) delay.end();
    });
  }

  /** From now on, nothing the client sends reaches etcd (it waits in the relay). */
  hold(): void {
    if (this.held) return;
    this.held = true;
    this.heldCount = 0;
  }

  /** What was held goes on to etcd (at once, in order), and so does everything after. */
  letGo(): void {
    if (!this.held) return;
    this.held = false;
    for (const pair of this.pairs) {
      for (const chunk of pair.queue.splice(0)) pair.delay.write(chunk);
      if (pair.ended) pair.delay.end();
    }
  }

  /** Bytes the client sent since hold(): it has started talking to etcd. */
  get heldBytes(): number {
    return this.heldCount;
  }

  /** Every request sent from now on reaches etcd `ms` later (0: at once). Answers are not delayed. */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Bytes etcd sent back through the relay, in all. */
  get answeredBytes(): number {
    return this.answered;
  }

  /** Once `bytes` more of answers have passed, every connection through the relay is cut: a member that died in the middle of an answer. */
  cutAfter(bytes: number): void {
    this.cutAt = this.answered + bytes;
  }

  /** Cuts every connection through the relay now (new ones are let through). */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.letGo();
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** Whether a relay can stand between the student's client and this run's cluster (not over TLS). */
export function relayable(ctx: CheckContext): boolean {
  return !ctx.target.tls;
}

/**
 * A relay for this check (closed when the run ends), or undefined on a TLS
 * cluster: the check then judges the same thing by state, without the
 * guarantee of catching it every run.
 */
export async function startRelay(ctx: CheckContext): Promise<Relay | undefined> {
  if (!relayable(ctx)) return undefined;
  const relay = await Relay.start(ctx.target.endpoints);
  ctx.atEnd(() => relay.close());
  return relay;
}

/**
 * Runs `work` (a call into the student's code) with the student's requests
 * held for up to `graceMs`, then lets go. `early`: it settled while its
 * requests were held, so it did not wait for them.
 */
export async function underHold<T>(relay: Relay, work: () => Promise<T>, graceMs: number): Promise<{ early: boolean; result: T }> {
  relay.hold();
  let early: boolean;
  let running: Promise<T>;
  try {
    running = work();
    early = await settledWithin(running, graceMs);
  } finally {
    relay.letGo();
  }
  return { early, result: await running };
}
