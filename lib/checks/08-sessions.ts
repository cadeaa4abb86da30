/**
 * Lab 08 checks: a session is a lease kept alive by a living process.
 *
 * Each check runs the student's code in a lab process of its own, so it can
 * be killed like a crashed laptop, or released to see whether it can exit.
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import type { StudentCode } from '../runner/student.ts';
import { hostname, users } from './helpers/data.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { waitFor } from './helpers/time.ts';
import type { HandleRef } from '../sandbox/protocol.ts';
import { effectiveTtl, leaseInfo, revokeLease } from './helpers/leases.ts';
import { ROOT, type Registered, registeredUser } from './helpers/logged-users.ts';

interface Started {
  owner: StudentCode;
  session: HandleRef;
  name: string;
  user: Registered;
}

/** Starts a session in a fresh lab process and checks the key it made. */
async function start(ctx: CheckContext, ttl: number): Promise<Started> {
  const owner = ctx.spawn();
  const [name] = users(ctx.rng, 1);
  const host = hostname(ctx.rng);
  const session = await owner.call<HandleRef>('startSession', [ctx.client(), name, host, ttl]);
  expect(session && typeof session === 'object' && '$handle' in session && session.methods.includes('close'), 'startSession() must resolve to a session: an object with a close() method', {
    actual: session,
  });
  const user = await registeredUser(ctx, name);
  expect(user, `after startSession(client, ${show(name)}, ${show(host)}, ${ttl}) there is no key ${ROOT}${name}`, { expected: host });
  expect(user.hostname === host, `startSession() stored ${show(user.hostname)} at ${ROOT}${name}`, { expected: host, actual: user.hostname });
  expect(user.lease !== '0', `${ROOT}${name} has no lease: it would outlive its owner`, {
    expected: `a key on a lease of ${ttl} s, renewed while the session lives`,
    actual: 'a plain key (lease 0)',
    explain: 'When the owner crashes nobody deletes a plain key. Put it on a lease (client.lease(ttl)) that the session keeps alive.',
  });
  return { owner, session, name, user };
}

const checks: LabChecks = {
  async 'outlives-ttl'(ctx) {
    const ttl = 1;
    const { owner, session, name, user } = await start(ctx, ttl);
    const watchMs = 3 * ttl * 1000 + 300;
    const began = performance.now();
    const vanished = await waitFor(async () => (await registeredUser(ctx, name))?.lease !== user.lease, watchMs, 100);
    if (vanished !== undefined) {
      const now = await registeredUser(ctx, name);
      throw new CheckFailure(`${ROOT}${name} ${now ? 'changed its lease' : 'disappeared'} after ${(vanished / 1000).toFixed(1)} s, while its owner was alive`, {
        expected: `still there after ${3 * ttl} s (3 × TTL)`,
        explain: 'A session must renew its lease while it lives: etcd3 does it for you (keepalives every TTL/3), unless the lease was made with { autoKeepAlive: false }.',
      });
    }
    ctx.note(`the key lived ${((performance.now() - began) / 1000).toFixed(1)} s on a ${ttl} s lease`);
    await owner.invoke(session, 'close', [], 'session.close');
  },

  async 'close-revokes'(ctx) {
    const ttl = 2;
    const { owner, session, name, user } = await start(ctx, ttl);
    await owner.invoke(session, 'close', [], 'session.close');
    const after = await registeredUser(ctx, name);
    const lease = await leaseInfo(ctx, user.lease);
    try {
      expect(!after, `${ROOT}${name} was still there right after close() resolved`, {
        expected: 'gone at once',
        actual: lease ? `still there, its lease has ${lease.ttl} s left` : 'still there',
        explain: 'Waiting for the lease to run out is not closing. Revoke the lease (lease.revoke()): etcd deletes its keys at once. Closing the client does not revoke anything.',
      });
      expect(!lease, `close() deleted ${ROOT}${name} but its lease is still alive (${lease?.ttl} s left)`, {
        expected: 'the lease revoked',
        explain: 'Revoke the lease (lease.revoke()) rather than deleting keys one by one: it removes every key of the session and stops its renewals.',
      });
    } finally {
      await revokeLease(ctx, user.lease);
    }
  },

  async 'killed-owner'(ctx) {
    const ttl = 1;
    const { owner, name, user } = await start(ctx, ttl);
    const limit = ((await effectiveTtl(ctx, ttl)) + 1) * 1000;
    owner.box.kill('SIGKILL');
    try {
      const gone = await waitFor(async () => !(await registeredUser(ctx, name)), limit, 50);
      if (gone === undefined) {
        const now = await leaseInfo(ctx, user.lease);
        throw new CheckFailure(`${ROOT}${name} was still there ${(limit / 1000).toFixed(0)} s after its owner was killed`, {
          expected: `gone within the TTL (${ttl} s) + 1 s`,
          actual: now ? `its lease was granted for ${now.granted} s and has ${now.ttl} s left` : 'still there',
          explain: `startSession() was asked for a TTL of ${ttl} s: that is how long a crashed owner's key may linger.`,
        });
      }
      ctx.note(`the key was gone ${(gone / 1000).toFixed(1)} s after its owner was killed (TTL ${ttl} s)`);
    } finally {
      await revokeLease(ctx, user.lease);
    }
  },

  async 'exits-after-close'(ctx) {
    const ttl = 2;
    const { owner, session, user } = await start(ctx, ttl);
    try {
      await owner.invoke(session, 'close', [], 'session.close');
      const waitMs = 1500;
      const exited = await owner.box.release(waitMs);
      expect(exited, `after close() the lab process kept running for ${waitMs / 1000} s, with the runner's clients closed`, {
        expected: 'the process exits: nothing of the session is left running',
        explain: 'Something the session started still runs: etcd3 renews a lease until it is revoked or released, even after client.close(); a setInterval of your own must be cleared too.',
      });
    } finally {
      await revokeLease(ctx, user.lease);
    }
  },
};

export default checks;
