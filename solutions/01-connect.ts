/**
 * Lab 01 · Connect to the cluster and describe it (reference solution)
 */
import { Etcd3 } from 'etcd3';
import type { ClusterDescription } from '../lib/kit.ts';

/**
 * Returns an etcd3 client for `endpoints` (e.g. ["http://127.0.0.1:2379"]):
 * all of them and no other, so that it moves on when one of them is down.
 *
 * Every unary call made through it must give up within a few seconds when a
 * member hangs: etcd3 ignores `dialTimeout`, so set a per-call deadline,
 * fresh for every call, however long after connect() it is made. Streams
 * (watches, lease keepalives) must keep no deadline: they live for as long
 * as they are used.
 */
export function connect(endpoints: string[]): Etcd3 {
  // A function, so every call gets a fresh deadline (a fixed Date would expire once).
  // Streams (watches, keepalives) live long: no deadline for them. etcd3 retries
  // a failed call up to 3 times (4 attempts), each with a fresh deadline; with one
  // hung member its circuit breaker stops after 3: ~3 s here.
  return new Etcd3({
    hosts: endpoints,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 1000 }),
  });
}

/**
 * Lists the cluster's members (name, id, client URLs) and names the leader.
 * Ids are etcd's decimal strings. `leader` is the leader's *name*, whichever
 * member the client happens to reach.
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
