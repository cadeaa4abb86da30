/**
 * Shared by the checks of the labs that work on the notebook's registry
 * (03, 04, 05, 07, 08, 10): users are keys /logged_users/<name> = hostname.
 */
import type { CheckContext } from '../../runner/context.ts';
import { users } from './data.ts';

export const ROOT = '/logged_users/';

export interface Registered {
  hostname: string;
  modRevision: number;
  createRevision: number;
  /** Lease id as etcd gives it (decimal string); '0' when the key has none. */
  lease: string;
}

/** Every user under ROOT as the checker (not the student's code) sees it. */
export async function registered(ctx: CheckContext): Promise<Record<string, Registered>> {
  const res = await ctx.kv.getAll().prefix(ROOT).exec();
  return Object.fromEntries(res.kvs.map((kv) => [
    kv.key.toString('utf8').slice(ROOT.length),
    { hostname: kv.value.toString('utf8'), modRevision: Number(kv.mod_revision), createRevision: Number(kv.create_revision), lease: kv.lease },
  ]));
}

/** One user's key, or undefined when it does not exist. */
export async function registeredUser(ctx: CheckContext, name: string): Promise<Registered | undefined> {
  const res = await ctx.kv.get(ROOT + name).exec();
  const kv = res.kvs[0];
  if (!kv) return undefined;
  return { hostname: kv.value.toString('utf8'), modRevision: Number(kv.mod_revision), createRevision: Number(kv.create_revision), lease: kv.lease };
}

/**
 * Keys that start like /logged_users but are not users: a prefix without the
 * slash matches them. Returns their keys.
 */
export async function writeDecoys(ctx: CheckContext): Promise<string[]> {
  const decoys = [
    `/logged_users_archive/${ctx.rng.pick(users(ctx.rng, 3))}`,
    '/logged_users',
    `/logged_users${ctx.rng.token(3)}`,
  ];
  await Promise.all(decoys.map((k) => ctx.kv.put(k).value(`decoy-${ctx.rng.token(4)}`).exec()));
  return decoys;
}
