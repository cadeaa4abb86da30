/**
 * One run at a time per owned prefix and namespace.
 *
 * Every lab deletes the prefixes it owns (lib/catalog.yaml `owns`) before
 * and after each check, and several labs own `/logged_users`. Two runs in one
 * namespace at once would delete each other's keys and fail in ways that
 * look like the student's bug: a student with a watch in one terminal and a
 * run in another, or two students sharing a namespace on a cluster without
 * users (the default namespace then comes from the OS user name, the same on
 * every lab machine).
 *
 * So a run claims each prefix it owns with a key on a lease,
 * `/.workbook/claims<prefix>` inside its namespace (records.ts: host, pid,
 * lab, since), all in one transaction. The keys go when the run ends (the lease
 * is revoked) or, if the runner was killed, when the lease expires; the
 * claim of a process that is no longer alive on this machine is taken over
 * at once.
 *
 * ```ts
 * const release = await claimOwnedPrefixes(kv, lab, namespace);
 * try { ... } finally { await release(); }
 * ```
 */
import { hostname } from 'node:os';
import { type Etcd3, EtcdPermissionDeniedError, type Namespace } from 'etcd3';
import type { LabEntry } from '../catalog.ts';
import { commandLine } from '../cluster/processes.ts';
import { ConnectionSettingsError, RunInProgressError } from '../errors.ts';
import { CLAIMS_PREFIX, type Claim, parseClaim } from './records.ts';

/** How long a claim outlives a runner that was killed (etcd's lease TTL). */
export const CLAIM_TTL_S = 10;

function isGone(holder: Claim | undefined): boolean {
  return !holder || (holder.host === hostname() && commandLine(holder.pid) === undefined);
}

export async function claimOwnedPrefixes(kv: Namespace | Etcd3, lab: LabEntry, namespace: string): Promise<() => Promise<void>> {
  const me: Claim = { host: hostname(), pid: process.pid, lab: lab.id, since: new Date().toISOString() };
  const keys = lab.owns.map((prefix) => CLAIMS_PREFIX + prefix);
  const lease = kv.lease(CLAIM_TTL_S);
  lease.on('lost', () => {}); // the run goes on; at worst another run could claim after it
  const leaseId = await lease.grant();
  const release = async () => {
    try {
      await lease.revoke();
    } catch {
      lease.release(); // the cluster is gone: stop the keepalives, let the lease expire
    }
  };
  try {
    // Twice at most: the second time after removing the claims of processes that are gone.
    for (let attempt = 0; ; attempt++) {
      let txn = kv.if(keys[0], 'Create', '==', 0);
      for (const key of keys.slice(1)) txn = txn.and(key, 'Create', '==', 0);
      const result = await txn
        .then(...keys.map((key) => kv.put(key).value(JSON.stringify(me)).lease(leaseId)))
        .else(...keys.map((key) => kv.get(key)))
        .commit();
      if (result.succeeded) return release;
      const held = result.responses.flatMap((r, i) => (r.response_range?.kvs ?? []).map((kv) => ({ key: keys[i], revision: kv.mod_revision, holder: parseClaim(kv.value) })));
      const live = held.find((h) => !isGone(h.holder));
      if (live || attempt > 0) {
        const shown = live ?? held[0];
        const holder = shown.holder ?? { host: 'unknown', pid: 0, lab: '?', since: '' };
        throw new RunInProgressError(shown.key.slice(CLAIMS_PREFIX.length), namespace, holder, holder.host === me.host);
      }
      // Every holder is a process of this machine that has ended (killed before it could let go).
      for (const h of held) await kv.if(h.key, 'Mod', '==', h.revision).then(kv.delete().key(h.key)).commit();
    }
  } catch (error) {
    await release();
    // The run's first write: a user who may not write in this namespace learns it here.
    if (error instanceof EtcdPermissionDeniedError) {
      throw new ConnectionSettingsError(
        `the cluster does not let this run write in ${namespace || 'the key space\'s root'} (etcd: permission denied)`,
        'use the namespace your user may write in: leave --namespace out (your connection file names it), or ask your instructor',
      );
    }
    throw error;
  }
}

/**
 * The runs holding claims anywhere on the cluster right now (every
 * namespace): what `npm run cluster -- stop` asks about before it stops a
 * cluster a run is using.
 */
export async function activeClaims(kv: Namespace | Etcd3): Promise<Claim[]> {
  const all = await kv.getAll().strings();
  const claims = Object.entries(all).filter(([key]) => key.includes(CLAIMS_PREFIX)).map(([, value]) => parseClaim(value));
  const live = claims.filter((c): c is Claim => c !== undefined && !isGone(c));
  // One line per run, whatever number of prefixes it holds.
  return [...new Map(live.map((c) => [`${c.host}/${c.pid}`, c])).values()];
}
