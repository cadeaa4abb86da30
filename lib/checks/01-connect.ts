/**
 * Lab 01 checks: connect() and describeCluster().
 *
 * The truth is read from the members themselves. Leadership is moved on
 * purpose (on a cluster the workbook manages) so a leader that was guessed
 * or hard-coded cannot pass, and describeCluster() is asked through a
 * follower, so "the member that answered" is never the leader by luck.
 * connect()'s client is given a dead endpoint first, used again well after
 * its first deadline, and keeps a watch open through the whole check.
 */
import { agreedLeader, clusterStatus, memberList, moveLeader } from '../cluster/inspect.ts';
import type { ClusterDescription } from '../kit.ts';
import type { TimedOutcome } from '../sandbox/probes.ts';
import type { HandleRef } from '../sandbox/protocol.ts';
import { isHandleRef } from '../sandbox/protocol.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { value } from './helpers/data.ts';
import { deadlineAlreadyPassed, describeEtcdError, etcdErrorKind } from './helpers/etcd-error-text.ts';
import { sleep, waitFor } from './helpers/time.ts';
import { CheckFailure, CheckSkipped, expect, show } from '../runner/failure.ts';
import { hungEndpoint, refusedEndpoint } from './helpers/unreachable.ts';

/** A get through the client must give up on a hung member within this (3 attempts of the solution's 1 s: ~3 s; 4.3 s seen with both cores busy). */
const HUNG_LIMIT_MS = 5000;
/**
 * connect()'s client is used again this long after connect() returned: later
 * than any deadline fixed once at connect() that passes the hung-member limit
 * above (a fixed deadline over 5 s fails that limit instead).
 */
const LATE_USE_MS = 6500;
async function connect(ctx: CheckContext, endpoints: string[]): Promise<HandleRef> {
  const client = await ctx.student.call<unknown>('connect', [endpoints]);
  expect(isHandleRef(client), `connect() must return an etcd3 client (new Etcd3(...)), it returned ${show(client)}`);
  const kind = await ctx.student.probe<{ kind: string; hasKvApi: boolean }>('describe', [client]);
  expect(kind.ok && kind.value.hasKvApi, `connect() must return an etcd3 client (new Etcd3(...)), it returned a ${kind.ok ? kind.value.kind : 'value'} without get() and put()`);
  return client;
}

async function describe(ctx: CheckContext, hosts?: string[]): Promise<ClusterDescription> {
  // Membership and status are cluster-wide: the client has no namespace.
  const result = await ctx.student.call<ClusterDescription>('describeCluster', [ctx.client({ namespace: undefined, ...(hosts ? { hosts } : {}) })]);
  expect(result && Array.isArray(result.members) && typeof result.leader === 'string',
    'describeCluster() must resolve to { members: [...], leader: string }', { actual: result });
  return result;
}

/** The endpoint of a member that is not the leader (undefined on a one-member cluster): the member a status call reaches is then never the leader. */
async function followerEndpoint(ctx: CheckContext, leaderId: string): Promise<string | undefined> {
  const statuses = await clusterStatus(ctx.target);
  const followers = statuses.filter((s) => s.up && s.id !== leaderId);
  return followers.length ? ctx.rng.pick(followers).endpoint : undefined;
}

/** An etcd3 error as a student reads it (lib/checks/helpers/etcd-error-text.ts). */
const said = describeEtcdError;

type Trip = TimedOutcome<string | null>;

/** A put and a get through the student's client; the probe's own failure (a broken client) reads as a failed trip. */
async function roundTrip(ctx: CheckContext, client: HandleRef, key: string, written: string): Promise<Trip> {
  const trip = await ctx.student.probe<Trip>('roundTrip', [client, ctx.target.namespace + key, written], { timeoutMs: 9000 });
  return trip.ok ? trip.value : { ok: false, ms: trip.ms, error: { name: 'the put/get', message: ctx.student.explain('the put/get', trip) } };
}

interface OpenWatch {
  /** The errors the watch was disconnected with, by class. */
  disconnects: string[];
  puts: number;
  close(): Promise<void>;
}

/** A watch on `key` through the student's client (its methods called in the lab process), counting what it sees. */
async function openWatch(ctx: CheckContext, client: HandleRef, key: string): Promise<OpenWatch> {
  const seen: OpenWatch = { disconnects: [], puts: 0, close: async () => {} };
  const builder = await ctx.student.invoke<HandleRef>(client, 'watch', [], 'watch');
  await ctx.student.invoke(builder, 'key', [ctx.target.namespace + key], 'watch().key');
  const watcher = await ctx.student.invoke<HandleRef>(builder, 'create', [], 'watch().key().create');
  const on = (event: string, listener: (...args: unknown[]) => void) => ctx.student.invoke(watcher, 'on', [event, ctx.student.box.callback(listener)], 'watcher.on');
  await on('disconnected', (error) => seen.disconnects.push(isHandleRef(error) ? error.kind : String((error as Error)?.name ?? error)));
  await on('put', () => seen.puts++);
  seen.close = async () => {
    await ctx.student.invoke(watcher, 'cancel', [], 'watcher.cancel').catch(() => undefined);
  };
  return seen;
}

/** Counts with their classes, e.g. "3 times (GRPCDeadlineExceededError)". */
function times(errors: string[]): string {
  return `${errors.length} time${errors.length === 1 ? '' : 's'} (${[...new Set(errors)].join(', ')})`;
}

/** The hung-member part of connect-deadline: a get through a client of only that member gives up within the limit. */
async function expectGivesUpOnHungMember(ctx: CheckContext): Promise<void> {
  const hung = await hungEndpoint();
  try {
    const client = await connect(ctx, [hung.endpoint]);
    const outcome = await ctx.student.probe<Trip>('timedGet', [client, '/lab01/probe'], { timeoutMs: 9000 });
    if (!outcome.ok) {
      throw new CheckFailure('a get through your client to a member that accepts connections but never answers was still waiting after 9 s', {
        expected: `the call rejects within ${HUNG_LIMIT_MS / 1000} s`,
        actual: 'it waits forever (etcd3 ignores dialTimeout; a call has no deadline unless you give it one)',
        explain: 'Give the client defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 1000 }).',
      });
    }
    expect(!outcome.value.ok, 'a get through your client to a member that never answers succeeded?!', { actual: outcome.value });
    expect(outcome.value.ms <= HUNG_LIMIT_MS, `the get gave up only after ${(outcome.value.ms / 1000).toFixed(1)} s`, {
      expected: `at most ${HUNG_LIMIT_MS / 1000} s`, actual: `${outcome.value.ms} ms (${said(outcome.value.error)})`,
      explain: 'etcd3 tries a failed call up to 4 times (1 attempt and 3 retries), each attempt with a fresh deadline from defaultCallOptions; '
        + 'against one hung member its circuit breaker stops it after 3. Keep the deadline around 1 s so that 3 to 4 of them fit.',
    });
    ctx.note(`gave up on the hung member after ${(outcome.value.ms / 1000).toFixed(1)} s (${outcome.value.error?.name})`);
    await ctx.student.probe('close', [client]);
  } finally {
    await hung.close();
  }
}

/** connect()'s client, used again well after connect(): a deadline computed once has passed by now. */
async function expectWorksLater(ctx: CheckContext, client: HandleRef, connectedAt: number): Promise<void> {
  const late = await ctx.student.probe<Trip>('timedGet', [client, '/lab01/late'], { timeoutMs: 9000 });
  const after = `${((performance.now() - connectedAt) / 1000).toFixed(1)} s after connect()`;
  if (late.ok && late.value.ok) return;
  const error = late.ok ? late.value.error : { name: 'the get', message: ctx.student.explain('the get', late) };
  // At once, on a deadline: it had passed before the call began (gRPC says "after 0.00Xs").
  const fixed = late.ok && etcdErrorKind(error) === 'deadline' && (deadlineAlreadyPassed(error) || late.value.ms < 500);
  throw new CheckFailure(`a get through connect()'s client ${after} failed${fixed ? ` at once (${late.value.ms} ms) with "deadline exceeded"` : ''}, although every member was up`, {
    expected: 'the get succeeds: the members answer at once',
    actual: said(error),
    explain: fixed
      ? 'Its deadline had passed before the call began: it was computed once, when connect() ran (defaultCallOptions: { deadline: Date.now() + … } is an object, evaluated once). '
        + 'Make defaultCallOptions a function, (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 1000 }): etcd3 calls it for every call.'
      : 'A client must keep working for as long as it is used. Likely causes: a deadline computed once at connect() (defaultCallOptions must be a function), or a client that was closed.',
  });
}

const checks: LabChecks = {
  async 'connect-uses-endpoints'(ctx) {
    if (ctx.target.tls || ctx.target.auth) {
      // connect(endpoints) has no certificates or password to offer (lab 11 adds them).
      throw new CheckSkipped('this cluster wants TLS or a password, and connect() takes only endpoints: run lab 1 on your own machine for this check');
    }
    // A dead endpoint first, then live ones: a client of the first endpoint alone cannot pass.
    const dead = await refusedEndpoint();
    const endpoints = [dead, ...ctx.rng.sample(ctx.target.endpoints, ctx.rng.int(1, ctx.target.endpoints.length))];
    const client = await connect(ctx, endpoints);
    // Only an endpoint where nothing listens, while the first client is still open: a client that
    // works anyway ignores its argument (or is the first one again, kept from the call before).
    const other = await connect(ctx, [dead]);
    try {
      const key = `/lab01/${ctx.rng.token()}`;
      const written = value(ctx.rng);
      const trip = await roundTrip(ctx, client, key, written);
      expect(trip.ok, `a put and a get through the client from connect(${show(endpoints)}) failed`, {
        expected: `both succeed: ${dead} refuses connections (a member that is down), the endpoints after it are live members`,
        actual: said(trip.error),
        explain: 'Give etcd3 the whole list (new Etcd3({ hosts: endpoints })): it moves on to another endpoint when one fails. '
          + 'A client of endpoints[0] alone, or one that stops at the first endpoint\'s failure, fails here.',
      });
      const stored = await ctx.kv.get(key).string();
      expect(stored === written, `the client from connect(${show(endpoints)}) wrote to some other cluster`, {
        expected: `${key} = ${show(written)} on that cluster`, actual: stored === null ? 'the key is not there' : show(stored),
        explain: 'Pass the endpoints you are given to new Etcd3({ hosts: endpoints }); do not hard-code 127.0.0.1:2379.',
      });
      const wrong = await roundTrip(ctx, other, key, 'x');
      expect(!wrong.ok, `connect([${show(dead)}]) gave a client that still reached a cluster: it does not use (only) the endpoints it is given`, {
        expected: `every call fails: nothing listens at ${dead}`,
        explain: 'Build a new Etcd3 for the endpoints of each call, and only those: no endpoint of your own added "as a fallback", no client kept from an earlier call.',
      });
    } finally {
      await ctx.student.probe('close', [client]);
      await ctx.student.probe('close', [other]);
    }
  },

  async 'connect-deadline'(ctx) {
    if (ctx.target.tls || ctx.target.auth) {
      // connect(endpoints) reaches no secured member: only the hung member (no TLS, no login) can be tried here.
      await expectGivesUpOnHungMember(ctx);
      throw new CheckSkipped('this cluster wants TLS or a password, and connect() takes only endpoints: the hung member was tried (passed), the watch and the late call need lab 1 on your own machine');
    }
    // A client of the live members, with a watch open on it through the whole check: streams must keep no deadline.
    const client = await connect(ctx, ctx.target.endpoints);
    const connectedAt = performance.now();
    const key = `/lab01/watched-${ctx.rng.token()}`;
    const watch = await openWatch(ctx, client, key);
    try {
      await expectGivesUpOnHungMember(ctx);
      await sleep(Math.max(0, connectedAt + LATE_USE_MS - performance.now()));
      await expectWorksLater(ctx, client, connectedAt);
      const openFor = `${((performance.now() - connectedAt) / 1000).toFixed(1)} s`;
      await ctx.kv.put(key).value(value(ctx.rng)).exec();
      const seenIn = await waitFor(() => watch.puts > 0, 3000);
      expect(watch.disconnects.length === 0, `a watch opened through connect()'s client was cut ${times(watch.disconnects)} in ${openFor}, although every member was up`, {
        expected: 'the watch stays connected: a stream lives as long as it is used',
        actual: `disconnected ${times(watch.disconnects)}${seenIn === undefined ? ', and it saw no event for a put at the end' : ''}`,
        explain: 'Streams got a deadline too: a deadline ends a watch (and a lease\'s keepalive) when it passes. '
          + 'defaultCallOptions is called with ctx.isStream: return {} for streams, (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 1000 }).',
      });
      expect(seenIn !== undefined, `a watch opened through connect()'s client saw no event for a put made ${openFor} after connect()`, {
        expected: 'the put arrives as an event within 3 s',
        explain: 'The watch was never disconnected, yet delivered nothing: does connect() return a client that keeps working?',
      });
      ctx.note(`the client worked ${openFor} after connect(); its watch stayed connected`);
    } finally {
      await watch.close();
      await ctx.student.probe('close', [client]);
    }
  },

  async 'describe-members'(ctx) {
    const truth = await memberList(ctx.target);
    const result = await describe(ctx);
    const byId = new Map(result.members.map((m) => [String(m.id), m]));
    for (const member of truth) {
      const got = byId.get(member.id) ?? result.members.find((m) => m.name === member.name);
      expect(got, `member ${member.name} (id ${member.id}) is missing`, { expected: truth.map((m) => m.name), actual: result.members.map((m) => m?.name) });
      expect(typeof got.id === 'string' && got.id === member.id, `member ${member.name} has id ${show(got.id)}, etcd says "${member.id}"`, {
        explain: typeof got.id === 'number' || String(got.id) !== member.id
          ? 'Member ids are 64-bit and arrive from etcd3 as decimal strings; a JavaScript number cannot hold them exactly. Keep the string.'
          : undefined,
      });
      expect(got.name === member.name, `the member with id ${member.id} is called ${show(member.name)}, you said ${show(got.name)}`);
      const urls = [...(got.clientUrls ?? [])].sort();
      expect(show(urls) === show([...member.clientUrls].sort()), `the clientUrls of member ${member.name} are wrong`, {
        expected: member.clientUrls, actual: got.clientUrls,
        explain: member.peerUrls.some((u) => urls.includes(u)) ? 'Those are peer URLs (member-to-member traffic); clients use clientURLs.' : undefined,
      });
    }
    expect(result.members.length === truth.length, `describeCluster() lists ${result.members.length} members, the cluster has ${truth.length}`, {
      expected: truth.map((m) => m.name), actual: result.members.map((m) => m.name),
    });
  },

  async 'describe-leader'(ctx) {
    const members = await memberList(ctx.target);
    const nameOf = (id: string) => members.find((m) => m.id === id)?.name ?? id;
    // Asked through a follower: the member that answers a status call is never the leader.
    const verify = async (round: string) => {
      const leader = await agreedLeader(ctx.target);
      const follower = await followerEndpoint(ctx, leader);
      const result = await describe(ctx, follower ? [follower] : undefined);
      const answered = follower ? members.find((m) => m.clientUrls.includes(follower)) : undefined;
      expect(result.leader === nameOf(leader), `${round}: describeCluster() says the leader is ${show(result.leader)}, but it is ${show(nameOf(leader))}`, {
        expected: nameOf(leader), actual: result.leader,
        explain: result.leader === leader
          ? 'That is the leader\'s id: the contract asks for its name.'
          : answered && result.leader === answered.name
            ? `${answered.name} is the member your client reached (status().header.member_id), not the leader: the leader's id is status().leader.`
            : follower ? `Your client reached only ${follower}, a follower. The leader's id is status().leader; find its name in the member list.` : undefined,
      });
    };
    if (!ctx.target.cluster) {
      await verify('leader');
      ctx.note('leadership was not moved: this cluster is not managed by the workbook');
      return;
    }
    let current = await agreedLeader(ctx.target);
    await verify(`leader ${nameOf(current)}`);
    for (const round of [1, 2]) {
      const next = ctx.rng.pick(members.filter((m) => m.id !== current));
      await moveLeader(ctx.target, next.id);
      current = next.id;
      await verify(`after moving leadership to ${next.name} (move ${round})`);
    }
    ctx.note('leadership moved twice; describeCluster() followed it, asked through a follower each time');
  },
};

export default checks;
