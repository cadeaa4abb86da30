/**
 * Lab 09 · Locks: one at a time, across processes
 *
 * Run the checks:   npm run lab 9
 * Read first:       LAB.md, "Lab 09 · Locks"
 *
 * Several workers, in different processes, increment the same counter: read
 * it, add one, write it back. Without a lock, two of them read the same value
 * and one increment is lost. etcd's lock is a key on a lease: whoever creates
 * it first holds the lock; when the holder dies, the lease expires and the
 * key (the lock) goes with it.
 */
import { type EtcdClient, todo } from '../lib/kit.ts';

/** The TTL of the lock's lease: how long a crashed holder can block everyone. Keep it short. */
export const LOCK_TTL_SECONDS = 2;

/**
 * Runs `critical` while holding the lock called `name`, and resolves to what
 * it returns. Waits until the lock is free (other holders may keep it for a
 * while). Holds the lock for as long as `critical` runs, also when that is
 * longer than LOCK_TTL_SECONDS. Always releases the lock before it settles,
 * also when `critical` throws - and then rejects with that same error. When
 * taking the lock fails for another reason than someone holding it (etcd
 * cannot be reached, ...), rejects with that error at once, without running
 * `critical`.
 */
export async function withLock<T>(client: EtcdClient, name: string, critical: () => Promise<T>): Promise<T> {
  // TODO: client.lock(name).ttl(LOCK_TTL_SECONDS); acquire() fails at once when the lock
  //       is held (EtcdLockFailedError from 'etcd3'): wait a little and try again.
  todo('withLock');
}
