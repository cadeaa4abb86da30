/**
 * Lab 01 · Connect to the cluster and describe it
 *
 * Run the checks:   npm run lab 1
 * Read first:       LAB.md, "Lab 01 · Connect"
 *
 * The workbook runs a 3-member etcd cluster on your machine. Your code gets
 * its endpoints and must (1) build a client that talks to exactly those
 * endpoints and never waits forever, and (2) describe the cluster: who the
 * members are and which one leads right now.
 */
import { Etcd3 } from 'etcd3';
import { type ClusterDescription, todo } from '../lib/kit.ts';

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
  // TODO: create the client with the endpoints and a per-call deadline.
  todo('connect');
}

/**
 * Lists the cluster's members (name, id, client URLs) and names the leader.
 * Ids are etcd's decimal strings. `leader` is the leader's *name*, whichever
 * member the client happens to reach.
 */
export async function describeCluster(client: Etcd3): Promise<ClusterDescription> {
  // TODO: ask for the member list and for the status of the member you reach.
  todo('describeCluster');
}
