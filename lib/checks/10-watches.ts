/**
 * Lab 10 checks: watches and history replay.
 *
 * The checker writes a burst while the student's watch runs: puts, a
 * put→delete→put of one user within milliseconds, a transaction of several
 * changes (one revision), and decoy keys right next to the prefix. What should
 * arrive is computed from the checker's own write responses; every event must
 * arrive once, in revision order, with the revision of its change.
 */
import type { UserEvent } from '../kit.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { hostname, users } from './helpers/data.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { sleep, waitFor } from './helpers/time.ts';
import type { HandleRef } from '../sandbox/protocol.ts';
import { ROOT } from './helpers/logged-users.ts';

type Change = { type: 'put'; name: string; host: string } | { type: 'delete'; name: string };

/** Writes through the checker's client and remembers the events they must produce. */
class History {
  readonly events: UserEvent[] = [];
  constructor(private readonly ctx: CheckContext) {}

  private record(changes: Change[], revision: number): number {
    for (const c of changes) {
      this.events.push(c.type === 'put' ? { type: 'put', username: c.name, hostname: c.host, revision } : { type: 'delete', username: c.name, revision });
    }
    return revision;
  }

  async put(name: string, host = hostname(this.ctx.rng)): Promise<number> {
    const res = await this.ctx.kv.put(ROOT + name).value(host).exec();
    return this.record([{ type: 'put', name, host }], Number(res.header.revision));
  }

  async delete(name: string): Promise<number> {
    const res = await this.ctx.kv.delete().key(ROOT + name).exec();
    return this.record([{ type: 'delete', name }], Number(res.header.revision));
  }

  /** Several changes in one transaction: one revision. */
  async txn(changes: Change[]): Promise<number> {
    const kv = this.ctx.kv;
    const ops = changes.map((c) => (c.type === 'put' ? kv.put(ROOT + c.name).value(c.host) : kv.delete().key(ROOT + c.name)));
    const res = await kv.if(ROOT + changes[0].name, 'Mod', '>', -1).then(...ops).commit();
    return this.record(changes, Number(res.header.revision));
  }

  /** Keys next to the prefix that are not users: no event may come from them. */
  async decoys(): Promise<void> {
    const rng = this.ctx.rng;
    const keys = [`/logged_users_archive/${rng.pick(users(rng, 3))}`, '/logged_users', `/logged_users${rng.token(3)}`];
    for (const key of keys) await this.ctx.kv.put(key).value(`decoy-${rng.token(4)}`).exec();
  }
}

/** A burst with every kind of change, decoys in between. */
async function burst(ctx: CheckContext, history: History, names: string[]): Promise<void> {
  const [a, b, c, d, e] = names;
  await history.put(a);
  await history.decoys();
  await history.put(b);
  // put → delete → put of one user, as fast as the cluster commits.
  await history.put(c);
  await history.delete(c);
  await history.put(c);
  await history.txn([{ type: 'put', name: d, host: hostname(ctx.rng) }, { type: 'delete', name: a }, { type: 'put', name: e, host: hostname(ctx.rng) }]);
  await history.decoys();
  await history.put(b);
}

const key = (e: UserEvent) => `${e.type} ${e.username}${e.type === 'put' ? `=${e.hostname}` : ''} @${e.revision}`;

/** Every expected event once, nothing else, revisions in order. */
function expectEvents(got: UserEvent[], want: UserEvent[], what: string, late?: string): void {
  const malformed = got.filter((e) => !e || typeof e !== 'object' || (e.type !== 'put' && e.type !== 'delete') || typeof e.username !== 'string');
  expect(malformed.length === 0, `${what} passed events of the wrong shape to onEvent`, {
    expected: '{ type: "put" | "delete", username, hostname (puts), revision }', actual: malformed.slice(0, 2),
  });
  const badRevision = got.filter((e) => typeof e.revision !== 'number');
  expect(badRevision.length === 0, `${what} gave revisions as ${typeof badRevision[0]?.revision}, not numbers`, {
    actual: badRevision.slice(0, 2), explain: 'etcd3 gives int64 fields as decimal strings: Number(kv.mod_revision).',
  });
  const wanted = new Set(want.map(key));
  const strangers = got.filter((e) => !want.some((w) => w.username === e.username));
  expect(strangers.length === 0, `${what} reported ${strangers.length} event(s) for keys that are not users under ${ROOT}: ${show(strangers.slice(0, 3).map((e) => e.username))}`, {
    actual: strangers.slice(0, 3),
    explain: `Watch the prefix with its slash, "${ROOT}": "/logged_users" also matches /logged_users_archive/... and /logged_users itself.`,
  });
  const wrongRevision = got.filter((e) => !wanted.has(key(e)) && want.some((w) => w.type === e.type && w.username === e.username && w.hostname === e.hostname));
  if (wrongRevision.length) {
    const e = wrongRevision[0];
    const right = want.find((w) => w.type === e.type && w.username === e.username && w.hostname === e.hostname)!;
    throw new CheckFailure(`${what} reported ${e.type} ${show(e.username)} at revision ${e.revision}; that change happened at revision ${right.revision}`, {
      expected: want.map(key), actual: got.map(key),
      explain: 'Use the revision of the change itself, kv.mod_revision, not the header of the response that carried it (one response can carry many changes).',
    });
  }
  const missing = want.filter((w) => !got.some((e) => key(e) === key(w)));
  if (missing.length) {
    const firstMissing = want.indexOf(missing[0]) === 0;
    throw new CheckFailure(`${what} missed ${missing.length} of ${want.length} events, e.g. ${key(missing[0])}`, {
      expected: want.map(key),
      actual: got.map(key),
      explain: late ?? (firstMissing
        ? `${missing.length === want.length ? 'Nothing arrived while the runner wrote' : 'The first changes were lost'}: resolve only once the watch is live (etcd3's create(), or the watcher's 'connected' event), with the listeners attached before.`
        : 'Listen to both \'put\' and \'delete\' events.'),
    });
  }
  const seen = new Map<string, number>();
  for (const e of got) seen.set(key(e), (seen.get(key(e)) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  expect(twice.length === 0, `${what} reported ${twice.length} event(s) more than once, e.g. ${twice[0]}`, {
    expected: want.map(key), actual: got.map(key), explain: 'Listen to each event once: \'put\' and \'delete\', or \'data\', not both.',
  });
  for (let i = 1; i < got.length; i++) {
    if (got[i].revision < got[i - 1].revision) {
      throw new CheckFailure(`${what} reported events out of order: ${key(got[i - 1])} before ${key(got[i])}`, { expected: want.map(key), actual: got.map(key) });
    }
  }
}

/** Collects what the student's watch reports, in the order it arrives. */
function collector(ctx: CheckContext): { events: UserEvent[]; callback: { $callback: number } } {
  const events: UserEvent[] = [];
  return { events, callback: ctx.student.box.callback((e: UserEvent) => void events.push(e)) };
}

async function expectStopFunction(stop: unknown, what: string): Promise<HandleRef> {
  expect(stop && typeof stop === 'object' && '$handle' in stop && (stop as HandleRef).kind === 'function', `${what} must resolve to a function that stops the watch`, { actual: stop });
  return stop as HandleRef;
}

async function settle(events: UserEvent[], count: number): Promise<void> {
  await waitFor(() => events.length >= count, 1500, 20);
  await sleep(200); // room for duplicates and strays
}

const checks: LabChecks = {
  async 'live-events'(ctx) {
    const names = users(ctx.rng, 5);
    await ctx.kv.put(ROOT + names[1]).value('before the watch').exec(); // not an event: it happened before
    const { events, callback } = collector(ctx);
    // A client of its own, not connected yet: a watch that is not live when watchUsers() resolves misses the first changes.
    const stop = await expectStopFunction(await ctx.student.call('watchUsers', [ctx.client({ label: 'live-events' }), callback]), 'watchUsers()');
    const history = new History(ctx);
    await burst(ctx, history, names);
    await settle(events, history.events.length);
    await ctx.student.invoke(stop, '', [], 'the stop function');
    expectEvents(events, history.events, 'watchUsers()');
    ctx.note(`${history.events.length} events from ${new Set(history.events.map((e) => e.revision)).size} revisions, decoys ignored`);
  },

  async replay(ctx) {
    const names = users(ctx.rng, 6);
    const history = new History(ctx);
    const [a, b, c, d, e, f] = names;
    await history.put(a);
    await history.put(b);
    await history.decoys();
    // Replay from a revision in the middle of the history: that change and everything after it.
    const marks = [await history.delete(a), await history.put(c)];
    await history.txn([{ type: 'put', name: d, host: hostname(ctx.rng) }, { type: 'delete', name: b }]);
    await history.put(a);
    const from = ctx.rng.pick(marks);
    const past = history.events.filter((ev) => ev.revision >= from);

    const { events, callback } = collector(ctx);
    const stop = await expectStopFunction(await ctx.student.call('replayUsersSince', [ctx.client(), from, callback]), 'replayUsersSince()');
    await settle(events, past.length);
    expectEvents([...events], past, `replayUsersSince(client, ${from}, …)`, `Start the watch at the given revision (startRevision), included: the change at revision ${from} is part of the replay.`);
    // Then it goes on live.
    await history.put(e);
    await history.delete(c);
    await history.put(f);
    const all = history.events.filter((ev) => ev.revision >= from);
    await settle(events, all.length);
    await ctx.student.invoke(stop, '', [], 'the stop function');
    expectEvents(events, all, `replayUsersSince(client, ${from}, …) after the replay`, 'After the history, the watch must go on with live changes.');
    ctx.note(`replayed ${past.length} past events from revision ${from}, then ${all.length - past.length} live ones`);
  },

  async 'stop-watching'(ctx) {
    const [a, b] = users(ctx.rng, 2);
    const { events, callback } = collector(ctx);
    const stop = await expectStopFunction(await ctx.student.call('watchUsers', [ctx.client(), callback]), 'watchUsers()');
    const history = new History(ctx);
    await history.put(a);
    await settle(events, 1);
    expectEvents(events, history.events, 'watchUsers()');
    await ctx.student.invoke(stop, '', [], 'the stop function');
    const stoppedAt = events.length;
    await history.put(b);
    await history.delete(a);
    await sleep(500);
    const after = events.slice(stoppedAt);
    expect(after.length === 0, `after the stop function resolved, ${after.length} more event(s) arrived: ${show(after.map(key))}`, {
      expected: 'no events after stop',
      explain: 'The stop function must cancel the watch (watcher.cancel()) and resolve only when it is cancelled.',
    });
  },
};

export default checks;
