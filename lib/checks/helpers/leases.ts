/**
 * Shared by the checks of the lease labs (07, 08, 09): etcd's own view of a
 * lease, asked with the raw lease API (no keepalive machinery of etcd3).
 */
import type { CheckContext } from '../../runner/context.ts';

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
 * The shortest TTL this cluster grants (etcd raises shorter ones to 1.5 ×
 * its election timeout): a TTL of 1 s may really be 2 s on a slower cluster.
 */
export async function effectiveTtl(ctx: CheckContext, ttlSeconds: number): Promise<number> {
  const id = await grantLease(ctx, ttlSeconds);
  try {
    return (await leaseInfo(ctx, id))?.granted ?? ttlSeconds;
  } finally {
    await revokeLease(ctx, id);
  }
}
