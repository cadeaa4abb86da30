/**
 * Lab 16's adversary, inside a service process: the writes of a few marked
 * requests, disturbed on purpose, so that a mistake shows every run instead
 * of when a race happens to go that way.
 *
 * The harness *arms* a marker (a value it is about to send) on one service's
 * client (probe `kvWrites`). The first write request of that client whose
 * bytes contain the marker (KV.put, KV.deleteRange, or a KV.txn that puts or
 * deletes) is then:
 *
 * - `hold`: not sent until the harness releases it. A service that answers
 *   200 while its write has not even left is seen doing so, by state rather
 *   than by timing; and appends held together reach etcd together, so code
 *   that reads the list and writes it back loses all but one of them.
 * - `lose`: sent, and once etcd has answered, the answer is replaced by a
 *   deadline error, as when an answer is lost on its way: the write was
 *   applied, and the service cannot know it.
 * - `crash`: sent, and once etcd has answered, the process is killed
 *   (SIGKILL) before the service can answer: a crash right after a commit.
 *
 * Later writes carrying the same marker go through untouched (a retry, the
 * next round of a compare-and-swap loop). A held write is released after
 * `HOLD_LIMIT_MS` whatever happens, so a harness that forgets cannot hang a
 * service for good.
 */
import type { Etcd3 } from 'etcd3';

export type KvWriteMode = 'hold' | 'lose' | 'crash';

type Exec = (service: string, method: string, payload: unknown, ...rest: unknown[]) => Promise<unknown>;

const HOLD_LIMIT_MS = 30_000;

class KvWrites {
  /** Marker → what to do with the first write carrying it. */
  readonly armed = new Map<string, KvWriteMode>();
  /** Markers whose write is held right now, and how to let it go. */
  readonly held = new Map<string, () => void>();
  /** Markers whose write was met (held, lost or crashed), in order. */
  readonly met: string[] = [];

  match(payload: unknown): string | undefined {
    if (this.armed.size === 0) return undefined;
    const chunks: Buffer[] = [];
    collectBytes(payload, chunks, 0);
    for (const marker of this.armed.keys()) if (chunks.some((c) => c.includes(marker))) return marker;
    return undefined;
  }

  release(markers?: string[]): string[] {
    const released: string[] = [];
    for (const [marker, go] of [...this.held]) {
      if (markers && !markers.includes(marker)) continue;
      this.held.delete(marker);
      go();
      released.push(marker);
    }
    return released;
  }
}

const states = new WeakMap<object, KvWrites>();

function collectBytes(value: unknown, out: Buffer[], depth: number): void {
  if (depth > 8 || value === null || value === undefined) return;
  if (typeof value === 'string') out.push(Buffer.from(value));
  else if (value instanceof Uint8Array) out.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  else if (Array.isArray(value)) value.forEach((v) => collectBytes(v, out, depth + 1));
  else if (typeof value === 'object') Object.values(value).forEach((v) => collectBytes(v, out, depth + 1));
}

/** Whether a KV request changes data: a put, a delete, or a transaction with one of those among its operations. */
function isWrite(method: string, payload: unknown): boolean {
  if (method === 'put' || method === 'deleteRange') return true;
  if (method !== 'txn') return false;
  const ops = (payload as { success?: unknown[]; failure?: unknown[] }) ?? {};
  return [...(ops.success ?? []), ...(ops.failure ?? [])].some((op) => {
    const o = op as Record<string, unknown>;
    return o.request_put !== undefined || o.request_delete_range !== undefined || (o.request_txn !== undefined && isWrite('txn', o.request_txn));
  });
}

export function interposeKvWrites(root: Etcd3): void {
  const state = new KvWrites();
  states.set(root, state);
  const pool = (root as unknown as { pool: { exec: Exec } }).pool;
  const exec = pool.exec.bind(pool);
  pool.exec = async (service, method, payload, ...rest) => {
    const marker = service === 'KV' && isWrite(method, payload) ? state.match(payload) : undefined;
    if (marker === undefined) return exec(service, method, payload, ...rest);
    const mode = state.armed.get(marker)!;
    state.armed.delete(marker);
    state.met.push(marker);
    if (mode === 'hold') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => state.release([marker]), HOLD_LIMIT_MS);
        state.held.set(marker, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return exec(service, method, payload, ...rest);
    }
    // The write goes through: etcd applies it (or refuses it, and then that is the answer).
    await exec(service, method, payload, ...rest);
    if (mode === 'crash') {
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => {});
    }
    // etcd3's own class, as a call whose deadline passed rejects with (loaded here: the lab process loads etcd3 lazily).
    const { GRPCDeadlineExceededError } = await import('etcd3');
    throw new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded');
  };
}

/**
 * The harness's side (probe `kvWrites`): arm markers (or disarm those never
 * met), ask which writes are held and which were met, release held ones (all
 * when no list is given).
 */
export function kvWritesControl(root: unknown, action: 'arm' | 'disarm' | 'state' | 'release', arg?: unknown): unknown {
  const state = states.get(root as object);
  if (!state) throw new Error('this client has no kv-writes adversary');
  switch (action) {
    case 'arm':
      for (const [marker, mode] of Object.entries(arg as Record<string, KvWriteMode>)) state.armed.set(marker, mode);
      return undefined;
    case 'disarm':
      for (const marker of (arg as string[] | undefined) ?? [...state.armed.keys()]) state.armed.delete(marker);
      return undefined;
    case 'state':
      return { held: [...state.held.keys()], met: [...state.met] };
    case 'release':
      return state.release(arg as string[] | undefined);
  }
}
