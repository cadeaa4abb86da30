/**
 * Lab 07 checks: keys on a lease.
 *
 * The verdict comes from etcd, not from watching the key: the key must carry
 * a lease granted with the asked TTL (a timer in the student's process that
 * deletes the key later is not a lease), it must vanish when the lease runs
 * out (etcd3 renews leases by itself unless told not to), and remainingTtl()
 * must agree with etcd for leases the student's code never saw.
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { hostname, users } from './helpers/data.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { waitFor } from './helpers/time.ts';
import { effectiveTtl, grantLease, leaseInfo, revokeLease } from './helpers/leases.ts';
import { ROOT, registeredUser } from './helpers/logged-users.ts';

/** Registers a user through the student's code and returns etcd's view of its lease. */
async function registerAndInspect(ctx: CheckContext, name: string, host: string, ttl: number) {
  await ctx.student.call('registerTemporaryUser', [ctx.client(), name, host, ttl]);
  const user = await registeredUser(ctx, name);
  expect(user, `after registerTemporaryUser(client, ${show(name)}, ${show(host)}, ${ttl}) there is no key ${ROOT}${name}`, { expected: host, actual: '(no such key)' });
  expect(user.hostname === host, `registerTemporaryUser() stored ${show(user.hostname)} at ${ROOT}${name}`, { expected: host, actual: user.hostname });
  expect(user.lease !== '0', `${ROOT}${name} has no lease`, {
    expected: `a key attached to a lease of ${ttl} s`,
    actual: 'a plain key (lease 0)',
    explain: 'A timer in your process that deletes the key later is not a lease: if the process dies, the key stays forever. Grant a lease (client.lease(ttl, …)) and put the key through it (lease.put(key)).',
  });
  const lease = await leaseInfo(ctx, user.lease);
  return { user, lease };
}

/** remainingTtl() of users on the checker's own leases must match etcd's TTL (±1 s). */
async function expectAgrees(ctx: CheckContext, leases: { name: string; ttl: number }[], ids: string[]): Promise<void> {
  for (const [i, l] of leases.entries()) {
    const answer = await ctx.student.call('remainingTtl', [ctx.client(), l.name]);
    const truth = await leaseInfo(ctx, ids[i]);
    expect(truth && typeof answer === 'number' && Math.abs(answer - truth.ttl) <= 1, `remainingTtl(client, ${show(l.name)}) returned ${show(answer)}; etcd says its lease has ${truth?.ttl} s left (granted ${l.ttl} s)`, {
      expected: truth?.ttl,
      actual: answer,
      explain: answer === l.ttl
        ? 'That is the TTL the lease was granted with, not what is left: use the TTL field of leaseTimeToLive, not grantedTTL.'
        : 'The lease was granted by another client: read the lease id from the key (kv.lease) and ask etcd: client.leaseClient.leaseTimeToLive({ ID }).',
    });
  }
}

const checks: LabChecks = {
  async 'lease-granted'(ctx) {
    const [name] = users(ctx.rng, 1);
    const ttl = ctx.rng.int(5, 60);
    const { user, lease } = await registerAndInspect(ctx, name, hostname(ctx.rng), ttl);
    try {
      expect(lease, `the lease of ${ROOT}${name} is already gone`, { expected: `a lease of ${ttl} s` });
      expect(lease.granted === ttl, `${ROOT}${name} is on a lease granted for ${lease.granted} s; registerTemporaryUser() was asked for ${ttl} s`, {
        expected: ttl, actual: lease.granted, explain: 'client.lease(ttlSeconds, …) takes seconds.',
      });
    } finally {
      await revokeLease(ctx, user.lease);
    }
  },

  async expires(ctx) {
    const [name] = users(ctx.rng, 1);
    const ttl = ctx.rng.int(1, 2);
    const { user } = await registerAndInspect(ctx, name, hostname(ctx.rng), ttl);
    const began = performance.now();
    try {
      // A cluster may raise short TTLs to its minimum: that TTL is what counts.
      const limit = ((await effectiveTtl(ctx, ttl)) + 1) * 1000;
      const gone = await waitFor(async () => !(await registeredUser(ctx, name)), limit, 50);
      if (gone === undefined) {
        const now = await leaseInfo(ctx, user.lease);
        throw new CheckFailure(`${ROOT}${name} was still there ${(limit / 1000).toFixed(0)} s after registerTemporaryUser(…, ${ttl}) returned`, {
          expected: `gone within ${ttl} s + 1 s`,
          actual: now ? `its lease has ${now.ttl} s left of ${now.granted} s: something renews it` : 'still there',
          explain: 'etcd3 keeps a lease alive by itself (a keepalive every TTL/3) unless you ask it not to: client.lease(ttl, { autoKeepAlive: false }).',
        });
      }
      const after = Math.round(performance.now() - began);
      ctx.note(`TTL ${ttl} s: the key was gone ${(after / 1000).toFixed(1)} s after the call returned`);
      expect(after >= ttl * 1000 - 600, `${ROOT}${name} was gone after ${(after / 1000).toFixed(1)} s, before its TTL of ${ttl} s`, {
        expected: `about ${ttl} s`, explain: 'The lease, not your code, should delete the key.',
      });
    } finally {
      await revokeLease(ctx, user.lease);
    }
  },

  async 'remaining-ttl'(ctx) {
    const [mine, other, another, nobody] = users(ctx.rng, 4);
    // Users on leases the student's code never saw, with TTLs it cannot guess.
    const leases = [{ name: other, ttl: ctx.rng.int(20, 45) }, { name: another, ttl: ctx.rng.int(50, 90) }];
    const ids: string[] = [];
    try {
      for (const l of leases) {
        const id = await grantLease(ctx, l.ttl);
        ids.push(id);
        await ctx.kv.put(ROOT + l.name).value(hostname(ctx.rng)).lease(id).exec();
      }
      const ttl = 1;
      await ctx.student.call('registerTemporaryUser', [ctx.client(), mine, hostname(ctx.rng), ttl]);
      const own = await registeredUser(ctx, mine);
      if (own && own.lease !== '0') ids.push(own.lease);
      const before = await ctx.student.call('remainingTtl', [ctx.client(), mine]);
      expect(typeof before === 'number' && Number.isInteger(before), `remainingTtl() must resolve to a whole number of seconds, not ${show(before)}`, { actual: before });
      // etcd rounds down: a 1 s lease has 0 s left a moment after it was granted.
      expect(before >= 0 && before <= ttl, `right after registering ${show(mine)} for ${ttl} s, remainingTtl() says ${before}`, { expected: `0 to ${ttl}`, actual: before });

      await expectAgrees(ctx, leases.slice(0, 1), ids);
      const missing = await ctx.student.call('remainingTtl', [ctx.client(), nobody]);
      expect(missing === -1, `remainingTtl() of a user that does not exist returned ${show(missing)}`, { expected: -1, actual: missing });

      // Waiting for it (over 1 s) also makes etcd's remaining TTL of the other leases
      // (rounded down) at least 2 s less than their granted TTL.
      await waitFor(async () => !(await registeredUser(ctx, mine)), (ttl + 1.5) * 1000, 100);
      const after = await ctx.student.call('remainingTtl', [ctx.client(), mine]);
      expect(after === -1, `after ${show(mine)} expired, remainingTtl() returned ${show(after)}`, { expected: -1, actual: after, explain: 'A user that is gone has -1 left.' });

      await expectAgrees(ctx, leases, ids);
    } finally {
      await Promise.all(ids.map((id) => revokeLease(ctx, id)));
    }
  },
};

export default checks;
