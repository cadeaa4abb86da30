/**
 * Lab 10 checks: watches and history replay.
 *
 * The checker writes a burst while the student's watch runs: puts, a
 * put→delete→put of one user within milliseconds, a transaction of several
 * changes (one revision), and decoy keys right next to the prefix. What should
 * arrive is computed from the checker's own write responses; every event must
 * arrive once, in revision order, with the revision of its change, and
 * nothing else may: not a decoy, not a change made before the watch started.
 *
 * The watches run on a member of the run's own (helpers/own-member.ts) that
 * nobody else writes to: every revision in it is the checker's, so "the
 * change just before the watch" and "the change just before the replay's
 * start" are the checker's own every run, however busy the shared cluster
 * is with other runs. Timing is replaced by state: the student's watch
 * requests reach etcd through a relay that can hold them. A watchUsers()
 * that resolves while its requests are held is not live; a change made while
 * they are held is the last one before the watch starts, so a watch started
 * one revision early shows it; a stop function that resolves while its
 * cancel is held has not stopped the watch, and the next change still
 * arrives. Every run, not by luck.
 */
import type { UserEvent } from '../kit.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import type { StudentCode } from '../runner/student.ts';
import type { ClientArg, HandleRef } from '../sandbox/protocol.ts';
import { hostname, users } from './helpers/data.ts';
import { ROOT } from './helpers/logged-users.ts';
import { Relay } from './helpers/relay.ts';
import { quietClient } from './helpers/own-member.ts';
import type { Etcd3 } from 'etcd3';
import { settledWithin, sleep, waitFor } from './helpers/time.ts';

type Change = { type: 'put'; name: string; host: string } | { type: 'delete'; name: string };

/**
 * How long a stop function gets to resolve while its cancel request is held
 * in the relay. One that does not wait for etcd resolves in a few ms (one
 * message between processes); 1 s leaves room for a loaded machine, and only
 * decides whether a wrong one is caught, never fails a right one.
 */
const HOLD_MS = 1000;

/**
 * How long a cancel request let go by the relay gets to reach etcd before the
 * runner's next change. It only chooses between two explanations of a stop
 * function that already failed (resolved while its cancel was held): one
 * message between processes, a few ms; 300 ms for a loaded machine.
 */
const CANCEL_LANDS_MS = 300;

/** Writes through the checker's client and remembers the events they must produce. */
class History {
  readonly events: UserEvent[] = [];
  constructor(
    private readonly ctx: CheckContext,
    /** The runner's client of the quiet member. */
    private readonly kv: Etcd3,
  ) {}

  private record(changes: Change[], revision: number): number {
    for (const c of changes) {
      this.events.push(c.type === 'put' ? { type: 'put', username: c.name, hostname: c.host, revision } : { type: 'delete', username: c.name, revision });
    }
    return revision;
  }

  async put(name: string, host = hostname(this.ctx.rng)): Promise<number> {
    const res = await this.kv.put(ROOT + name).value(host).exec();
    return this.record([{ type: 'put', name, host }], Number(res.header.revision));
  }

  async delete(name: string): Promise<number> {
    const res = await this.kv.delete().key(ROOT + name).exec();
    return this.record([{ type: 'delete', name }], Number(res.header.revision));
  }

  /** Several changes in one transaction: one revision. */
  async txn(changes: Change[]): Promise<number> {
    const kv = this.kv;
    const ops = changes.map((c) => (c.type === 'put' ? kv.put(ROOT + c.name).value(c.host) : kv.delete().key(ROOT + c.name)));
    const res = await kv.if(ROOT + changes[0].name, 'Mod', '>', -1).then(...ops).commit();
    return this.record(changes, Number(res.header.revision));
  }

  /** Keys next to the prefix that are not users: no event may come from them. */
  async decoys(): Promise<void> {
    const rng = this.ctx.rng;
    const keys = [`/logged_users_archive/${rng.pick(users(rng, 3))}`, '/logged_users', `/logged_users${rng.token(3)}`];
    for (const key of keys) await this.kv.put(key).value(`decoy-${rng.token(4)}`).exec();
  }

  /** The events from revision `from` on. */
  since(from: number): UserEvent[] {
    return this.events.filter((e) => e.revision >= from);
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
const same = (a: UserEvent, b: UserEvent) => a.type === b.type && a.username === b.username && a.hostname === b.hostname;

/** Up to `limit` items, saying how many are left out. */
function some<T>(items: T[], limit = 3): string {
  const shown = show(items.slice(0, limit));
  return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}

interface Expected {
  /** Every event that must arrive, in order. */
  want: UserEvent[];
  /** Changes under the prefix made before the watch's start: none may arrive. */
  before: UserEvent[];
  /** Why a change of `before` must not arrive, and the likely cause (one sentence each). */
  beforeWhy: string;
  /** What to say when events are missing (default: a watch that was not live, or listeners missing). */
  late?: string;
}

/** Every expected event once, nothing else, revisions in order. */
function expectEvents(got: UserEvent[], { want, before, beforeWhy, late }: Expected, what: string): void {
  const malformed = got.filter((e) => !e || typeof e !== 'object' || (e.type !== 'put' && e.type !== 'delete') || typeof e.username !== 'string');
  expect(malformed.length === 0, `${what} passed events of the wrong shape to onEvent`, {
    expected: '{ type: "put" | "delete", username, hostname (puts), revision }', actual: some(malformed, 2),
  });
  const badRevision = got.filter((e) => typeof e.revision !== 'number');
  expect(badRevision.length === 0, `${what} gave revisions as ${typeof badRevision[0]?.revision}, not numbers`, {
    actual: some(badRevision, 2), explain: 'etcd3 gives int64 fields as decimal strings: Number(kv.mod_revision).',
  });
  const known = new Set([...want, ...before].map((e) => e.username));
  const strangers = got.filter((e) => !known.has(e.username));
  expect(strangers.length === 0, `${what} reported ${strangers.length} event(s) for keys that are not users under ${ROOT}: ${some(strangers.map((e) => e.username))}`, {
    actual: some(strangers),
    explain: `Watch the prefix with its slash, "${ROOT}": "/logged_users" also matches /logged_users_archive/... and /logged_users itself.`,
  });
  const wanted = new Set(want.map(key));
  const early = got.filter((e) => !wanted.has(key(e)) && before.some((b) => key(b) === key(e)));
  if (early.length) {
    throw new CheckFailure(`${what} reported ${early.length} change(s) made before the watch's start: ${some(early.map(key))}`, {
      expected: want.map(key), actual: got.map(key), explain: beforeWhy,
    });
  }
  const wrongRevision = got.filter((e) => !wanted.has(key(e)) && want.some((w) => same(w, e)));
  if (wrongRevision.length) {
    const e = wrongRevision[0];
    const right = want.find((w) => same(w, e))!;
    throw new CheckFailure(`${what} reported ${e.type} ${show(e.username)} at revision ${e.revision}; that change happened at revision ${right.revision}`, {
      expected: want.map(key), actual: got.map(key),
      explain: 'Use the revision of the change itself, kv.mod_revision, not the header of the response that carried it (one response can carry many changes).',
    });
  }
  const extra = got.filter((e) => !wanted.has(key(e)));
  expect(extra.length === 0, `${what} reported ${extra.length} event(s) that are not changes of the watched revisions: ${some(extra.map(key))}`, {
    expected: want.map(key), actual: got.map(key), explain: 'Report each change as etcd gives it: its type, its key without the prefix, its value, its kv.mod_revision.',
  });
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
    expected: want.map(key), actual: got.map(key), explain: 'Listen to each event once: \'put\' and \'delete\', or \'data\', not both; and one watcher for puts and deletes.',
  });
  for (let i = 1; i < got.length; i++) {
    if (got[i].revision < got[i - 1].revision) {
      throw new CheckFailure(`${what} reported events out of order: ${key(got[i - 1])} before ${key(got[i])}`, {
        expected: want.map(key), actual: got.map(key), explain: 'One watcher for puts and deletes delivers them in revision order; two watchers (one per type) each deliver their own in order, but not with each other.',
      });
    }
  }
}

/** Collects what the student's watch reports, in the order it arrives. */
function collector(student: StudentCode): { events: UserEvent[]; callback: { $callback: number } } {
  const events: UserEvent[] = [];
  return { events, callback: student.box.callback((e: UserEvent) => void events.push(e)) };
}

function expectStopFunction(stop: unknown, what: string): HandleRef {
  expect(stop && typeof stop === 'object' && '$handle' in stop && (stop as HandleRef).kind === 'function', `${what} must resolve to a function that stops the watch`, { actual: stop });
  return stop as HandleRef;
}

/**
 * Waits until `count` events arrived (the limit only bounds a failure: events
 * normally arrive within ms), then 200 ms more for duplicates and strays.
 */
async function settle(events: UserEvent[], count: number): Promise<void> {
  await waitFor(() => events.length >= count, 5000, 20);
  await sleep(200);
}

async function startWatch(ctx: CheckContext, client: ClientArg, callback: { $callback: number }): Promise<HandleRef> {
  return expectStopFunction(await ctx.student.call('watchUsers', [client, callback]), 'watchUsers()');
}

async function stopWatch(ctx: CheckContext, stop: HandleRef, label = 'the stop function'): Promise<void> {
  await ctx.student.invoke(stop, '', [], label);
}

/**
 * watchUsers() with its requests held in the relay until the student's code
 * has started talking to etcd; `change` is made meanwhile, so it is the last
 * change before the watch starts (nobody else writes to the quiet member). A
 * watchUsers() that resolves while its requests are held is not live.
 */
async function startHeld(ctx: CheckContext, relay: Relay, client: ClientArg, callback: { $callback: number }, change: () => Promise<unknown>): Promise<HandleRef> {
  relay.hold();
  const call = ctx.student.call('watchUsers', [client, callback]);
  let early = false;
  try {
    await waitFor(async () => relay.heldBytes > 0 || (await settledWithin(call, 0)), ctx.timeoutMs, 20);
    early = await settledWithin(call, 50);
    await change();
  } finally {
    relay.letGo();
  }
  const stop = expectStopFunction(await call, 'watchUsers()');
  if (early) {
    await stopWatch(ctx, stop);
    throw new CheckFailure('watchUsers() resolved before its watch had reached etcd: it was not live yet', {
      expected: 'watchUsers() resolves once etcd has confirmed the watch',
      actual: 'it resolved while its requests were still held back on their way to etcd',
      explain: 'A change made between the moment watchUsers() resolves and the moment etcd creates the watch is lost. Resolve only once the watch is live: await builder.create(), or the watcher\'s \'connected\' event, with the listeners attached before.',
    });
  }
  return stop;
}

/** A relay in front of the quiet member, closed when the run ends. */
async function relayTo(ctx: CheckContext, endpoints: string[]): Promise<Relay> {
  const relay = await Relay.start(endpoints);
  ctx.atEnd(() => relay.close());
  return relay;
}

const BEFORE_LIVE = 'watchUsers() must report changes from now on: start the watch after the current revision (etcd3 does when no start revision is given), not at it (startRevision(header.revision) replays the change made just before).';

const checks: LabChecks = {
  async 'live-events'(ctx) {
    const names = users(ctx.rng, 5);
    const { member, kv, auth } = await quietClient(ctx);
    const history = new History(ctx, kv);
    const { events, callback } = collector(ctx.student);
    // A client of its own, not connected yet.
    const relay = await relayTo(ctx, member.endpoints);
    const client = ctx.clientFor(relay.hosts, { label: 'live-events', auth });
    const stop = await startHeld(ctx, relay, client, callback, () => history.put(names[1], 'before the watch'));
    const before = history.events.splice(0);
    await burst(ctx, history, names);
    await settle(events, history.events.length);
    await stopWatch(ctx, stop);
    expectEvents(events, { want: history.events, before, beforeWhy: BEFORE_LIVE }, 'watchUsers()');
    ctx.note(`${history.events.length} events from ${new Set(history.events.map((e) => e.revision)).size} revisions, decoys ignored`);
  },

  async replay(ctx) {
    const names = users(ctx.rng, 6);
    const { member, kv, auth } = await quietClient(ctx);
    const history = new History(ctx, kv);
    const [a, b, c, d, e, f] = names;
    await history.put(a);
    await history.put(b);
    await history.decoys();
    // Replay from a revision in the middle of the history: that change and everything after it.
    const marks = [await history.delete(a), await history.put(c)];
    marks.push(await history.txn([{ type: 'put', name: d, host: hostname(ctx.rng) }, { type: 'delete', name: b }]));
    await history.put(a);
    // A start whose revision just before is a user change (not a decoy): a replay that starts
    // one revision early shows it. On the quiet member every revision is ours, so there is one.
    const ours = new Set(history.events.map((ev) => ev.revision));
    const shown = marks.filter((r) => ours.has(r - 1));
    const from = ctx.rng.pick(shown.length ? shown : marks);
    const past = history.since(from);
    const before = history.events.filter((ev) => ev.revision < from);
    const what = `replayUsersSince(client, ${from}, …)`;
    const beforeWhy = `The replay starts at revision ${from}, included: startRevision(String(revision)), not an earlier one.`;

    const { events, callback } = collector(ctx.student);
    const stop = expectStopFunction(await ctx.student.call('replayUsersSince', [ctx.clientFor(member.endpoints, { label: 'replay', auth }), from, callback]), 'replayUsersSince()');
    await settle(events, past.length);
    expectEvents([...events], { want: past, before, beforeWhy, late: `Start the watch at the given revision (startRevision), included: the change at revision ${from} is part of the replay, and so are the deletes and overwritten values after it.` }, what);
    // Then it goes on live.
    await history.put(e);
    await history.delete(c);
    await history.put(f);
    const all = history.since(from);
    await settle(events, all.length);
    await stopWatch(ctx, stop);
    expectEvents(events, { want: all, before, beforeWhy, late: 'After the history, the watch must go on with live changes.' }, `${what} after the replay`);
    ctx.note(`replayed ${past.length} past events from revision ${from}, then ${all.length - past.length} live ones`);
  },

  async 'stop-watching'(ctx) {
    const [pre, a, b, c] = users(ctx.rng, 4);
    const { member, kv, auth } = await quietClient(ctx);
    const history = new History(ctx, kv);
    // Two watches of one process, on one client whose requests can be held.
    const relay = await relayTo(ctx, member.endpoints);
    const client = ctx.clientFor(relay.hosts, { label: 'stop-watching', auth });
    const first = collector(ctx.student);
    const second = collector(ctx.student);
    const stopFirst = await startHeld(ctx, relay, client, first.callback, () => history.put(pre, 'before the watch'));
    const before = history.events.splice(0);
    const stopSecond = await startWatch(ctx, client, second.callback);
    await history.put(a);
    await settle(first.events, 1);
    await waitFor(() => second.events.length >= 1, 2000, 20);
    const live = { want: history.events.slice(), before, beforeWhy: BEFORE_LIVE };
    expectEvents(first.events, live, 'watchUsers()');
    expectEvents(second.events, live, 'a second watchUsers() of the same process');

    // Stop the first watch. Its cancel request waits in the relay: a stop function that
    // resolves meanwhile has not stopped the watch in etcd, and the next change still arrives.
    relay.hold();
    let stoppedAt = Number.POSITIVE_INFINITY;
    const stopping = stopWatch(ctx, stopFirst, 'the first watch\'s stop function').then(() => {
      stoppedAt = first.events.length;
    });
    const resolvedEarly = await settledWithin(stopping, HOLD_MS);
    if (resolvedEarly) await history.put(b);
    relay.letGo();
    await stopping;
    // A cancel that was let go only now still has to reach etcd: give it that moment, so that a change
    // after it tells "the watch went on" (never cancelled) from "resolved before its cancel" (not awaited).
    if (resolvedEarly) await sleep(CANCEL_LANDS_MS);
    const afterStop = await history.put(c);
    await history.delete(a);
    await settle(second.events, history.events.length);
    await sleep(300);
    const after = first.events.slice(stoppedAt);
    const wentOn = after.some((e) => e.revision >= afterStop);
    expect(after.length === 0, `after the first watch's stop function resolved, ${after.length} more event(s) arrived on it: ${some(after.map(key))}`, {
      expected: 'no events after stop',
      actual: [
        resolvedEarly ? 'the stop function resolved while its request to etcd was still on its way' : '',
        wentOn ? 'the watch went on after it resolved' : '',
      ].filter(Boolean).join('; '),
      explain: wentOn
        ? 'The stop function must cancel this watch: its own watcher (kept in a variable of that watchUsers() call, not one shared by the module), with watcher.cancel(), awaited.'
        : 'The stop function must resolve only once the watch is cancelled: return (or await) watcher.cancel().',
    });
    const secondWant = history.events;
    expect(secondWant.every((w) => second.events.some((e) => key(e) === key(w))), `stopping the first watch also stopped the second one: it missed ${some(secondWant.filter((w) => !second.events.some((e) => key(e) === key(w))).map(key))}`, {
      expected: secondWant.map(key), actual: second.events.map(key),
      explain: 'Each stop function must cancel its own watcher: keep it in a variable of that watchUsers() call, not in one shared by the module.',
    });
    expectEvents(second.events, { want: secondWant, before, beforeWhy: BEFORE_LIVE }, 'the second watchUsers()');
    await stopWatch(ctx, stopSecond, 'the second watch\'s stop function');
  },
};

export default checks;
