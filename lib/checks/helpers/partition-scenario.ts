/**
 * Lab 14's scenario, played once per run and read by every check.
 *
 * 5 members; the leader is moved to one of the two that will be cut off, so
 * the partition {3 | 2} leaves the old leader on the minority side, the
 * interesting case. The majority writes, both sides are read, the network
 * heals, everyone is read again.
 *
 * Two kinds of evidence are kept:
 * - what happened, measured by the runner itself (members' status, its own
 *   single-attempt calls): the truth the predictions are compared with;
 * - what the student's reads returned at each step, with what etcd held
 *   there at that moment: what the code checks judge.
 */
import type { Etcd3 } from 'etcd3';
import { memberStatus, moveLeader } from '../../cluster/inspect.ts';
import type { FaultyCluster } from '../../faults/faulty-cluster.ts';
import type { CheckContext } from '../../runner/context.ts';
import { Random } from '../../runner/random.ts';
import { sleep, waitFor } from './time.ts';
import type { CallOutcome } from '../../sandbox/sandbox.ts';
import type { ClientArg } from '../../sandbox/protocol.ts';
import { currentLeader, faultyLabCluster } from './faulty-lab-cluster.ts';
import { openClient } from '../../connection/client.ts';

export type ReadFn = 'readLinearizable' | 'readSerializable';

/** What a read must do: return this value (null: no such key), or reject (no quorum). */
export type Expected = { value: string | null } | { reject: true };

export interface Read {
  fn: ReadFn;
  member: string;
  key: string;
  /** When and where, for messages: 'before the partition', 'on the minority side (n4, n5), …'. */
  where: string;
  expected: Expected;
  outcome: CallOutcome;
  /** The requests the call sent through its client (probe rpcs; etcd3's own Auth.* left out), when the lab process could say. */
  requests?: string[];
}

export interface Observation {
  happened: boolean;
  /** What the runner saw, with figures: "stepped down after 0.8 s". */
  detail: string;
}

export interface Scenario {
  /** False when nothing asked for it: no prediction recorded and both reads still TODO (no cluster was started). */
  played: boolean;
  majority: string[];
  minority: string[];
  oldLeader: string;
  reads: Record<'before' | 'majority' | 'minoritySerializable' | 'minorityLinearizable' | 'healed', Read[]>;
  /** Keyed by the catalog's prediction ids. */
  observed: Record<string, Observation>;
  /** What setting the scene took beyond the plan (a leadership that would not move, a cut made again). */
  setup: string[];
}

/**
 * A linearizable read on the minority must give up within this (etcd itself
 * says "request timed out" after ~6 s, 3 times). The contract's own figure
 * (the stub says "within 5 s"); the solution gives up after ~1 s, 1.0-1.6 s
 * with both cores busy: the margin is wide.
 */
export const LINEARIZABLE_GIVE_UP_MS = 5000;
/**
 * A serializable read that has not answered after this is waiting for
 * something (a quorum the minority does not have): the lab process is
 * stopped. Not a speed limit: the solution answers in milliseconds, ~100 ms
 * at worst with both cores busy. Whether the read asked only its own member
 * is judged by the requests it sent, not by time.
 */
export const SERIALIZABLE_HANG_MS = 5000;
/** How long the runner's own minority write and linearizable read may take before they count as failed. */
const PROBE_MS = 2000;
/** How long into the partition the old leader's leadership and the minority's terms are judged. */
const JUDGE_AFTER_MS = 3000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The scenario, played by whichever check needs it first. */
export function partitionScenario(ctx: CheckContext): Promise<Scenario> {
  return ctx.once('partition-scenario', () => play(ctx));
}

/** The runner's own call to one member: one attempt, no retry on another member. */
async function probe<T>(cluster: FaultyCluster, member: string, work: (client: Etcd3) => Promise<T>, ms = PROBE_MS): Promise<{ ok: true; value: T; ms: number } | { ok: false; error: string; ms: number }> {
  const client = openClient({ endpoints: [cluster.endpoint(member)] }, { deadlineMs: ms, singleAttempt: true });
  const began = performance.now();
  try {
    const value = await work(client);
    return { ok: true, value, ms: performance.now() - began };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0], ms: performance.now() - began };
  } finally {
    client.close();
  }
}

/**
 * A lab file with nothing to show yet (no prediction marked, both reads still
 * TODO) needs no cluster: the reads are called with a client of a port nobody
 * listens on, and their TODOs are the whole story.
 */
async function untouched(ctx: CheckContext): Promise<Scenario | undefined> {
  if (await recordedPredictions(ctx)) return undefined;
  const client = ctx.clientFor(['http://127.0.0.1:1'], { deadlineMs: 500, label: 'nowhere' });
  const reads: Read[] = [];
  for (const fn of ['readLinearizable', 'readSerializable'] as const) {
    const outcome = await ctx.student.attempt(fn, [client, '/lab14/x'], { timeoutMs: 3000 });
    if (outcome.ok || outcome.kind !== 'threw' || !outcome.error.todo) return undefined;
    reads.push({ fn, member: '-', key: '/lab14/x', where: 'before the partition', expected: { value: null }, outcome });
  }
  return {
    played: false, majority: [], minority: [], oldLeader: '', observed: {}, setup: [],
    reads: { before: reads, majority: [], minoritySerializable: [], minorityLinearizable: [], healed: [] },
  };
}

/**
 * The scene could not be set (no leader, leadership that would not move or
 * kept changing, a write that did not reach a member): the runner's cluster,
 * not the student's code. The check says so instead of judging the reads.
 */
function sceneFailed(reason: string): Error {
  return new Error(`the lab's own 5 members could not play the partition: ${reason}. The environment failed here, not your code: run the lab again`);
}

/**
 * Moves the leadership to `wanted`, a few tries (under load a move can time
 * out, or race an election: "not leader"); then whoever leads, once every
 * member agrees, with its term. The caller cuts off whoever that is.
 */
async function placeLeader(cluster: FaultyCluster, wanted: string): Promise<{ leader: string; term: string }> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const id = (await memberStatus(cluster.endpoint(wanted), 1000)).id;
      if (!id) throw new Error(`${wanted} does not answer`);
      await moveLeader(cluster.endpoints, id);
      break;
    } catch {
      await sleep(300 * attempt);
    }
  }
  const leader = await currentLeader(cluster, 10_000).catch(() => undefined);
  if (!leader) throw sceneFailed('the members did not agree on a leader within 10 s');
  const term = (await memberStatus(cluster.endpoint(leader), 1000)).raftTerm;
  if (!term) throw sceneFailed(`the leader, ${leader}, did not answer`);
  return { leader, term };
}

interface Cut {
  oldLeader: string;
  follower: string;
  minority: string[];
  majority: string[];
  partitionedAt: number;
  termsBefore: Record<string, string | undefined>;
}

/**
 * Cuts {3 | 2} with the leader on the side of 2. The leader is read before
 * the cut and checked right after it (same term: no election came in
 * between); if an election did come in between, the network heals and the
 * cut is made again.
 */
async function cutWithLeaderOnMinority(cluster: FaultyCluster, rng: Random, setup: string[], beforeCut: (minority: string[]) => Promise<void>): Promise<Cut> {
  const [wanted, other] = rng.shuffle(cluster.names);
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { leader, term } = await placeLeader(cluster, wanted);
    if (leader !== wanted) setup.push(`the leadership did not move to ${wanted}: ${leader}, the leader, was cut off instead`);
    const follower = leader === other ? wanted : other;
    const minority = [leader, follower];
    const majority = cluster.names.filter((n) => !minority.includes(n));
    await beforeCut(minority);
    const termsBefore = await terms(cluster, minority);
    cluster.partition([majority, minority]);
    const partitionedAt = performance.now();
    const after = await memberStatus(cluster.endpoint(leader), 1000);
    if (after.raftTerm === term) return { oldLeader: leader, follower, minority, majority, partitionedAt, termsBefore };
    setup.push(`an election came between finding the leader and the cut (${leader}: term ${term} → ${after.raftTerm ?? 'no answer'}): healed and cut again`);
    cluster.heal();
    await cluster.converged(15_000);
  }
  throw sceneFailed('the leadership kept changing while the network was being cut (3 tries)');
}

async function play(ctx: CheckContext): Promise<Scenario> {
  const stub = await untouched(ctx);
  if (stub) return stub;
  try {
    return await playPartition(ctx);
  } catch (error) {
    const message = (error as Error).message;
    throw message.startsWith('the lab\'s own 5 members') ? error : sceneFailed(message);
  }
}

async function playPartition(ctx: CheckContext): Promise<Scenario> {
  const rng = new Random(ctx.seed, 'partition-scenario');
  const cluster = await faultyLabCluster(ctx, 5, 29000);
  const word = () => rng.token(6);
  const keys = { value: `/lab14/${word()}`, deleted: `/lab14/${word()}`, absent: `/lab14/${word()}` };
  const before = { value: `before-${word()}`, deleted: `doomed-${word()}` };
  const during = `during-${word()}`;
  const scenario: Scenario = {
    played: false, majority: [], minority: [], oldLeader: '', observed: {}, setup: [],
    reads: { before: [], majority: [], minoritySerializable: [], minorityLinearizable: [], healed: [] },
  };

  // The student's read functions, each call through a client of one member (a label per member and phase),
  // connected beforehand: the call's own time is its request, not a TCP and HTTP/2 handshake on a busy machine.
  // The minority's clients connect before the cut (a connection made during it would need no quorum, but the
  // warm-up read does).
  let labels = 0;
  const ready = new Map<string, ClientArg[]>();
  const warmUp = async (member: string, count: number) => {
    for (let i = 0; i < count; i++) {
      const client = ctx.clientFor([cluster.endpoint(member)], { label: `${member}-${labels++}` });
      await ctx.student.probe('timedGet', [client, '/lab14/warm-up'], { timeoutMs: 5000 });
      await ctx.student.probe('rpcs', [client], { timeoutMs: 3000 });
      ready.set(member, [...(ready.get(member) ?? []), client]);
    }
  };
  const clientOf = async (member: string): Promise<ClientArg> => {
    if (!ready.get(member)?.length) await warmUp(member, 1);
    return ready.get(member)!.shift()!;
  };
  const read = async (fn: ReadFn, member: string, key: string, where: string, expected: Expected, timeoutMs = 5000): Promise<Read> => {
    const client = await clientOf(member);
    const outcome = await ctx.student.attempt(fn, [client, key], { timeoutMs });
    // A lab process stopped for hanging has lost its clients: then nobody can say what was sent.
    const sent = outcome.ok || outcome.kind === 'threw' ? await ctx.student.probe<string[]>('rpcs', [client], { timeoutMs: 3000 }) : undefined;
    const requests = sent?.ok ? sent.value.filter((r) => !r.startsWith('Auth.')) : undefined;
    return { fn, member, key, where, expected, outcome, requests };
  };

  const all = openClient({ endpoints: cluster.endpoints }, { deadlineMs: 3000 });
  try {
    // Data, with decoys next to the keys the reads ask for.
    await all.put(keys.value).value(before.value).exec();
    await all.put(keys.deleted).value(before.deleted).exec();
    await all.put(`${keys.value}0`).value(`decoy-${word()}`).exec();
    await all.put(`${keys.value}/shadow`).value(`decoy-${word()}`).exec();
    await cluster.converged(10_000);

    const beforeWhere = 'before the partition';
    const [first, second] = rng.sample(cluster.names, 2);
    scenario.reads.before.push(await read('readLinearizable', first, keys.value, beforeWhere, { value: before.value }));
    scenario.reads.before.push(await read('readSerializable', second, keys.value, beforeWhere, { value: before.value }));
    scenario.played = true;

    // The leader goes to the side that will be cut off.
    const { oldLeader, follower, minority, majority, partitionedAt, termsBefore } = await cutWithLeaderOnMinority(cluster, rng, scenario.setup, async (side) => {
      for (const member of side) await warmUp(member, 2 - (ready.get(member)?.length ?? 0));
    });
    Object.assign(scenario, { oldLeader, minority, majority });
    const reader = rng.pick(majority);

    // The majority elects a leader of its own (or does not).
    const newLeader = await currentLeader(cluster, 10_000, majority).catch(() => undefined);
    const electedMs = performance.now() - partitionedAt;
    scenario.observed.majorityElectsLeader = newLeader
      ? { happened: true, detail: `${newLeader} was elected after ${seconds(electedMs)}` }
      : { happened: false, detail: `no leader among ${majority.join(', ')} after ${seconds(electedMs)}` };
    if (!newLeader) throw sceneFailed(`the majority side (${majority.join(', ')}) elected no leader within 10 s`);

    // The majority writes: a new value, and a key deleted.
    const majorityClient = openClient({ endpoints: majority.map((n) => cluster.endpoint(n)) }, { deadlineMs: 3000 });
    try {
      await majorityClient.put(keys.value).value(during).exec();
      await majorityClient.delete().key(keys.deleted).exec();
    } finally {
      majorityClient.close();
    }
    // A serializable read on a follower answers once that follower has applied the write: wait for it.
    const applied = await waitFor(async () => {
      const seen = await probe(cluster, reader, (c) => c.get(keys.value).serializable(true).string(), 500);
      return seen.ok && seen.value === during;
    }, 5000);
    if (applied === undefined) throw sceneFailed(`the majority's write did not reach ${reader} within 5 s`);
    const majorityWhere = `on the majority side (${majority.join(', ')}), after it wrote ${JSON.stringify(during)} and deleted ${keys.deleted}`;
    scenario.reads.majority.push(await read('readLinearizable', reader, keys.value, majorityWhere, { value: during }));
    scenario.reads.majority.push(await read('readSerializable', reader, keys.value, majorityWhere, { value: during }));
    scenario.reads.majority.push(await read('readLinearizable', reader, keys.deleted, majorityWhere, { value: null }));
    scenario.reads.majority.push(await read('readSerializable', reader, keys.absent, majorityWhere, { value: null }));

    // Does the old leader know it is cut off? (CheckQuorum: it should step down within an election timeout or two.)
    const steppedDown = await waitFor(async () => (await memberStatus(cluster.endpoint(oldLeader), 500)).isLeader === false, Math.max(0, partitionedAt + JUDGE_AFTER_MS - performance.now()));
    scenario.observed.oldLeaderStaysLeader = steppedDown === undefined
      ? { happened: true, detail: `${oldLeader} still said it was leader ${seconds(JUDGE_AFTER_MS)} into the partition` }
      : { happened: false, detail: `${oldLeader} stepped down ${seconds(performance.now() - partitionedAt)} into the partition` };

    // The runner's own evidence on the minority side: a write, a linearizable and a serializable read,
    // while the student's serializable reads run.
    const minorityKey = `/lab14/${word()}/written-during-partition`;
    const write = probe(cluster, follower, (c) => c.put(minorityKey).value('maybe').exec());
    const linearizable = probe(cluster, follower, (c) => c.get(keys.value).string());
    const serializable = await probe(cluster, follower, (c) => c.get(keys.value).serializable(true).string());
    const minorityWhere = `on the minority side (${minority.join(', ')}), cut off from the majority`;
    // First the same key on the majority side, then at once on the minority: a value remembered
    // across calls (a cache shared by the clients, however short-lived) answers wrong on one side.
    scenario.reads.minoritySerializable.push(await read('readSerializable', reader, keys.value, `on the majority side (${majority.join(', ')}), just before the minority's reads`, { value: during }));
    // In parallel, the minority's reads: one that hangs gets the lab process stopped (and the other
    // then reads as "exited"; the checks judge reads in order, so the one that hung is named).
    scenario.reads.minoritySerializable.push(...await Promise.all([
      read('readSerializable', follower, keys.value, minorityWhere, { value: before.value }, SERIALIZABLE_HANG_MS),
      read('readSerializable', oldLeader, keys.deleted, minorityWhere, { value: before.deleted }, SERIALIZABLE_HANG_MS),
    ]));
    // Linearizable reads last: the slow ones.
    scenario.reads.minorityLinearizable.push(...await Promise.all([
      read('readLinearizable', follower, keys.value, minorityWhere, { reject: true }, LINEARIZABLE_GIVE_UP_MS + 2000),
      read('readLinearizable', oldLeader, keys.value, minorityWhere, { reject: true }, LINEARIZABLE_GIVE_UP_MS + 2000),
    ]));
    const [wrote, linear] = await Promise.all([write, linearizable]);
    scenario.observed.minorityCanWrite = wrote.ok
      ? { happened: true, detail: `a put through ${follower} succeeded in ${seconds(wrote.ms)}` }
      : { happened: false, detail: `a put through ${follower} got no answer within ${seconds(PROBE_MS)}` };
    scenario.observed.minorityServesLinearizableReads = linear.ok
      ? { happened: true, detail: `${follower} answered ${JSON.stringify(linear.value)}` }
      : { happened: false, detail: `${follower} gave no answer within ${seconds(PROBE_MS)}` };
    scenario.observed.minorityServesSerializableReads = serializable.ok
      ? { happened: true, detail: `${follower} answered in ${Math.round(serializable.ms)} ms` }
      : { happened: false, detail: `${follower} did not answer (${serializable.error})` };
    scenario.observed.minoritySeesMajorityWrites = serializable.ok && serializable.value === during
      ? { happened: true, detail: `${follower} answered ${JSON.stringify(during)}, the majority's new value` }
      : { happened: false, detail: `${follower} answered ${JSON.stringify(serializable.ok ? serializable.value : undefined)}, the value from before; the majority had written ${JSON.stringify(during)}` };

    // A member's status gives the term of the last entry it applied, which a cut-off member never
    // changes, whatever its own term does: what the minority did shows once the network heals.
    // A minority whose term rose forces the majority's leader to step down; one that kept it, does not.
    await sleep(Math.max(0, partitionedAt + JUDGE_AFTER_MS - performance.now()));
    const majorityTerm = (await memberStatus(cluster.endpoint(newLeader), 1000)).raftTerm;
    const cutFor = performance.now() - partitionedAt;

    cluster.heal();
    const healedAt = performance.now();
    await cluster.converged(15_000);
    const convergedMs = performance.now() - healedAt;
    const healedLeader = await currentLeader(cluster, 10_000).catch(() => undefined);
    const healedTerm = healedLeader && (await memberStatus(cluster.endpoint(healedLeader), 1000)).raftTerm;
    const rose = majorityTerm !== undefined && healedTerm !== undefined && BigInt(healedTerm) > BigInt(majorityTerm);
    scenario.observed.minorityTermKeepsRising = rose
      ? { happened: true, detail: `cut off for ${seconds(cutFor)}; after the heal the cluster moved from term ${majorityTerm} (the majority's) to ${healedTerm}: the cut-off members had raised theirs and forced an election` }
      : { happened: false, detail: `cut off for ${seconds(cutFor)}; after the heal the cluster stayed at term ${majorityTerm ?? '?'}, the majority's: the cut-off members had not raised theirs (before the cut: ${minority.map((n) => `${n} ${termsBefore[n]}`).join(', ')})` };
    const healedWhere = `after the partition healed (all 5 members have the same data again)`;
    scenario.reads.healed.push(await read('readLinearizable', oldLeader, keys.value, healedWhere, { value: during }));
    scenario.reads.healed.push(await read('readSerializable', follower, keys.value, healedWhere, { value: during }));
    scenario.reads.healed.push(await read('readSerializable', oldLeader, keys.deleted, healedWhere, { value: null }));

    // The write that timed out: was it dropped, or held and committed after the heal?
    const kept = wrote.ok ? undefined : await all.get(minorityKey).string();
    scenario.observed.timedOutWriteIsLost = wrote.ok
      ? { happened: false, detail: 'the minority write did not time out this time' }
      : kept === null
        ? { happened: true, detail: `${minorityKey} is not there after the heal: etcd dropped it` }
        : { happened: false, detail: `${minorityKey} is there: etcd held the write and committed it once the partition healed (all members agreed ${seconds(convergedMs)} later), although the client had given up` };
    return scenario;
  } finally {
    all.close();
    cluster.heal();
  }
}

async function terms(cluster: FaultyCluster, names: string[]): Promise<Record<string, string | undefined>> {
  const statuses = await Promise.all(names.map((n) => memberStatus(cluster.endpoint(n), 1000)));
  return Object.fromEntries(names.map((n, i) => [n, statuses[i].raftTerm]));
}

/** True when the lab file exports predictions with at least one of them marked. */
async function recordedPredictions(ctx: CheckContext): Promise<boolean> {
  const outcome = await ctx.student.attempt<Record<string, unknown>>('predictions', [], { timeoutMs: 5000 });
  return outcome.ok && !!outcome.value && Object.values(outcome.value).some((v) => typeof v === 'boolean');
}
