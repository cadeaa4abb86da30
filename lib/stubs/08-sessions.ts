/**
 * Lab 08 · Sessions: the key that dies with its owner
 *
 * Run the checks:   npm run lab 8
 * Read first:       LAB.md, "Lab 08 · Sessions"
 *
 * "Who is logged in?" should not list people whose laptop crashed an hour
 * ago. A session keeps a short lease alive for as long as its owner runs;
 * when the owner dies, the renewals stop and etcd deletes the key.
 */
import { type EtcdClient, type Session, todo } from '../lib/kit.ts';

/** The key prefix of the registry (note the trailing slash). */
export const ROOT = '/logged_users/';

/**
 * Registers /logged_users/<username> = hostname on a lease of `ttlSeconds`
 * that is kept alive while this process lives, and resolves once the key is
 * there. Every call is a session of its own, on a lease of its own: a process
 * may hold several at once. The returned session's close() ends it at once:
 * when close() resolves, the session's lease is revoked and its key is gone,
 * other sessions are left alone, and nothing of the session keeps running
 * (the process can exit).
 */
export async function startSession(client: EtcdClient, username: string, hostname: string, ttlSeconds: number): Promise<Session> {
  // TODO: a lease that is renewed, a put on it, and a close() that ends it for good.
  todo('startSession');
}
