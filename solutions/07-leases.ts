/**
 * Lab 07 · Leases: users that expire by themselves (reference solution)
 */
import type { EtcdClient } from '../lib/kit.ts';

/** The key prefix of the registry (note the trailing slash). */
export const ROOT = '/logged_users/';

/**
 * Registers /logged_users/<username> = hostname on a lease of `ttlSeconds`,
 * so that etcd deletes the user by itself when the time is up, and resolves
 * once the key is there. Nothing may renew the lease, and nothing else may
 * delete the key: this user is temporary, and etcd alone ends it.
 */
export async function registerTemporaryUser(client: EtcdClient, username: string, hostname: string, ttlSeconds: number): Promise<void> {
  // etcd3 renews a lease by itself unless told not to: then the key would never expire.
  const lease = client.lease(ttlSeconds, { autoKeepAlive: false });
  await lease.put(ROOT + username).value(hostname).exec();
  lease.release(); // forget it locally; etcd keeps counting down
}

/**
 * How many seconds the user has left: etcd's remaining TTL of the lease on
 * the user's key (any lease, also one another client granted). -1 when the
 * user is gone.
 */
export async function remainingTtl(client: EtcdClient, username: string): Promise<number> {
  const res = await client.get(ROOT + username).exec();
  const kv = res.kvs[0];
  if (!kv || kv.lease === '0') return -1;
  // Lease ids are int64: keep the decimal string.
  const lease = await client.leaseClient.leaseTimeToLive({ ID: kv.lease });
  return Number(lease.TTL);
}
