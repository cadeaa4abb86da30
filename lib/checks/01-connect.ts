/**
 * Lab 01 checks: connect() and describeCluster().
 *
 * The truth is read from the members themselves. Leadership is moved on
 * purpose (on a cluster the workbook manages) so a leader that was guessed
 * or hard-coded cannot pass.
 */
import { agreedLeader, memberList, moveLeader } from '../cluster/inspect.ts';
import type { ClusterDescription } from '../kit.ts';
import type { HandleRef } from '../sandbox/protocol.ts';
import { isHandleRef } from '../sandbox/protocol.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { value } from './helpers/data.ts';
import { CheckFailure, CheckSkipped, expect, show } from '../runner/failure.ts';
import { hungEndpoint, refusedEndpoint } from './helpers/unreachable.ts';

async function connect(ctx: CheckContext, endpoints: string[]): Promise<HandleRef> {
  const client = await ctx.student.call<unknown>('connect', [endpoints]);
  expect(isHandleRef(client), `connect() must return an etcd3 client (new Etcd3(...)), it returned ${show(client)}`);
  const kind = await ctx.student.probe<{ kind: string; hasKvApi: boolean }>('describe', [client]);
  expect(kind.ok && kind.value.hasKvApi, `connect() must return an etcd3 client (new Etcd3(...)), it returned a ${kind.ok ? kind.value.kind : 'value'} without get() and put()`);
  return client;
}

async function describe(ctx: CheckContext): Promise<ClusterDescription> {
  // Membership and status are cluster-wide: the client has no namespace.
  const result = await ctx.student.call<ClusterDescription>('describeCluster', [ctx.client({ namespace: undefined })]);
  expect(result && Array.isArray(result.members) && typeof result.leader === 'string',
    'describeCluster() must resolve to { members: [...], leader: string }', { actual: result });
  return result;
}

const checks: LabChecks = {
  async 'connect-uses-endpoints'(ctx) {
    if (ctx.target.tls || ctx.target.auth) {
      // connect(endpoints) has no certificates or password to offer (lab 11 adds them).
      throw new CheckSkipped('this cluster wants TLS or a password, and connect() takes only endpoints: run lab 1 on your own machine for this check');
    }
    const endpoints = ctx.rng.sample(ctx.target.endpoints, ctx.rng.int(1, ctx.target.endpoints.length));
    const client = await connect(ctx, endpoints);
    const key = `/lab01/${ctx.rng.token()}`;
    const written = value(ctx.rng);
    const trip = await ctx.student.probe<{ ok: boolean; value?: string; error?: { message: string } }>(
      'roundTrip', [client, ctx.target.namespace + key, written]);
    expect(trip.ok && trip.value.ok, `a put and a get through the client from connect(${show(endpoints)}) failed`, {
      actual: trip.ok ? trip.value.error?.message : ctx.student.explain('the put/get', trip),
    });
    const stored = await ctx.kv.get(key).string();
    expect(stored === written, `the client from connect(${show(endpoints)}) wrote to some other cluster`, {
      expected: `${key} = ${show(written)} on that cluster`, actual: stored === null ? 'the key is not there' : show(stored),
      explain: 'Pass the endpoints you are given to new Etcd3({ hosts: endpoints }); do not hard-code 127.0.0.1:2379.',
    });
    await ctx.student.probe('close', [client]);

    // Only an endpoint where nothing listens: a client that works anyway ignores its argument.
    const refused = await refusedEndpoint();
    const other = await connect(ctx, [refused]);
    const wrong = await ctx.student.probe<{ ok: boolean }>('roundTrip', [other, ctx.target.namespace + key, 'x'], { timeoutMs: 8000 });
    expect(!(wrong.ok && wrong.value.ok), `connect([${show(refused)}]) gave a client that still reached a cluster: it does not use the endpoints it is given`);
    await ctx.student.probe('close', [other]);
  },

  async 'connect-deadline'(ctx) {
    const hung = await hungEndpoint();
    try {
      const client = await connect(ctx, [hung.endpoint]);
      const limitMs = 5000;
      const outcome = await ctx.student.probe<{ ok: boolean; ms: number; error?: { name: string } }>('timedGet', [client, '/lab01/probe'], { timeoutMs: 9000 });
      if (!outcome.ok) {
        throw new CheckFailure('a get through your client to a member that accepts connections but never answers was still waiting after 9 s', {
          expected: `the call rejects within ${limitMs / 1000} s`,
          actual: 'it waits forever (etcd3 ignores dialTimeout; a call has no deadline unless you give it one)',
          explain: 'Give the client defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 1000 }).',
        });
      }
      expect(!outcome.value.ok, 'a get through your client to a member that never answers succeeded?!', { actual: outcome.value });
      expect(outcome.value.ms <= limitMs, `the get gave up only after ${(outcome.value.ms / 1000).toFixed(1)} s`, {
        expected: `at most ${limitMs / 1000} s`, actual: `${outcome.value.ms} ms (${outcome.value.error?.name})`,
        explain: 'etcd3 retries a failed call up to 3 times, each attempt with a fresh deadline from defaultCallOptions: 3 × your deadline must fit.',
      });
      ctx.note(`gave up on the hung member after ${(outcome.value.ms / 1000).toFixed(1)} s (${outcome.value.error?.name})`);
      await ctx.student.probe('close', [client]);
    } finally {
      await hung.close();
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
      expect(show(urls) === show([...member.clientUrls].sort()), `${member.name}'s clientUrls are wrong`, {
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
    const verify = async (round: string) => {
      const leader = await agreedLeader(ctx.target);
      const result = await describe(ctx);
      expect(result.leader === nameOf(leader), `${round}: describeCluster() says the leader is ${show(result.leader)}, but it is ${show(nameOf(leader))}`, {
        explain: result.leader === leader ? 'That is the leader\'s id: the contract asks for its name.' : undefined,
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
    ctx.note('leadership moved twice; describeCluster() followed it');
  },
};

export default checks;
