/**
 * Lab 15's adversary, inside the lab process: writes that land right before
 * and right after the point in time a snapshot is taken.
 *
 * The first snapshots of a client with this adversary (`rounds`, two or
 * more) are each preceded by some puts (so a revision read before the call is
 * too old) and their first chunk is held back until some more puts are done
 * (so a revision read after the stream is too new). How many puts, and how
 * many snapshots in a row, vary with the run's seed: code that guesses "the
 * revision before plus one", or retries once and then trusts what it read,
 * is wrong as surely as code that reads once. Later snapshots run untouched:
 * code that notices and tries again gets a quiet one.
 *
 * Reads of the revision that the student's code sends while a snapshot is
 * starting (it did not wait for the stream) are answered before the puts
 * land, so a revision read "after" a stream it never awaited is the one
 * before, every time rather than when the race goes that way.
 */
import { Transform } from 'node:stream';
import type { Etcd3 } from 'etcd3';

type SnapshotFn = (options?: unknown) => Promise<NodeJS.ReadableStream & { cancel?: () => void }>;
type Exec = (service: string, method: string, ...rest: unknown[]) => Promise<unknown>;

/** The puts around one disturbed snapshot. */
export interface SnapshotRound {
  /** Puts right before the snapshot starts (at least 1). */
  before: number;
  /** Puts before its first chunk is passed on (at least 1). */
  during: number;
}

/** `key` is written `${value}-<round>-<n>` around each of the first `rounds.length` snapshots. */
export interface SnapshotWrites {
  key: string;
  value: string;
  rounds: SnapshotRound[];
}

/** Reads (KV.range) this client has sent and not yet got an answer for. */
function trackReads(root: Etcd3): () => Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  const pool = (root as unknown as { pool: { exec: Exec } }).pool;
  const exec = pool.exec.bind(pool);
  pool.exec = (service, method, ...rest) => {
    const call = exec(service, method, ...rest);
    if (service === 'KV' && method === 'range') {
      inFlight.add(call);
      const done = () => inFlight.delete(call);
      call.then(done, done);
    }
    return call;
  };
  return async () => {
    // A read sent right after snapshot() was called (not awaited) is sent within this turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.allSettled([...inFlight]);
  };
}

export function interposeSnapshotWrites(root: Etcd3, writes: SnapshotWrites): void {
  const maintenance = root.maintenance as unknown as { snapshot: SnapshotFn };
  const snapshot = maintenance.snapshot.bind(maintenance);
  const readsSettled = trackReads(root);
  const put = async (round: number, count: number, what: string) => {
    for (let n = 1; n <= count; n++) await root.put(writes.key).value(`${writes.value}-${round}-${what}-${n}`).exec();
  };
  let taken = 0;
  maintenance.snapshot = async (options?: unknown) => {
    const round = taken++;
    const plan = writes.rounds[round];
    if (!plan) return snapshot(options);
    await readsSettled();
    await put(round + 1, plan.before, 'before');
    const source = await snapshot(options);
    let first = true;
    const held = new Transform({
      objectMode: true,
      transform(chunk, _encoding, done) {
        if (!first) return done(null, chunk);
        first = false;
        put(round + 1, plan.during, 'during').then(() => done(null, chunk), (error: Error) => done(error));
      },
    });
    source.on('error', (error) => held.destroy(error as Error));
    source.on('status', (status) => held.emit('status', status));
    source.pipe(held);
    return Object.assign(held, { cancel: () => source.cancel?.() });
  };
}
