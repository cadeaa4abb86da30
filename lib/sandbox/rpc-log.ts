/**
 * Which requests a harness-built client sent to etcd, and when. Every unary
 * call of an etcd3 client goes through its connection pool's exec(); the lab
 * process notes each one, so a check can ask "how many round trips did that
 * take?" (lab 06: a compare-and-swap is one transaction, not a get and a put)
 * or "did the client ever pause between requests?" (lab 09: a waiter that
 * retries a held lock without sleeping always has a request in flight).
 */
import type { Etcd3, Namespace } from 'etcd3';

interface Sent {
  rpc: string;
  start: number;
  end?: number;
}

const logs = new WeakMap<object, Sent[]>();

type Exec = (service: string, method: string, ...rest: unknown[]) => Promise<unknown>;

export function logRpcs(root: Etcd3, view: Namespace): void {
  const log: Sent[] = [];
  logs.set(view, log);
  const pool = (root as unknown as { pool: { exec: Exec } }).pool;
  const exec = pool.exec.bind(pool);
  pool.exec = (service, method, ...rest) => {
    const sent: Sent = { rpc: `${service}.${method}`, start: performance.now() };
    log.push(sent);
    const settled = () => {
      sent.end = performance.now();
    };
    const answer = exec(service, method, ...rest);
    answer.then(settled, settled);
    return answer;
  };
}

/** The requests `view` sent since the last call ("KV.range", "KV.txn", ...); clears the log. */
export function takeRpcs(view: object): string[] {
  const log = logs.get(view);
  return log ? log.splice(0).map((s) => s.rpc) : [];
}

/** How many requests `view` sent since the log was last taken; clears the log. */
export function takeRpcCount(view: object): number {
  return logs.get(view)?.splice(0).length ?? 0;
}

/** How a client's requests filled its time, from its first request sent to its last answered. */
export interface RpcPacing {
  requests: number;
  spanMs: number;
  /** Time with no request of this client in flight. */
  idleMs: number;
  /** For each request of the kind asked about but the first: how long the client had been idle before it (ms), in order. */
  pausesMs: number[];
}

/** The pacing of the requests `view` sent since the log was last taken, with the pauses before each `rpc`; clears the log. */
export function takeRpcPacing(view: object, rpc: string): RpcPacing {
  const log = (logs.get(view)?.splice(0) ?? []).filter((s) => s.end !== undefined);
  if (log.length === 0) return { requests: 0, spanMs: 0, idleMs: 0, pausesMs: [] };
  const pausesMs: number[] = [];
  let idleMs = 0;
  let busyUntil = log[0].start;
  for (const [i, s] of log.entries()) {
    const gap = Math.max(0, s.start - busyUntil);
    idleMs += gap;
    if (s.rpc === rpc && i > 0) pausesMs.push(gap);
    busyUntil = Math.max(busyUntil, s.end as number);
  }
  return { requests: log.length, spanMs: busyUntil - log[0].start, idleMs, pausesMs };
}
