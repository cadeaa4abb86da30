/**
 * Lab 04 checks: registering a list of users in one transaction, all or none.
 *
 * Other users are already registered when the student's transaction runs
 * (so "the prefix must be empty" is the wrong condition), the overlapping
 * user of the second call is never the first of its list (so comparing one
 * key is not enough), and nobody ever writes the key /logged_users itself
 * (so the notebook's compare on its version guards nothing).
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { NOTEBOOK_USERS, hostname, users } from './helpers/data.ts';
import { expect, show } from '../runner/failure.ts';
import { ROOT, type Registered, registered } from './helpers/logged-users.ts';
import { median } from './helpers/stats.ts';

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
  expect(changed.length === 0, `${what} changed ${changed.length} user(s) that were already registered: ${show(changed)}`, {
    expected: Object.fromEntries(changed.map((n) => [n, before[n].hostname])),
    actual: Object.fromEntries(changed.map((n) => [n, after[n]?.hostname ?? '(deleted)'])),
  });
}


const checks: LabChecks = {
  async 'atomic-commit'(ctx) {
    const pool = users(ctx.rng, 16);
    const others = await preRegister(ctx, pool.slice(0, ctx.rng.int(2, 4)));
    const names = ctx.rng.shuffle(pool.slice(4, 4 + ctx.rng.int(4, 12)));
    const host = hostname(ctx.rng);
    // A decoy next to the prefix, named like one of the new users.
    await ctx.kv.put(`/logged_users_archive/${names[0]}`).value('archived').exec();

    const ok = await ctx.student.call('registerAllAtomically', [ctx.client(), names, host]);
    expect(ok === true, `registerAllAtomically() returned ${show(ok)} for ${names.length} users nobody had registered`, {
      expected: true,
      actual: ok,
      explain: typeof ok === 'boolean'
        ? `Other users (${show(Object.keys(others))}) were registered already. The condition must be about the users of the list only: each of their keys must not exist (create revision 0).`
        : 'Resolve to the transaction\'s `succeeded`.',
    });
    const after = await registered(ctx);
    const missing = names.filter((n) => after[n]?.hostname !== host);
    expect(missing.length === 0, `after registerAllAtomically() ${missing.length} of ${names.length} users are not registered with hostname ${show(host)}`, {
      expected: host, actual: Object.fromEntries(missing.slice(0, 4).map((n) => [n, after[n]?.hostname ?? '(missing)'])),
    });
    const revisions = [...new Set(names.map((n) => after[n].modRevision))].sort((a, b) => a - b);
    expect(revisions.length === 1, `the ${names.length} users were written by ${revisions.length} separate commits (revisions ${revisions.slice(0, 5).join(', ')}${revisions.length > 5 ? ', …' : ''})`, {
      expected: 'one revision for all: one transaction',
      actual: `${revisions.length} revisions`,
      explain: 'Put every user in the then-branch of a single transaction: one request, one commit, one revision.',
    });
    expectUntouched(others, after, 'registerAllAtomically()');
    const extra = Object.keys(after).filter((n) => !names.includes(n) && !(n in others));
    expect(extra.length === 0, 'registerAllAtomically() registered users that were not in the list', { actual: extra });
    const marker = await ctx.kv.get(MARKER).string();
    expect(marker === null, `registerAllAtomically() succeeded but also wrote ${MARKER}`, { actual: marker, explain: 'The marker belongs in the else-branch only.' });
  },

  async 'all-or-nothing'(ctx) {
    const pool = users(ctx.rng, 18);
    const existing = await preRegister(ctx, pool.slice(0, ctx.rng.int(3, 6)));
    const taken = ctx.rng.pick(Object.keys(existing));
    const fresh = pool.slice(6, 6 + ctx.rng.int(3, 10));
    // The already-registered user is never first: comparing only the first key is not enough.
    const names = [...fresh];
    names.splice(ctx.rng.int(1, names.length), 0, taken);
    const host = hostname(ctx.rng);

    const ok = await ctx.student.call('registerAllAtomically', [ctx.client(), names, host]);
    const after = await registered(ctx);
    const written = fresh.filter((n) => n in after);
    expect(ok === false, `registerAllAtomically() returned ${show(ok)}, but ${show(taken)} (position ${names.indexOf(taken) + 1} of ${names.length}) was already registered`, {
      expected: false,
      actual: ok,
      explain: 'The transaction must compare the key of every user of the list: create revision 0, i.e. the key does not exist. '
        + 'The notebook compares the version of /logged_users, a key nobody ever writes: its version is always 0, so that compare always passes and guards nothing.',
    });
    expect(written.length === 0, `registerAllAtomically() returned false but registered ${written.length} new user(s): ${show(written.slice(0, 4))}`, {
      expected: 'no user key written when the condition fails',
      explain: 'All or nothing: one transaction, the puts in its then-branch only.',
    });
    expectUntouched(existing, after, 'the failed registerAllAtomically()');
    const marker = await ctx.kv.get(MARKER).string();
    expect(marker === MARKER_VALUE, `after a failed registerAllAtomically(), ${MARKER} is ${show(marker ?? 'missing')}`, {
      expected: MARKER_VALUE, actual: marker ?? '(no such key)', explain: `The else-branch puts ${MARKER} = "${MARKER_VALUE}".`,
    });
  },

  async race(ctx) {
    // Racers in two processes, each with a client of its own, register lists that share one user.
    const workers = [ctx.spawn(), ctx.spawn()];
    for (let round = 1; round <= 3; round++) {
      await ctx.kv.delete().prefix(ROOT).exec();
      const pool = users(ctx.rng, 13);
      const shared = pool[0];
      const lists = [0, 1, 2, 3].map((i) => ctx.rng.shuffle([shared, ...pool.slice(1 + 3 * i, 4 + 3 * i)]));
      const results = await Promise.all(lists.map((list, i) =>
        workers[i % 2].call('registerAllAtomically', [ctx.client({ label: `racer-${i}` }), list, `racer-${i}`])));
      const winners = results.flatMap((r, i) => (r === true ? [i] : []));
      const after = await registered(ctx);
      expect(winners.length === 1, `4 clients registered lists that share ${show(shared)} at the same moment: ${winners.length} of them returned true`, {
        expected: 'exactly one winner',
        actual: `${winners.length} winners; ${show(shared)} ended up with hostname ${show(after[shared]?.hostname)}`,
        explain: winners.length > 1
          ? 'Checking first (a get) and writing after (the transaction) leaves a gap in which another client registers the same user. The compares must be inside the transaction that writes.'
          : 'The first of them finds nobody registered and must succeed.',
      });
      const stray = Object.entries(after).filter(([n, u]) => !lists[winners[0]].includes(n) || u.hostname !== `racer-${winners[0]}`);
      expect(stray.length === 0, `after the race, users of the losing lists are registered: ${show(stray.slice(0, 3).map(([n]) => n))}`, {
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
    await ctx.student.call('registerAllSequentially', [ctx.client(), names, host]);
    const after = await registered(ctx);
    const missing = names.filter((n) => after[n]?.hostname !== host);
    expect(missing.length === 0, `after registerAllSequentially() ${missing.length} of ${names.length} users are not registered with hostname ${show(host)}`, {
      expected: host, actual: Object.fromEntries(missing.slice(0, 4).map((n) => [n, after[n]?.hostname ?? '(missing)'])),
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
    const atomic: number[] = [];
    const loop: number[] = [];
    for (let round = 0; round < 5; round++) {
      await ctx.kv.delete().prefix(ROOT).exec();
      const a = await ctx.student.timed('registerAllAtomically', [ctx.client(), names, host]);
      expect(a.value === true, `registerAllAtomically() of the notebook's ${names.length} users returned ${show(a.value)} on an empty registry`, { expected: true });
      atomic.push(a.ms);
      await ctx.kv.delete().prefix(ROOT).exec();
      loop.push((await ctx.student.timed('registerAllSequentially', [ctx.client(), names, host])).ms);
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
