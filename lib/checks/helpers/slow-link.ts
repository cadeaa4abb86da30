/**
 * A TCP relay in front of a member's client port whose client-to-member
 * direction can be slowed down and held: what a check needs to see work that
 * lands after a student's function resolved (lab 11: a role granted by a
 * call nobody awaited).
 *
 * The relay passes bytes through untouched (TLS included), so the client
 * talks to the member as before. With a delay of D ms, every byte the client
 * sends reaches the member D ms later, so an awaited request costs at least
 * D, and a request sent without await just before the function resolved is
 * still on its way when the runner hears that it did. The runner then
 * holds the link (nothing more reaches the member), reads the member's state
 * with a client of its own, and releases it.
 *
 * ```ts
 * const link = await slowLink(port);
 * // warm the client up through link.endpoint, then:
 * link.delay(300);
 * await call;           // the student's function resolved
 * link.hold();          // what it sent without waiting stays here
 * … read the state …
 * link.release();
 * ```
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

export interface SlowLink {
  /** Where the client connects: `https://127.0.0.1:<port>` (or http, like the member). */
  endpoint: string;
  /** Delays every byte from now on by `ms` on its way to the member. */
  delay(ms: number): void;
  /** Stops passing bytes to the member; they wait, in order, until release(). */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

interface Queued {
  chunk: Buffer;
  dueAt: number;
}

/** One connection's client-to-member direction: a queue with a due time per chunk. */
class Lane {
  private readonly queue: Queued[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly upstream: Socket, private readonly link: { delayMs: number; held: boolean }) {}

  push(chunk: Buffer): void {
    this.queue.push({ chunk, dueAt: performance.now() + this.link.delayMs });
    this.flush();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.link.held) return;
    while (this.queue.length && this.queue[0].dueAt <= performance.now()) this.upstream.write(this.queue.shift()!.chunk);
    if (this.queue.length) this.timer = setTimeout(() => this.flush(), Math.max(1, this.queue[0].dueAt - performance.now()));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

export async function slowLink(memberEndpoint: string): Promise<SlowLink> {
  const target = new URL(memberEndpoint);
  const state = { delayMs: 0, held: false };
  const lanes = new Set<Lane>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    const lane = new Lane(upstream, state);
    lanes.add(lane);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
    }
    client.on('data', (chunk: Buffer) => lane.push(chunk));
    upstream.pipe(client);
    const end = () => {
      lane.stop();
      lanes.delete(lane);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, resolve);
  });
  const port = (server.address() as { port: number }).port;
  const flushAll = () => lanes.forEach((lane) => lane.flush());
  return {
    endpoint: `${target.protocol}//127.0.0.1:${port}`,
    delay(ms) {
      state.delayMs = ms;
    },
    hold() {
      state.held = true;
    },
    release() {
      state.held = false;
      flushAll();
    },
    async close() {
      lanes.forEach((lane) => lane.stop());
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
