/**
 * Lab 06 · Atomic replace: compare-and-swap
 *
 * Run the checks:   npm run lab 6
 * Read first:       LAB.md, "Lab 06 · Atomic replace"
 *
 * "Change Oskar's hostname, but only if it is still what I read": a
 * compare-and-swap. Many clients may try at the same moment; exactly one may
 * win, and nobody may create a key that was not there.
 */
import { type EtcdClient, todo } from '../lib/kit.ts';

/**
 * Sets `key` to `next` only if its value is exactly `expected` right now, in
 * ONE request to etcd. Resolves to true when it replaced the value, false
 * otherwise (another value, or no such key: a missing key is never created).
 * Values are any UTF-8 text, the empty string included, and `next` may equal
 * `expected`: etcd decides every time.
 */
export async function replaceIfEquals(client: EtcdClient, key: string, expected: string, next: string): Promise<boolean> {
  // TODO: one transaction: if the value equals `expected`, put `next`.
  todo('replaceIfEquals');
}
