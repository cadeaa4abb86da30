/**
 * Lab 10 · Watches: every change, once, in order (reference solution)
 */
import type { IKeyValue, Watcher } from 'etcd3';
import type { EtcdClient, UserEvent } from '../lib/kit.ts';

/** The key prefix of the registry (note the trailing slash). */
export const ROOT = '/logged_users/';

/** Stops a watch; once it resolves, no more events arrive. */
export type StopWatching = () => Promise<void>;

function toEvent(type: 'put' | 'delete', kv: IKeyValue): UserEvent {
  const event: UserEvent = {
    type,
    username: kv.key.toString('utf8').slice(ROOT.length),
    // The revision of this change, not of the response that carried it (header.revision).
    revision: Number(kv.mod_revision),
  };
  if (type === 'put') event.hostname = kv.value.toString('utf8');
  return event;
}

async function watch(client: EtcdClient, onEvent: (event: UserEvent) => void, startRevision?: number): Promise<StopWatching> {
  // The trailing slash keeps /logged_users_archive/... and /logged_users itself out.
  let builder = client.watch().prefix(ROOT);
  if (startRevision !== undefined) builder = builder.startRevision(String(startRevision));
  const watcher: Watcher = builder.watcher();
  // Listeners first, then wait: nothing can arrive before we listen.
  watcher.on('put', (kv) => onEvent(toEvent('put', kv)));
  watcher.on('delete', (kv) => onEvent(toEvent('delete', kv)));
  await new Promise<void>((resolve, reject) => {
    watcher.once('connected', () => resolve());
    watcher.once('error', reject);
  });
  // After the start, errors (a lost connection) are retried by etcd3 itself; an
  // 'error' event without a listener would crash the process.
  watcher.on('error', () => {});
  return () => watcher.cancel();
}

/**
 * Calls onEvent for every change of a user under /logged_users/ from now on,
 * and for none made before the call:
 * { type: 'put' | 'delete', username, hostname (puts only), revision }.
 * Each change once, in revision order. Resolves once the watch is live (a
 * change made after that is never missed), to a function that stops this
 * watch and no other.
 */
export async function watchUsers(client: EtcdClient, onEvent: (event: UserEvent) => void): Promise<StopWatching> {
  return watch(client, onEvent);
}

/**
 * Like watchUsers(), but starts at `revision` in the past: first every change
 * since then (revision included), in order, then the live ones.
 */
export async function replayUsersSince(client: EtcdClient, revision: number, onEvent: (event: UserEvent) => void): Promise<StopWatching> {
  return watch(client, onEvent, revision);
}
