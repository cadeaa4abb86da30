/**
 * Lab 09 · Locks: one at a time, across processes (reference solution)
 */
import { EtcdLockFailedError } from 'etcd3';
import type { EtcdClient } from '../lib/kit.ts';

/** The TTL of the lock's lease: how long a crashed holder can block everyone. Keep it short. */
export const LOCK_TTL_SECONDS = 2;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  // etcd3's lock is a try-lock: acquire() creates the key `name` on a fresh lease
  // if it does not exist, and fails at once if it does. So: try, back off, retry.
  for (let attempt = 0; ; attempt++) {
    const lock = client.lock(name).ttl(LOCK_TTL_SECONDS);
    try {
      await lock.acquire();
    } catch (error) {
      if (!(error instanceof EtcdLockFailedError)) throw error;
      // Random backoff, growing a little: waiters do not all retry at the same instant.
      await sleep(Math.min(10 * 2 ** attempt, 100) * (0.5 + Math.random()));
      continue;
    }
    try {
      return await critical();
    } finally {
      // Revokes the lock's lease: the key goes, and its keepalives stop.
      await lock.release();
    }
  }
}
