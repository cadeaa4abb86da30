/**
 * Shared by the checks of the lease labs (07, 08, 09): etcd's own view of a
 * lease, asked with the raw lease API (no keepalive machinery of etcd3).
 */
import type { CheckContext } from '../../runner/context.ts';
import { waitFor } from './time.ts';

export interface LeaseInfo {
  id: string;
  /** Seconds left, as etcd says. */
  ttl: number;
  /** The TTL it was granted with. */
  granted: number;
}

/** etcd's view of a lease; undefined when it does not exist (expired or revoked). */
export async function leaseInfo(ctx: CheckContext, id: string): Promise<LeaseInfo | undefined> {
  const res = await ctx.etcd.leaseClient.leaseTimeToLive({ ID: id });
  const ttl = Number(res.TTL);
  return ttl === -1 ? undefined : { id, ttl, granted: Number(res.grantedTTL) };
}

/** A lease of the checker's own, never renewed. Revoke it with revokeLease. */
export async function grantLease(ctx: CheckContext, ttlSeconds: number): Promise<string> {
  const res = await ctx.etcd.leaseClient.leaseGrant({ TTL: ttlSeconds, ID: 0 });
  return String(res.ID);
}

export async function revokeLease(ctx: CheckContext, id: string): Promise<void> {
  await ctx.etcd.leaseClient.leaseRevoke({ ID: id }).catch(() => {});
}

/**
 * The TTL this cluster really grants for `ttlSeconds`: etcd raises shorter
 * ones to 1.5 × its election timeout, rounded up to whole seconds (1 s with
 * the workbook's 500 ms, 2 s with etcd's default 1000 ms).
 */
export async function effectiveTtl(ctx: CheckContext, ttlSeconds: number): Promise<number> {
  const id = await grantLease(ctx, ttlSeconds);
  try {
    return (await leaseInfo(ctx, id))?.granted ?? ttlSeconds;
  } finally {
    await revokeLease(ctx, id);
  }
}

/** The Raft term now (every response header carries it): a new term means a new leader was elected. */
export async function raftTerm(ctx: CheckContext): Promise<number> {
  const res = await ctx.kv.get('/').exec();
  return Number(res.header.raft_term);
}

export interface Expiry {
  /** ms from `since` until `gone()` held; undefined when it never did. */
  ms?: number;
  /** A leader was elected meanwhile, and the wait was extended for it. */
  leaderChanged: boolean;
}

/**
 * Waits until `gone()` holds, up to `ttlSeconds` + 1 s after `since`
 * (performance.now() when the clock started). When a new leader was elected
 * meanwhile (the term in `termBefore` changed), it waits one more TTL + 2 s:
 * a new leader gives every lease its full TTL again, plus an election
 * timeout, so a key outlives its TTL then through no fault of the code under
 * test (etcd server/lease/lessor.go, Promote). The verdict stays a fact of
 * etcd's state: the key is there or not.
 */
export async function waitForExpiry(ctx: CheckContext, gone: () => Promise<boolean>, ttlSeconds: number, since: number, termBefore: number): Promise<Expiry> {
  const limit = (ttlSeconds + 1) * 1000;
  const left = () => Math.max(0, limit - (performance.now() - since));
  let ms = await waitFor(gone, left(), 50);
  if (ms !== undefined) return { ms: Math.round(performance.now() - since), leaderChanged: false };
  if ((await raftTerm(ctx)) === termBefore) return { leaderChanged: false };
  ms = await waitFor(gone, (ttlSeconds + 2) * 1000, 50);
  return { ms: ms === undefined ? undefined : Math.round(performance.now() - since), leaderChanged: true };
}
