/**
 * Lab 04 checks: registering a list of users in one transaction, all or none.
 *
 * Other users are already registered when the student's transaction runs
 * (so "the prefix must be empty" is the wrong condition), the overlapping
 * user of the second call is never first or last in its list (so comparing
 * one key is not enough), nobody ever writes the key /logged_users itself
 * (so the notebook's compare on its version guards nothing), and the marker
 * of an earlier failure is there when a registration succeeds. The calls go
 * through a wire the check sees (helpers/wire.ts): the requests a function
 * sent, how many were in flight at once, and which were answered only after
 * it resolved (a missing await) are decided by the order of events.
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { NOTEBOOK_USERS, hostname, users } from './helpers/data.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { firstEntries, listed } from './helpers/lists.ts';
import { ROOT, type Registered, registered } from './helpers/logged-users.ts';
import { median } from './helpers/stats.ts';
import { type Wire, type WireCall, callThroughWire, lateWork, openWire } from './helpers/wire.ts';

const MARKER = '/tmp/failure';
const MARKER_VALUE = 'condition failed';

/** Users already registered before the student's call: they must stay exactly as they are. */
async function preRegister(ctx: CheckContext, names: string[]): Promise<Record<string, Registered>> {
  const host = hostname(ctx.rng);
  for (const name of names) await ctx.kv.put(ROOT + name).value(host).exec();
  const all = await registered(ctx);
  return Object.fromEntries(names.map((n) => [n, all[n]]));
}

function expectUntouched(before: Record<string, Registered>, after: Record<string, Registered>, what: string): void {
  const changed = Object.keys(before).filter((n) => after[n]?.modRevision !== before[n].modRevision || after[n]?.hostname !== before[n].hostname);
  expect(changed.length === 0, `${what} changed ${changed.length} user(s) that were already registered: ${listed(changed)}`, {
    expected: firstEntries(Object.fromEntries(changed.map((n) => [n, before[n].hostname]))),
    actual: firstEntries(Object.fromEntries(changed.map((n) => [n, after[n]?.hostname ?? '(deleted)']))),
  });
}

interface Marker {
  value: string | null;
  modRevision: number;
}

async function marker(ctx: CheckContext): Promise<Marker> {
  const kv = (await ctx.kv.get(MARKER).exec()).kvs[0];
  return { value: kv ? kv.value.toString('utf8') : null, modRevision: kv ? Number(kv.mod_revision) : 0 };
}

/** A call through the wire; work answered after the function resolved fails the check, named as a missing await. */
async function callOnWire<T>(ctx: CheckContext, wire: Wire, fn: string, what: string, args: unknown[]): Promise<WireCall<T>> {
  const call = await callThroughWire<T>(ctx, wire, fn, args);
  if (call.late > 0) {
    const late = lateWork(what, call, wire);
    throw new CheckFailure(late.message, late.details);
  }
  return call;
}

/** registerAllAtomically() must send one request, the transaction; the explanation names what the extra requests were. */
function expectOneTransaction(call: WireCall<unknown>, what: string): void {
  const { requests } = call;
  if (show(requests) === show(['KV.txn'])) return;
  const txn = requests.indexOf('KV.txn');
  const explain =
    txn >= 0 && requests.slice(txn + 1).includes('KV.put')
      ? `The marker was written by a second request after the transaction. Write it in the transaction's else-branch, .else(client.put('${MARKER}').value('${MARKER_VALUE}')): one request, one commit, and nothing can happen in between.`
      : requests.includes('KV.range')
      ? 'Reading first (a get, an exists or a count) costs a request and leaves a gap in which another client can register the same user: let the transaction\'s compares do the checking.'
      : requests.filter((r) => r === 'KV.txn').length > 1
      ? 'Several transactions (one per user?) are not one: each is atomic, the list is not. Build one transaction with a compare per user.'
      : 'One transaction: client.if(key, \'Create\', \'==\', 0).and(…) for every user, .then(…the puts), .else(…the marker), .commit().';
  throw new CheckFailure(`${what} sent ${requests.length} request(s) to etcd: ${listed(requests)}`, { expected: 'one: KV.txn', actual: requests, explain });
}

const checks: LabChecks = {
  async 'atomic-commit'(ctx) {
    const pool = users(ctx.rng, 16);
    const others = await preRegister(ctx, pool.slice(0, ctx.rng.int(2, 4)));
    const names = ctx.rng.shuffle(pool.slice(4, 4 + ctx.rng.int(4, 12)));
    const host = hostname(ctx.rng);
    // A decoy next to the prefix, named like one of the new users, and the marker of an earlier failure.
    await ctx.kv.put(`/logged_users_archive/${names[0]}`).value('archived').exec();
    await ctx.kv.put(MARKER).value(`${MARKER_VALUE} at ${ctx.rng.token(6)}`).exec();
    const markerBefore = await marker(ctx);

    const wire = await openWire(ctx, 'atomic-commit');
    const what = `registerAllAtomically() of ${names.length} users`;
    const call = await callOnWire<unknown>(ctx, wire, 'registerAllAtomically', what, [wire.client, names, host]);
    const ok = call.value;
    expect(ok === true, `registerAllAtomically() returned ${show(ok)} for ${names.length} users nobody had registered`, {
      expected: true,
      actual: ok,
      explain: typeof ok === 'boolean'
        ? `Other users (${listed(Object.keys(others))}) were registered already. The condition must be about the users of the list only: each of their keys must not exist (create revision 0).`
        : 'Resolve to the transaction\'s `succeeded`.',
    });
    const after = await registered(ctx);
    const missing = names.filter((n) => after[n]?.hostname !== host);
    expect(missing.length === 0, `after registerAllAtomically() ${missing.length} of ${names.length} users are not registered with hostname ${show(host)}`, {
      expected: host, actual: firstEntries(Object.fromEntries(missing.map((n) => [n, after[n]?.hostname ?? '(missing)']))),
    });
    const revisions = [...new Set(names.map((n) => after[n].modRevision))].sort((a, b) => a - b);
    expect(revisions.length === 1, `the ${names.length} users were written by ${revisions.length} separate commits (revisions ${listed(revisions, 5)})`, {
      expected: 'one revision for all: one transaction',
      actual: `${revisions.length} revisions`,
      explain: 'Put every user in the then-branch of a single transaction: one request, one commit, one revision.',
    });
    expectOneTransaction(call, 'registerAllAtomically()');
    expectUntouched(others, after, 'registerAllAtomically()');
    const extra = Object.keys(after).filter((n) => !names.includes(n) && !(n in others));
    expect(extra.length === 0, 'registerAllAtomically() registered users that were not in the list', { actual: listed(extra) });
    const markerAfter = await marker(ctx);
    expect(markerAfter.value === markerBefore.value && markerAfter.modRevision === markerBefore.modRevision,
      `registerAllAtomically() succeeded, but it also ${markerAfter.value === null ? 'deleted' : 'rewrote'} ${MARKER}, the marker an earlier failure left`, {
        expected: `${MARKER} untouched: ${show(markerBefore.value)}`,
        actual: markerAfter.value ?? '(deleted)',
        explain: 'The then-branch writes the users of the list and nothing else; the marker belongs to the else-branch only.',
      });

    // An empty list: nobody of it is taken, the then-branch (with nothing in it) is the one that runs.
    const empty = await callOnWire<unknown>(ctx, wire, 'registerAllAtomically', 'registerAllAtomically() of an empty list', [wire.client, [], host]);
    expect(empty.value === true, `registerAllAtomically(client, [], ${show(host)}) returned ${show(empty.value)}`, {
      expected: true, actual: empty.value, explain: 'An empty list registers nobody and resolves to true: none of its users is taken.',
    });
    const unchanged = await registered(ctx);
    const markerLast = await marker(ctx);
    expect(Object.keys(unchanged).length === Object.keys(after).length && markerLast.modRevision === markerAfter.modRevision, 'registerAllAtomically() of an empty list wrote something', {
      expected: 'nothing written', actual: `${Object.keys(unchanged).length - Object.keys(after).length} more user(s); ${MARKER} ${markerLast.modRevision === markerAfter.modRevision ? 'untouched' : `now ${show(markerLast.value)}`}`,
    });
  },

  async 'all-or-nothing'(ctx) {
    const pool = users(ctx.rng, 18);
    const existing = await preRegister(ctx, pool.slice(0, ctx.rng.int(3, 6)));
    const taken = ctx.rng.pick(Object.keys(existing));
    const fresh = pool.slice(6, 6 + ctx.rng.int(3, 10));
    // The already-registered user is never first nor last: comparing only one end of the list is not enough.
    const names = [...fresh];
    names.splice(ctx.rng.int(1, fresh.length - 1), 0, taken);
    const host = hostname(ctx.rng);

    const wire = await openWire(ctx, 'all-or-nothing');
    const call = await callOnWire<unknown>(ctx, wire, 'registerAllAtomically', `registerAllAtomically() of ${names.length} users, one of them taken`, [wire.client, names, host]);
    const ok = call.value;
    const after = await registered(ctx);
    const written = fresh.filter((n) => n in after);
    expect(ok === false, `registerAllAtomically() returned ${show(ok)}, but ${show(taken)} (position ${names.indexOf(taken) + 1} of ${names.length}) was already registered`, {
      expected: false,
      actual: ok,
      explain: 'The transaction must compare the key of every user of the list: create revision 0, i.e. the key does not exist. '
        + 'The notebook compares the version of /logged_users, a key nobody ever writes: its version is always 0, so that compare always passes and guards nothing.',
    });
    expect(written.length === 0, `registerAllAtomically() returned false but registered ${written.length} new user(s): ${listed(written, 4)}`, {
      expected: 'no user key written when the condition fails',
      explain: 'All or nothing: one transaction, the puts in its then-branch only.',
    });
    expectUntouched(existing, after, 'the failed registerAllAtomically()');
    const { value } = await marker(ctx);
    expect(value === MARKER_VALUE, `after a failed registerAllAtomically(), ${MARKER} is ${show(value ?? 'missing')}`, {
      expected: MARKER_VALUE, actual: value ?? '(no such key)', explain: `The else-branch puts ${MARKER} = "${MARKER_VALUE}".`,
    });
    expectOneTransaction(call, 'the failed registerAllAtomically()');
  },

  async race(ctx) {
    // Racers in two processes, each with a client of its own, register lists that share one user.
    const workers = [ctx.spawn(), ctx.spawn()];
    const clients = [0, 1, 2, 3].map((i) => ctx.client({ label: `racer-${i}` }));
    for (let round = 1; round <= 3; round++) {
      await ctx.kv.delete().prefix(ROOT).exec();
      const pool = users(ctx.rng, 13);
      const shared = pool[0];
      const lists = [0, 1, 2, 3].map((i) => ctx.rng.shuffle([shared, ...pool.slice(1 + 3 * i, 4 + 3 * i)]));
      await Promise.all(clients.map((c, i) => workers[i % 2].probe('rpcs', [c])));
      const results = await Promise.all(lists.map((list, i) =>
        workers[i % 2].call('registerAllAtomically', [clients[i], list, `racer-${i}`])));
      const sent = await Promise.all(clients.map(async (c, i) => {
        const logged = await workers[i % 2].probe<string[]>('rpcs', [c]);
        return logged.ok ? logged.value : [];
      }));
      const winners = results.flatMap((r, i) => (r === true ? [i] : []));
      const after = await registered(ctx);
      const readFirst = sent.filter((s) => s.includes('KV.range')).length;
      expect(winners.length === 1, `4 clients registered lists that share ${show(shared)} at the same moment: ${winners.length} of them returned true`, {
        expected: 'exactly one winner',
        actual: `${winners.length} winners; ${show(shared)} ended up with hostname ${show(after[shared]?.hostname)}; requests per racer: ${sent.map((s) => s.join('+') || 'none').join(' | ')}`,
        explain: winners.length > 1
          ? readFirst
            ? `${readFirst} of the racers read first (KV.range) and wrote after: in that gap another client registered the same user. The compares must be inside the transaction that writes.`
            : 'Each racer sent its transaction, so its compares do not guard the shared user: compare every user of the list (create revision 0), joined with .and(), and resolve to the transaction\'s `succeeded` (see the all-or-nothing check).'
          : 'None returned true, although the first of them found nobody registered: either the compares can never hold (a compare on the wrong column or value) or the function does not resolve to the transaction\'s `succeeded`.',
      });
      const stray = Object.entries(after).filter(([n, u]) => !lists[winners[0]].includes(n) || u.hostname !== `racer-${winners[0]}`);
      expect(stray.length === 0, `after the race, users of the losing lists are registered: ${listed(stray.map(([n]) => n), 3)}`, {
        expected: `only racer ${winners[0] + 1}'s users`, explain: 'A losing transaction must change no user key.',
      });
    }
    ctx.note('3 rounds of 4 racers in 2 processes: one winner each');
  },

  async 'failure-marker'(ctx) {
    const note = `condition failed at ${ctx.rng.token(6)}`;
    // Decoys: "/tmp/failure" read as a prefix (the notebook's get_prefix) finds these too.
    await ctx.kv.put(`${MARKER}s`).value(`decoy ${ctx.rng.token(4)}`).exec();
    await ctx.kv.put(`${MARKER}-old`).value(`decoy ${ctx.rng.token(4)}`).exec();
    const absent = await ctx.student.call('readFailureMarker', [ctx.client()]);
    expect(absent === null, `with no ${MARKER} key, readFailureMarker() returned ${show(absent)}`, {
      expected: null,
      actual: absent,
      explain: `Read the one key ${MARKER}: client.get(key).string() resolves to null when it does not exist. As a prefix, "${MARKER}" also matches ${MARKER}s and ${MARKER}-old.`,
    });
    await ctx.kv.put(MARKER).value(note).exec();
    const present = await ctx.student.call('readFailureMarker', [ctx.client()]);
    expect(present === note, `readFailureMarker() returned ${show(present)}, but ${MARKER} holds ${show(note)}`, { expected: note, actual: present });
  },

  async sequential(ctx) {
    const names = users(ctx.rng, ctx.rng.int(4, 10));
    const host = hostname(ctx.rng);
    const wire = await openWire(ctx, 'sequential');
    const call = await callOnWire(ctx, wire, 'registerAllSequentially', `registerAllSequentially() of ${names.length} users`, [wire.client, names, host]);
    expect(call.most <= 1, `registerAllSequentially() had ${call.most} of its ${call.requests.length} requests in flight at once`, {
      expected: 'one put at a time: each answered before the next is sent',
      actual: `${call.most} at once`,
      explain: 'One after the other: `for (const name of usernames) await client.put(…).exec()`. Promise.all sends them all at once (etcd then batches them into fewer disk syncs), and the comparison with the transaction means little.',
    });
    const after = await registered(ctx);
    const missing = names.filter((n) => after[n]?.hostname !== host);
    expect(missing.length === 0, `after registerAllSequentially() ${missing.length} of ${names.length} users are not registered with hostname ${show(host)}`, {
      expected: host, actual: firstEntries(Object.fromEntries(missing.map((n) => [n, after[n]?.hostname ?? '(missing)']))),
    });
    const revisions = new Set(names.map((n) => after[n].modRevision));
    expect(revisions.size === names.length, `registerAllSequentially() wrote ${names.length} users in ${revisions.size} commit(s)`, {
      expected: `${names.length} commits, one put each`,
      explain: 'This one is the naive loop on purpose (one put per user): the timing check compares it with the transaction.',
    });
  },

  async speed(ctx) {
    const names = NOTEBOOK_USERS;
    const host = hostname(ctx.rng);
    const loopHost = `loop-${host}`;
    const atomic: number[] = [];
    const loop: number[] = [];
    const client = ctx.client({ label: 'counted' });
    for (let round = 0; round < 5; round++) {
      await ctx.kv.delete().prefix(ROOT).exec();
      await ctx.student.probe('rpcs', [client]);
      const a = await ctx.student.timed('registerAllAtomically', [client, names, host]);
      // The premise of a race: one request against 19. Counted, it needs no timing.
      const sent = await ctx.student.probe<string[]>('rpcs', [client]);
      const requests = (sent.ok ? sent.value : []).filter((r) => !r.startsWith('Auth.'));
      expect(requests.length <= 1, `registerAllAtomically() of the notebook's ${names.length} users sent ${requests.length} requests to etcd: it cannot beat ${names.length} puts by much`, {
        expected: 'one request: one transaction',
        actual: listed(requests),
        explain: 'The point of the transaction is one request and one commit for the whole list. See the atomic-commit check.',
      });
      if (a.value !== true) {
        // The premise: the registry was empty. Users the loop of the round before wrote after it resolved break it.
        const present = await registered(ctx);
        const leftovers = names.filter((n) => present[n]?.hostname === loopHost);
        expect(leftovers.length === 0, `registerAllAtomically() found ${leftovers.length} of the notebook's users registered, though the registry had just been emptied: registerAllSequentially() of the round before wrote them after it had resolved`, {
          expected: 'an empty registry when the transaction runs',
          actual: `registered by the loop: ${listed(leftovers, 4)}`,
          explain: 'A missing await in registerAllSequentially() (see the sequential check): fix that first.',
        });
        expect(false, `registerAllAtomically() of the notebook's ${names.length} users returned ${show(a.value)} on an empty registry`, { expected: true, actual: a.value });
      }
      atomic.push(a.ms);
      await ctx.kv.delete().prefix(ROOT).exec();
      loop.push((await ctx.student.timed('registerAllSequentially', [client, names, loopHost])).ms);
    }
    const [t, l] = [median(atomic), median(loop)];
    const ratio = l / Math.max(t, 0.1);
    ctx.note(`1 transaction: ${t.toFixed(1)} ms, ${names.length} puts: ${l.toFixed(1)} ms, ${ratio.toFixed(ratio < 10 ? 1 : 0)}× faster (medians of 5)`);
    expect(ratio >= 2, `one transaction took ${t.toFixed(1)} ms and ${names.length} separate puts ${l.toFixed(1)} ms: the transaction should be much faster`, {
      expected: 'the transaction at least 2× faster',
      actual: `${ratio.toFixed(1)}×`,
      explain: 'A transaction is one request and one commit; the loop waits for a round trip and a commit per user. Does registerAllAtomically() send one request?',
    });
  },
};

export default checks;
