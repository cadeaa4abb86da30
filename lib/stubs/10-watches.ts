/**
 * Lab 10 · Watches: every change, once, in order
 *
 * Run the checks:   npm run lab 10
 * Read first:       LAB.md, "Lab 10 · Watches"
 *
 * Instead of asking "who is logged in?" every second, ask etcd to tell you
 * every change as it happens - or every change since a revision in the past.
 * This is how Kubernetes controllers follow the cluster's state.
 */
import { type EtcdClient, type UserEvent, todo } from '../lib/kit.ts';

/** The key prefix of the registry (note the trailing slash). */
export const ROOT = '/logged_users/';

/** Stops a watch; once it resolves, no more events arrive. */
export type StopWatching = () => Promise<void>;

/**
 * Calls onEvent for every change of a user under /logged_users/ from now on,
 * and for none made before the call:
 * { type: 'put' | 'delete', username, hostname (puts only), revision }.
 * Each change once, in revision order. Resolves once the watch is live (a
 * change made after that is never missed), to a function that stops this
 * watch and no other.
 */
export async function watchUsers(client: EtcdClient, onEvent: (event: UserEvent) => void): Promise<StopWatching> {
  // TODO: client.watch().prefix(ROOT), listen to 'put' and 'delete', wait until it is connected.
  todo('watchUsers');
}

/**
 * Like watchUsers(), but starts at `revision` in the past: first every change
 * since then (revision included), in order, then the live ones.
 */
export async function replayUsersSince(client: EtcdClient, revision: number, onEvent: (event: UserEvent) => void): Promise<StopWatching> {
  // TODO: the same watch, with a start revision.
  todo('replayUsersSince');
}
