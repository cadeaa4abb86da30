/**
 * Lab 01 · Connect to the cluster and describe it (reference solution)
 */
import { Etcd3 } from 'etcd3';
import type { ClusterDescription } from '../lib/kit.ts';

/**
 * Returns an etcd3 client for `endpoints` (e.g. ["http://127.0.0.1:2379"]).
 *
 * Every unary call made through it must give up within a few seconds when a
 * member hangs: etcd3 ignores `dialTimeout`, so set a per-call deadline.
 */
export function connect(endpoints: string[]): Etcd3 {
  // A function, so every call gets a fresh deadline (a fixed Date would expire once).
  // Streams (watches, keepalives) live long: no deadline for them. etcd3 retries
  // a failed call up to 3 times, so a hung member costs at most ~3 s here.
  return new Etcd3({
    hosts: endpoints,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 1000 }),
  });
}

/**
 * Lists the cluster's members (name, id, client URLs) and names the leader.
 * Ids are etcd's decimal strings. `leader` is the leader's *name*.
 */
export async function describeCluster(client: Etcd3): Promise<ClusterDescription> {
  // The member list and the reached member's view of the leader, in parallel.
  const [{ members }, status] = await Promise.all([client.cluster.memberList({}), client.maintenance.status()]);
  const leader = members.find((m) => m.ID === status.leader);
  if (!leader) throw new Error(`the leader ${status.leader} is not in the member list`);
  return {
    members: members.map((m) => ({ name: m.name, id: m.ID, clientUrls: m.clientURLs })),
    leader: leader.name,
  };
}
