/**
 * Lab 08 · Sessions: the key that dies with its owner (reference solution)
 */
import type { EtcdClient, Session } from '../lib/kit.ts';

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
  // etcd3 renews the lease every ttl/3 seconds for as long as the lease object lives.
  const lease = client.lease(ttlSeconds);
  // Without a listener, a lost lease (cluster gone too long) would go unnoticed;
  // here it just means the session is over.
  lease.on('lost', () => {});
  await lease.put(ROOT + username).value(hostname).exec();
  return {
    // revoke() stops the renewals and tells etcd to drop the lease: every key on it goes with it.
    // (client.close() would not stop the renewals: they would keep the process alive.)
    close: () => lease.revoke(),
  };
}
