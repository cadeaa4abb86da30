/**
 * Lab 08 checks: a session is a lease kept alive by a living process.
 *
 * Each check runs the student's code in a lab process of its own, so it can
 * be killed like a crashed laptop, or released to see whether it can exit.
 * Whether close() waited for etcd is decided by state: the session's client
 * talks through a relay that holds its requests while close() runs; a close()
 * that resolves meanwhile did not wait for its revoke.
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import type { StudentCode } from '../runner/student.ts';
import type { ClientArg, HandleRef } from '../sandbox/protocol.ts';
import { hostname, users } from './helpers/data.ts';
import { effectiveTtl, leaseInfo, raftTerm, revokeLease, waitForExpiry } from './helpers/leases.ts';
import { ROOT, type Registered, registeredUser } from './helpers/logged-users.ts';
import { startRelay, underHold } from './helpers/relay.ts';
import { waitFor } from './helpers/time.ts';

interface Started {
  session: HandleRef;
  name: string;
  user: Registered;
}

/**
 * How long close() gets to resolve while its requests are held in the relay.
 * A close() that does not wait for etcd resolves in a few ms (one message
 * between processes); 1 s leaves room for a loaded machine, and only decides
 * whether a wrong close() is caught, never fails a right one.
 */
const HOLD_MS = 1000;

/**
 * How much later the session's first requests reach etcd in close-revokes: a
 * startSession() that resolves before its put landed (an un-awaited put) is
 * then seen without its key every run (reading it takes a few ms).
 */
const DELAY_MS = 400;

/** Starts a session through `owner` and checks the key it made. */
async function start(ctx: CheckContext, owner: StudentCode, ttl: number, client: ClientArg = ctx.client(), name = users(ctx.rng, 1)[0]): Promise<Started> {
  const host = hostname(ctx.rng);
  const session = await owner.call<HandleRef>('startSession', [client, name, host, ttl]);
  expect(session && typeof session === 'object' && '$handle' in session && session.methods.includes('close'), 'startSession() must resolve to a session: an object with a close() method', {
    actual: session,
  });
  const user = await registeredUser(ctx, name);
  expect(user, `after startSession(client, ${show(name)}, ${show(host)}, ${ttl}) resolved there was no key ${ROOT}${name}`, {
    expected: host,
    actual: '(no such key)',
    explain: 'startSession() must resolve once the key is written: await the put (await lease.put(key).value(hostname).exec()) before returning the session.',
  });
  expect(user.hostname === host, `startSession() stored ${show(user.hostname)} at ${ROOT}${name}`, { expected: host, actual: user.hostname });
  expect(user.lease !== '0', `${ROOT}${name} has no lease: it would outlive its owner`, {
    expected: `a key on a lease of ${ttl} s, renewed while the session lives`,
    actual: 'a plain key (lease 0)',
    explain: 'When the owner crashes nobody deletes a plain key. Put it on a lease (lease.put(key)) that the session keeps alive.',
  });
  return { session, name, user };
}

async function close(owner: StudentCode, session: HandleRef): Promise<void> {
  await owner.invoke(session, 'close', [], 'session.close');
}

/** The key and lease of a session that close() should have ended, as a sentence. */
async function leftOver(ctx: CheckContext, { name, user }: Started): Promise<string | undefined> {
  const key = await registeredUser(ctx, name);
  const lease = await leaseInfo(ctx, user.lease);
  if (!key && !lease) return undefined;
  return [key ? `${ROOT}${name} still there` : `${ROOT}${name} gone`, lease ? `its lease alive (${lease.ttl} s left of ${lease.granted} s)` : 'its lease revoked'].join(', ');
}

const checks: LabChecks = {
  async 'outlives-ttl'(ctx) {
    const ttl = 1;
    const owner = ctx.spawn();
    const started = await start(ctx, owner, ttl);
    const { name, user } = started;
    const watchMs = 3 * ttl * 1000 + 300;
    const began = performance.now();
    const vanished = await waitFor(async () => (await registeredUser(ctx, name))?.lease !== user.lease, watchMs, 100);
    if (vanished !== undefined) {
      const now = await registeredUser(ctx, name);
      throw new CheckFailure(`${ROOT}${name} ${now ? 'changed its lease' : 'disappeared'} after ${(vanished / 1000).toFixed(1)} s, while its owner was alive`, {
        expected: `still there after ${3 * ttl} s (3 × TTL), on the same lease`,
        actual: now ? `on lease ${now.lease} instead of ${user.lease}` : 'gone: its lease expired',
        explain: 'A session must renew its lease while it lives: etcd3 does it for you (a keepalive every TTL/3), unless the lease was made with { autoKeepAlive: false }. Renewing by hand must happen well within the TTL.',
      });
    }
    ctx.note(`the key lived ${((performance.now() - began) / 1000).toFixed(1)} s on a ${ttl} s lease`);
    await close(owner, started.session);
  },

  async 'close-revokes'(ctx) {
    const ttl = 2;
    const owner = ctx.spawn();
    const relay = await startRelay(ctx);
    const client = relay ? ctx.client({ hosts: relay.hosts, label: 'relayed' }) : ctx.client();
    relay?.delay(DELAY_MS);
    const started = await start(ctx, owner, ttl, client);
    relay?.delay(0);
    const { name, user } = started;
    try {
      // While close() runs, its requests wait in the relay: a close() that resolves meanwhile did not wait for etcd.
      const early = relay ? (await underHold(relay, () => close(owner, started.session), HOLD_MS)).early : false;
      if (!relay) await close(owner, started.session);
      const left = await leftOver(ctx, started);
      if (!left) return;
      const key = await registeredUser(ctx, name);
      if (early || key) {
        // Did it go later (a revoke not awaited), or not at all?
        const later = await waitFor(async () => !(await leftOver(ctx, started)), 1000, 50);
        throw new CheckFailure(`${ROOT}${name} was still there right after close() resolved`, {
          expected: 'close() resolves once the lease is revoked and the key gone',
          actual: later !== undefined ? `${left}; both went ${later} ms after close() had resolved` : `${left}, and still so 1 s later`,
          explain: later !== undefined
            ? 'close() started the revoke but did not wait for it: return or await lease.revoke() in close().'
            : 'close() did not revoke the lease. lease.release() only stops the renewals (the key stays until the TTL runs out), and closing the client revokes nothing: call lease.revoke() and await it.',
        });
      }
      throw new CheckFailure(`close() deleted ${ROOT}${name} but its lease is still alive (${left})`, {
        expected: 'the lease revoked',
        explain: 'Revoke the lease (lease.revoke()) rather than deleting keys one by one: it removes every key of the session and stops its renewals.',
      });
    } finally {
      await revokeLease(ctx, user.lease);
    }
  },

  async 'sessions-apart'(ctx) {
    const owner = ctx.spawn();
    const [first, second] = users(ctx.rng, 2);
    // Two sessions of one process, on one client, with different TTLs.
    const ttls = ctx.rng.shuffle([2, 3]);
    const a = await start(ctx, owner, ttls[0], ctx.client(), first);
    const b = await start(ctx, owner, ttls[1], ctx.client(), second);
    try {
      expect(a.user.lease !== b.user.lease, `startSession() put ${show(second)} on the lease of ${show(first)}'s session (lease ${b.user.lease})`, {
        expected: 'each session on a lease of its own',
        actual: `both keys on lease ${b.user.lease}`,
        explain: 'Grant a new lease in every startSession() call: a shared lease ignores the second TTL, and closing one session would delete the other\'s key.',
      });
      for (const [s, ttl] of [[a, ttls[0]], [b, ttls[1]]] as const) {
        const lease = await leaseInfo(ctx, s.user.lease);
        const want = await effectiveTtl(ctx, ttl);
        expect(lease?.granted === want, `the session of ${show(s.name)} was started with a TTL of ${ttl} s, its lease was granted for ${lease?.granted} s`, {
          expected: want, actual: lease?.granted, explain: 'client.lease(ttlSeconds) with the TTL given to startSession().',
        });
      }
      await close(owner, a.session);
      const other = await registeredUser(ctx, second);
      const otherLease = await leaseInfo(ctx, b.user.lease);
      expect(other && otherLease, `closing ${show(first)}'s session also ended ${show(second)}'s`, {
        expected: `${ROOT}${second} still there, on its live lease`,
        actual: other ? 'its lease revoked' : `${ROOT}${second} gone`,
        explain: 'close() must end its own session only: revoke that session\'s lease, not a lease or client shared with other sessions.',
      });
      await close(owner, b.session);
    } finally {
      await Promise.all([revokeLease(ctx, a.user.lease), revokeLease(ctx, b.user.lease)]);
    }
  },

  async 'killed-owner'(ctx) {
    const ttl = 1;
    const owner = ctx.spawn();
    const { name, user } = await start(ctx, owner, ttl);
    const effective = await effectiveTtl(ctx, ttl);
    const term = await raftTerm(ctx);
    owner.box.kill('SIGKILL');
    const killedAt = performance.now();
    try {
      const { ms, leaderChanged } = await waitForExpiry(ctx, async () => !(await registeredUser(ctx, name)), effective, killedAt, term);
      if (ms === undefined) {
        const now = await leaseInfo(ctx, user.lease);
        throw new CheckFailure(`${ROOT}${name} was still there ${((performance.now() - killedAt) / 1000).toFixed(0)} s after its owner was killed`, {
          expected: `gone within the TTL (${ttl} s) + 1 s`,
          actual: now ? `its lease was granted for ${now.granted} s and has ${now.ttl} s left` : 'still there',
          explain: `startSession() was asked for a TTL of ${ttl} s: that is how long a crashed owner's key may linger. Grant the lease with that TTL.`,
        });
      }
      ctx.note(`the key was gone ${(ms / 1000).toFixed(1)} s after its owner was killed (TTL ${ttl} s${leaderChanged ? '; a new leader was elected meanwhile, which renews every lease once' : ''})`);
    } finally {
      await revokeLease(ctx, user.lease);
    }
  },

  async 'exits-after-close'(ctx) {
    const ttl = 2;
    const owner = ctx.spawn();
    const started = await start(ctx, owner, ttl);
    try {
      await close(owner, started.session);
      // Proven with both cores busy: the solution's process exits 0.1-0.3 s after the release.
      const waitMs = 1500;
      const began = performance.now();
      const exited = await owner.box.release(waitMs);
      if (exited) ctx.note(`the lab process exited ${((performance.now() - began) / 1000).toFixed(2)} s after close() and the release`);
      expect(exited, `after close() the lab process kept running for ${waitMs / 1000} s, with the runner's clients closed`, {
        expected: 'the process exits: nothing of the session is left running',
        explain: 'Something the session started still runs. Likely causes: the lease was not revoked or released (etcd3 renews it until then, even after client.close()); a setInterval or setTimeout of your own that close() did not clear.',
      });
    } finally {
      await revokeLease(ctx, started.user.lease);
    }
  },
};

export default checks;
