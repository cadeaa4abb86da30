/**
 * Lab 15's adversary, inside the lab process: writes that land right before
 * and right after the point in time a snapshot is taken.
 *
 * The first `maintenance.snapshot()` of a client with this adversary is
 * preceded by a put (so a revision read before the call is too old) and its
 * first chunk is held back until a second put is done (so a revision read
 * after the stream is too new). Later snapshots of the same client run
 * untouched: code that notices and tries again gets a quiet one.
 */
import { Transform } from 'node:stream';
import type { Etcd3 } from 'etcd3';

type SnapshotFn = (options?: unknown) => Promise<NodeJS.ReadableStream & { cancel?: () => void }>;

/** `key` is written with `before` just before the first snapshot, and with `during` before its first chunk is passed on. */
export interface SnapshotWrites {
  key: string;
  before: string;
  during: string;
}

export function interposeSnapshotWrites(root: Etcd3, writes: SnapshotWrites): void {
  const maintenance = root.maintenance as unknown as { snapshot: SnapshotFn };
  const snapshot = maintenance.snapshot.bind(maintenance);
  let armed = true;
  maintenance.snapshot = async (options?: unknown) => {
    if (!armed) return snapshot(options);
    armed = false;
    await root.put(writes.key).value(writes.before).exec();
    const source = await snapshot(options);
    let first = true;
    const held = new Transform({
      objectMode: true,
      transform(chunk, _encoding, done) {
        if (!first) return done(null, chunk);
        first = false;
        root.put(writes.key).value(writes.during).exec().then(() => done(null, chunk), (error: Error) => done(error));
      },
    });
    source.on('error', (error) => held.destroy(error as Error));
    source.on('status', (status) => held.emit('status', status));
    source.pipe(held);
    return Object.assign(held, { cancel: () => source.cancel?.() });
  };
}
