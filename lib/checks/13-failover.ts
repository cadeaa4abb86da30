/**
 * Lab 13 checks: findLeader() and putWithFailover() on a 3-member cluster
 * whose leader the checks freeze and kill (SIGSTOP, SIGKILL) while the
 * student's code writes.
 *
 * The truth is what the members say about themselves; a leader that was
 * guessed cannot pass, because leadership is moved and the leader killed.
 * Where state can decide, it does: when the fake members that never answer
 * were asked (at once, or one after another), whether the client's circuit
 * breaker was open when a call gave up (a get through the same client), and
 * when the runner saw the new leader elected.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { memberStatus, moveLeader } from '../cluster/inspect.ts';
import { classifyEtcdError } from '../connection/etcd-errors.ts';
import type { FaultyCluster } from '../faults/faulty-cluster.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { describeThrown, threwOwnError } from '../runner/student.ts';
import type { TimedOutcome } from '../sandbox/probes.ts';
import type { ClientArg, ThrownError } from '../sandbox/protocol.ts';
import { type WatchedHungEndpoint, watchedHungEndpoint } from './helpers/unreachable.ts';
import { etcdErrorMeaning } from './helpers/etcd-error-text.ts';
import type { CallOutcome } from '../sandbox/sandbox.ts';
import { expectKitError } from './helpers/expect-error.ts';
import { currentLeader, faultyLabCluster } from './helpers/faulty-lab-cluster.ts';
import { openClient } from '../connection/client.ts';

/**
 * How long a call may take, from the freeze (or its start, if later): about 2 × the election
 * timeout, plus one attempt. The solution's slowest call: 0.7-1.1 s.
 */
const RESUME_LIMIT_MS = 2500;
/**
 * A call slower than RESUME_LIMIT_MS still passes if it ended within this long after the runner's
 * own write first went through the surviving members (an election slowed by a busy machine is not
 * the student's doing). A put that waits on the dead leader ends only at etcd's request timeout,
 * ~6 s after the freeze. The solution's calls end within ~0.4 s of it (one attempt, one pause).
 */
const AFTER_WRITABLE_MS = 1500;
/** The call sent right after the leader froze (its number in the report), and how long its put has to reach a follower. */
const FROZEN_CALL = 1000;
const FORWARD_MS = 100;
const FIND_LIMIT_MS = 2500;
/** The runner's own status call to the leader, slower than this, says the machine is too busy for findLeader()'s 1 s skip. */
const SLOW_STATUS_MS = 500;
/**
 * Two members that never answer, asked at once, get their connections within a few ms of each
 * other; asked one after another, a full second (the skip) apart. Half a second tells them apart
 * with both cores busy.
 */
const ONE_AFTER_ANOTHER_MS = 500;
/**
 * putWithFailover() rejects at its deadline: not before (a runner's clock only runs later than the
 * lab process's, so 50 ms covers Date.now()'s rounding), nor more than LATE_MS after it. The
 * solution: 0-20 ms late with the machine at a load of 16; a backoff not capped by the time left is
 * late by its last pause (0.7 s and more in the scenario below), a grace period by its length. At a
 * load of 25-28 (four people's runs on 2 cores) lab processes lag by up to 0.7 s: no verdict there.
 */
const EARLY_MS = 50;
const LATE_MS = 500;

/** A client for the student's code: no deadline (deadlines are the lesson), its own connections; every member unless `hosts` says. */
function studentClient(ctx: CheckContext, cluster: FaultyCluster, hosts = cluster.endpoints, label = ctx.check.id): ClientArg {
  return ctx.clientFor(hosts, { label });
}

async function memberId(cluster: FaultyCluster, name: string): Promise<string> {
  const status = await memberStatus(cluster.endpoint(name), 1000);
  if (!status.id) throw new Error(`${name} does not answer`);
  return status.id;
}

/**
 * When the cluster took writes again, by state: the runner's own puts through the surviving
 * members, one started every 100 ms (one member each, no retry, no circuit breaker, 2 s to
 * answer: a slow machine delays the answer, not the moment it is known), until one is answered.
 * performance.now() of the first answer, or undefined after `limitMs`.
 */
async function firstWriteThrough(endpoints: string[], limitMs: number): Promise<number | undefined> {
  const clients = endpoints.map((e) => openClient([e], { deadlineMs: 2000, singleAttempt: true }));
  const giveUpAt = performance.now() + limitMs;
  let answered: number | undefined;
  const attempts: Promise<void>[] = [];
  try {
    for (let i = 0; answered === undefined && performance.now() < giveUpAt; i++) {
      attempts.push(clients[i % clients.length].put('/lab13/runner-probe').value(String(i)).exec().then(
        () => void (answered ??= performance.now()),
        () => undefined,
      ));
      await sleep(100);
    }
    await Promise.all(attempts);
    return answered;
  } finally {
    for (const c of clients) c.close();
  }
}

async function storedWrites(cluster: FaultyCluster, dead: string): Promise<Map<string, string>> {
  const trusted = openClient({ endpoints: cluster.endpoints.filter((e) => e !== cluster.endpoint(dead)) }, { deadlineMs: 3000 });
  try {
    return new Map(Object.entries(await trusted.getAll().prefix('/lab13/w/').strings()));
  } finally {
    trusted.close();
  }
}

/**
 * Is the circuit breaker of the student's client open? A get through the same client (same
 * recipe, same Etcd3 in the lab process): BrokenCircuitError at once means every member of it is
 * refused. Asked right after a call gave up, it tells the breaker from the student's own logic.
 */
async function breakerOpen(ctx: CheckContext, client: ClientArg): Promise<boolean> {
  const get = await ctx.student.probe<TimedOutcome<string | null>>('timedGet', [client, '/lab13/probe'], { timeoutMs: 3000 });
  return get.ok && !get.value.ok && classifyEtcdError(get.value.error).kind === 'breaker-open';
}

const BREAKER = 'etcd3\'s circuit breaker refused every member of your client (BrokenCircuitError): it opens for 5 s after 3 failures in a row on a member. '
  + 'An attempt cut short with a gRPC deadline (.options({ deadline: Date.now() + 300 })) counts as up to 4 of them, since etcd3 retries it 3 times with the same, expired, deadline: '
  + 'cut each attempt short with a timer (Promise.race) instead, give the call itself a deadline longer than an election (say 5 s), and retry through a BrokenCircuitError until deadlineMs has passed.';

/** Why a call gave up, as far as the run showed: the breaker (seen through the client when the call rejected, or in the error), else the student's own loop. */
function whyItGaveUp(call: Call): string {
  const { outcome } = call;
  const text = !outcome.ok && outcome.kind === 'threw' ? `${outcome.error.name} ${outcome.error.message}` : '';
  if (classifyEtcdError(text).kind === 'breaker-open' || call.breakerOpen) return BREAKER;
  return 'Retry a failed attempt (a dead leader, an election in progress) until deadlineMs has passed, each attempt cut short after ~300 ms by a timer. '
    + 'Likely causes: no retry after the first error, or a loop that stops early (a count of attempts instead of the time left).';
}

/** A thrown error as the student reads it: an etcd3 error that leaked also says what it means. */
function said(error: ThrownError): string {
  const meaning = error.kitClass ? '' : etcdErrorMeaning(error);
  return `${describeThrown(error)}${meaning ? ` (${meaning})` : ''}`;
}

interface Call {
  i: number;
  start: number;
  end: number;
  outcome: CallOutcome;
  /** For a call that rejected: was its client's circuit breaker open right then (a get through it, at once)? */
  breakerOpen?: boolean;
  /** How many puts the call sent (probe rpcs): one means it waited on its first attempt throughout. */
  puts: number;
}

/** Lab 13's cluster: 3 members, client ports from 27000. */
const failoverCluster = (ctx: CheckContext) => faultyLabCluster(ctx, 3, 27000);

/** Two fake members that never answer, inserted before the leader: "the first endpoint" and "one after another" both fail. */
function endpointsAround(ctx: CheckContext, cluster: FaultyCluster, leader: string, hung: WatchedHungEndpoint[]): string[] {
  const truth = cluster.endpoint(leader);
  const members = ctx.rng.shuffle(cluster.endpoints.filter((e) => e !== truth));
  const at = ctx.rng.int(1, members.length);
  const before = members.slice(0, at);
  for (const h of hung) before.splice(ctx.rng.int(0, before.length), 0, h.endpoint);
  return [...before, truth, ...members.slice(at)];
}

/** The fake members' first connections since `marks`: asked at once, they arrive together. */
function expectAskedAtOnce(round: string, endpoints: string[], hung: WatchedHungEndpoint[], marks: number[]): void {
  const first = hung.map((h, i) => h.connectedAt[marks[i]]);
  if (first.some((t) => t === undefined)) return;
  const gapMs = Math.abs(first[1] - first[0]);
  const [a, b] = [...hung].sort((x, y) => endpoints.indexOf(x.endpoint) - endpoints.indexOf(y.endpoint)).map((h) => h.endpoint);
  expect(gapMs <= ONE_AFTER_ANOTHER_MS, `${round}: findLeader() asked the members one after another: it reached ${a} and ${b}, two members that never answer, ${(gapMs / 1000).toFixed(1)} s apart`, {
    expected: `every member asked at once (their connections within ${ONE_AFTER_ANOTHER_MS} ms of each other)`,
    actual: `${gapMs.toFixed(0)} ms between them`,
    explain: 'Asked one after another, each member that does not answer costs its full second before the next is asked: with three of them the question takes 3 s. '
      + 'Ask every endpoint at once (Promise.all over one client per endpoint), each raced against a 1 s timer.',
  });
}

async function leaderTerm(cluster: FaultyCluster, leader: string): Promise<string | undefined> {
  return (await memberStatus(cluster.endpoint(leader), 1000)).raftTerm;
}

/**
 * Why a wrong answer of findLeader() may not be the student's: an election
 * came (the term moved, or another member leads), or the leader answers a
 * status too slowly for a 1 s skip (a busy machine: etcd's own heartbeats
 * are 50 ms). Undefined when leadership stood still and the leader answers.
 */
async function leadershipDisturbed(cluster: FaultyCluster, leader: string, term: string | undefined): Promise<string | undefined> {
  const started = Date.now();
  const now = await leaderTerm(cluster, leader).catch(() => undefined);
  const tookMs = Date.now() - started;
  const agreed = await currentLeader(cluster).catch(() => undefined);
  if (agreed !== leader || now !== term) return `an election came (${leader}, term ${term} → ${agreed ?? 'no leader'}, term ${now ?? '?'})`;
  if (tookMs > SLOW_STATUS_MS) return `the leader took ${tookMs} ms to answer the runner's own status (a busy machine)`;
  return undefined;
}

/**
 * A retry loop that pauses after a failed attempt sends at most one put per
 * pause (the solution: 50 ms, so 36-48 puts in 1.8-2.4 s); one that does not
 * pause spins on the breaker's instant refusals: 6,000 puts in 1.9 s. One
 * put per 5 ms on average tells them apart, whatever the load (a pause of
 * 10 ms passes).
 */
const MIN_MS_PER_PUT = 5;

async function expectPauses(ctx: CheckContext, client: ClientArg, deadlineMs: number, situation: string): Promise<void> {
  const sent = await ctx.student.probe<number>('rpcCount', [client]);
  if (!sent.ok) return;
  expect(sent.value <= deadlineMs / MIN_MS_PER_PUT, `putWithFailover(…, ${deadlineMs}) ${situation} sent ${sent.value} requests before it gave up: it retried without pausing`, {
    expected: `a pause after each failed attempt: at most ${Math.floor(deadlineMs / MIN_MS_PER_PUT)} requests in ${deadlineMs / 1000} s (the reference sends about ${Math.round(deadlineMs / 50)})`,
    actual: `${sent.value} requests`,
    explain: 'A call that etcd3\'s circuit breaker refuses fails at once, so a loop without a pause spins, keeping the process busy and starving its timers. After a failed attempt, sleep a little (say 50 ms, never past the deadline).',
  });
}

const checks: LabChecks = {
  async 'find-leader'(ctx) {
    const cluster = await failoverCluster(ctx);
    const hung = [await watchedHungEndpoint(), await watchedHungEndpoint()];
    try {
      const verify = async (round: string) => {
        let leader: string;
        let truth: string;
        let endpoints: string[];
        let marks: number[];
        let outcome: CallOutcome;
        for (let tries = 1; ; tries++) {
          leader = await currentLeader(cluster);
          const term = await leaderTerm(cluster, leader);
          truth = cluster.endpoint(leader);
          endpoints = endpointsAround(ctx, cluster, leader, hung);
          marks = hung.map((h) => h.connectedAt.length);
          outcome = await ctx.student.attempt('findLeader', [endpoints], { timeoutMs: 6000 });
          if ((outcome.ok && outcome.value === truth) || tries >= 3) break;
          const disturbed = await leadershipDisturbed(cluster, leader, term);
          if (!disturbed) break;
          ctx.note(`${round}: ${disturbed} while findLeader() ran; asked again`);
        }
        if (!outcome.ok) throw ctx.student.failure('findLeader()', outcome, 6000);
        const { value, ms } = outcome;
        expect(value === truth, `${round}: findLeader(${show(endpoints)}) returned ${show(value)}, but the leader is ${leader} at ${truth}`, {
          expected: truth, actual: value,
          explain: typeof value === 'string' && /^\d+$/.test(value)
            ? 'That is a member id: return the endpoint (one of the strings you were given) of the member whose status says it is the leader.'
            : 'Ask every member for its status; the leader is the one whose `leader` equals its own `header.member_id`. Ask again on every call: leadership moves.',
        });
        expectAskedAtOnce(round, endpoints, hung, marks);
        expect(ms <= FIND_LIMIT_MS, `${round}: findLeader() took ${(ms / 1000).toFixed(1)} s`, {
          expected: `at most ${FIND_LIMIT_MS / 1000} s, with two members that never answer among the endpoints`,
          explain: 'Ask the members in parallel, each raced against a 1 s timer (etcd3 retries a failed call: bound the whole call, not just each attempt).',
        });
        return { leader, ms };
      };
      const first = await verify('with two members that never answer among the endpoints');
      const next = ctx.rng.pick(cluster.names.filter((n) => n !== first.leader));
      await moveLeader(cluster.endpoints, await memberId(cluster, next));
      const second = await verify(`after leadership moved from ${first.leader} to ${next}`);

      // The leader left out: the members that answer all follow a leader that is not among the endpoints.
      const leaderless = ctx.rng.shuffle([...cluster.endpoints.filter((e) => e !== cluster.endpoint(second.leader)), hung[0].endpoint]);
      const what = `findLeader(${show(leaderless)}), where the leader ${second.leader} is not among the endpoints`;
      const outcome = await ctx.student.attempt('findLeader', [leaderless], { timeoutMs: 6000 });
      if (!outcome.ok && outcome.kind === 'timeout') {
        throw new CheckFailure(`${what}, was still waiting after 6 s`, {
          expected: `a ClusterUnavailableError within ${FIND_LIMIT_MS / 1000} s`,
          explain: 'A member that never answers must be skipped after 1 s (a timer, since etcd3 retries a call by itself); then, when no member that answered is the leader, throw ClusterUnavailableError. '
            + 'Promise.any waits for the member that never answers when no other one resolves.',
        });
      }
      expectKitError(ctx, what, outcome, 'ClusterUnavailableError', 'when no member that answers is the leader, findLeader() must throw ClusterUnavailableError');
      expect(outcome.ms <= FIND_LIMIT_MS, `${what}, took ${(outcome.ms / 1000).toFixed(1)} s to throw ClusterUnavailableError`, {
        expected: `at most ${FIND_LIMIT_MS / 1000} s: 1 s for the member that never answers, and no more`,
      });
      ctx.note(`found ${first.leader} in ${(first.ms / 1000).toFixed(2)} s, then ${second.leader} in ${(second.ms / 1000).toFixed(2)} s; without the leader: ClusterUnavailableError in ${(outcome.ms / 1000).toFixed(2)} s`);
    } finally {
      await Promise.all(hung.map((h) => h.close()));
    }
  },

  async 'failover-write'(ctx) {
    const cluster = await failoverCluster(ctx);
    const leader = await currentLeader(cluster);
    // The client talks to the two members that survive. A put sent to a member that was SIGKILLed
    // fails at once (its connections are reset); the put that waits is one a follower forwarded to
    // the leader just before it died, until etcd's request timeout (~6 s). The writer's own call
    // may be answered through the election (the leader had passed it on before it stopped), so
    // the leader is frozen (SIGSTOP), one more call is sent at once, beside the writer's, and the
    // leader is killed a moment later: that call's put is forwarded to a leader that will never
    // answer it. A missing per-attempt deadline then always shows, however the run is scheduled.
    // That call has a client of its own: etcd3 refuses a member for 5 s after 3 failed calls in a
    // row (its circuit breaker), and two writers' timeouts on one client would add up to that.
    const followers = cluster.endpoints.filter((e) => e !== cluster.endpoint(leader));
    const client = studentClient(ctx, cluster, followers);
    const frozenClient = studentClient(ctx, cluster, followers, `${ctx.check.id}-after-freeze`);
    const clientOf = (i: number) => (i === FROZEN_CALL ? frozenClient : client);
    const calls: Call[] = [];
    let stopAt = Infinity;
    const call = async (i: number) => {
      const start = performance.now();
      const outcome = await ctx.student.attempt('putWithFailover', [clientOf(i), `/lab13/w/${i}`, `v${i}`, 5000], { timeoutMs: 9000 });
      const end = performance.now();
      // Asked at once: a breaker opened by the call's own attempts is still open (it stays so for 5 s).
      const breaker = threwOwnError(outcome) ? await breakerOpen(ctx, clientOf(i)) : undefined;
      const sent = await ctx.student.probe<string[]>('rpcs', [clientOf(i)]);
      calls.push({ i, start, end, outcome, breakerOpen: breaker, puts: sent.ok ? sent.value.filter((r) => r === 'KV.put').length : 0 });
      return outcome;
    };
    const writer = (async () => {
      for (let i = 0; performance.now() < stopAt; i++) {
        if (!(await call(i)).ok) return;
        await sleep(20);
      }
    })();
    await sleep(ctx.rng.int(400, 700));
    cluster.pause(leader);
    // From here on the leader is gone: waits and stalls are measured from the freeze.
    const frozenAt = performance.now();
    const afterFreeze = call(FROZEN_CALL);
    await sleep(FORWARD_MS);
    await cluster.kill(leader);
    stopAt = frozenAt + RESUME_LIMIT_MS + 1000;
    // The runner's own view of the election, shown to the student, and its own writes: when the
    // cluster took writes again (state, not a guess of how long an election takes) is the second limit.
    const electedIn = (async () => {
      const next = await currentLeader(cluster, 10_000).catch(() => undefined);
      return next ? { next, at: performance.now() } : undefined;
    })();
    const writableAt = firstWriteThrough(followers, 10_000);
    await Promise.all([writer, afterFreeze]);
    const [election, writable] = [await electedIn, await writableAt];
    const electionText = `${election ? `${election.next} elected after ~${((election.at - frozenAt) / 1000).toFixed(2)} s` : 'no new leader seen'}${writable ? `, writes went through again after ${((writable - frozenAt) / 1000).toFixed(2)} s` : ''}`;
    const name = (c: Call) => (c.i === FROZEN_CALL ? 'the call sent just after the leader froze' : `call ${c.i + 1}, started ${c.start < frozenAt ? 'before' : `${((c.start - frozenAt) / 1000).toFixed(1)} s after`} the freeze`);
    try {
      const failed = calls.find((c) => !c.outcome.ok);
      if (failed && !failed.outcome.ok) {
        const outcome = failed.outcome;
        const details = {
          expected: 'every write succeeds: an election takes about a second, and the deadline was 5 s',
          actual: outcome.kind === 'threw' ? said(outcome.error) : outcome.kind,
          explain: whyItGaveUp(failed),
        };
        throw threwOwnError(outcome)
          ? new CheckFailure(`putWithFailover() rejected (${name(failed)}) although 2 of 3 members were up: a quorum`, details)
          : ctx.student.failure('putWithFailover()', outcome, 9000, details);
      }
      // No call may wait on the dead leader: each is done within RESUME_LIMIT_MS of the freeze
      // (or of its start), or else soon after writes went through again. The writer is
      // sequential, so this also bounds every gap between completed writes.
      const waited = (c: Call) => c.end - Math.max(c.start, frozenAt);
      // Slow, and either it sent one put only (it waited on its first attempt: state) or it ended
      // long after writes went through again.
      const tooSlow = (c: Call) => waited(c) > RESUME_LIMIT_MS && (c.puts === 1 || !writable || c.end - writable > AFTER_WRITABLE_MS);
      const slowest = calls.filter((c) => c.end > frozenAt).reduce((a, b) => (waited(b) > waited(a) ? b : a));
      const slow = calls.find(tooSlow);
      if (slow) {
        const afterWritable = writable ? `, ${((slow.end - writable) / 1000).toFixed(1)} s after writes went through again` : '';
        const breaker = await breakerOpen(ctx, clientOf(slow.i));
        const oneAttempt = slow.puts === 1 ? ', with a single put that waited all that time' : '';
        throw new CheckFailure(`putWithFailover() took ${(waited(slow) / 1000).toFixed(1)} s (${name(slow)}${oneAttempt}; ${electionText}${afterWritable}), although 2 of 3 members were up`, {
          expected: `every call done within ${RESUME_LIMIT_MS / 1000} s of the freeze (about 2 × the 0.5 s election timeout, plus one attempt), or within ${AFTER_WRITABLE_MS / 1000} s of the moment writes went through again`,
          actual: `${(waited(slow) / 1000).toFixed(1)} s`,
          explain: breaker
            ? `Its attempts were refused for a while: ${BREAKER}`
            : slow.puts === 1
              ? 'Its put went to a follower, which passed it to the leader; the leader died, and the put waited for an answer that never comes: etcd3 has no deadline unless you give one. '
                + 'Cut each attempt short (e.g. after 300 ms, racing a timer) and retry.'
              : `It sent ${slow.puts} puts, yet ended long after writes went through again: attempts too long (cut each after ~300 ms), or pauses too long between them.`,
        });
      }
      // Every write that succeeded is there (read through the members still up).
      const stored = await storedWrites(cluster, leader);
      const lost = calls.filter((c) => c.outcome.ok && stored.get(`/lab13/w/${c.i}`) !== `v${c.i}`);
      expect(lost.length === 0, `${lost.length} write(s) putWithFailover() reported done are not in etcd, e.g. /lab13/w/${lost[0]?.i}`, {
        explain: 'Resolve only once a put has succeeded (await it: a put that was not awaited may never land).',
      });
      const frozen = calls.find((c) => c.i === FROZEN_CALL)!;
      // The calls that were waiting when writes went through again: how long after that they ended.
      const waiting = writable ? calls.filter((c) => c.start < writable && c.end > writable) : [];
      const lastAfter = waiting.length ? `; the last call waiting then ended ${(Math.max(...waiting.map((c) => c.end - writable!)) / 1000).toFixed(2)} s later` : '';
      ctx.note(`leader ${leader} frozen, then killed; ${electionText}${lastAfter}; the call sent just after the freeze took ${((frozen.end - frozen.start) / 1000).toFixed(2)} s, the slowest ${(waited(slowest) / 1000).toFixed(2)} s (${calls.length} calls, 20 ms apart)`);
    } finally {
      await cluster.restart(leader);
      await cluster.converged(15_000);
    }
  },

  async 'no-quorum'(ctx) {
    const cluster = await failoverCluster(ctx);
    const [a, b] = ctx.rng.sample(cluster.names, 2);
    await cluster.kill(a);
    await cluster.kill(b);
    // A client of only the two dead members: its calls fail at once, and after a few of them etcd3's
    // circuit breaker refuses both (BrokenCircuitError) until they are back.
    const dead = studentClient(ctx, cluster, [cluster.endpoint(a), cluster.endpoint(b)], `${ctx.check.id}-dead-members`);
    try {
      // First the dead members alone: every attempt fails at once, soon with BrokenCircuitError. A deadline
      // between 1.8 and 2.4 s: after fast failures, a backoff of 0.1, 0.2, 0.4, 0.8, 1.6 s pauses until 3.1 s.
      const deadlineMs = ctx.rng.int(18, 24) * 100;
      const situation = `with a client of only the 2 members that are down (${a}, ${b})`;
      await ctx.student.probe('rpcCount', [dead]);
      await expectGivesUpAtDeadline(ctx, dead, deadlineMs, situation);
      await expectPauses(ctx, dead, deadlineMs, situation);
      await expectGivesUpAtDeadline(ctx, studentClient(ctx, cluster), ctx.rng.int(15, 25) * 100, 'with 2 of 3 members down');
    } finally {
      await cluster.restart();
    }
    // And once they are back, writes work again, through etcd3's circuit breaker (open for 5 s after the failures above).
    const back = await ctx.student.attempt('putWithFailover', [dead, '/lab13/back', 'again', 9000], { timeoutMs: 14_000 });
    if (!back.ok) {
      const details = { explain: 'etcd3 refuses calls to a member for 5 s after 3 failed calls in a row (BrokenCircuitError once every member is refused): keep retrying until your deadline, do not give up at the first error.' };
      throw threwOwnError(back)
        ? new CheckFailure(`after the members came back, putWithFailover(…, 9000) still failed: ${said(back.error)}`, details)
        : ctx.student.failure('putWithFailover()', back, 14_000, details);
    }
    await cluster.converged(15_000);
    ctx.note(`after the restart: written in ${(back.ms / 1000).toFixed(1)} s, through a client whose breaker had opened`);
  },
};

/** putWithFailover(…, deadlineMs) with no write possible: ClusterUnavailableError, at its deadline, not before it nor well after. */
async function expectGivesUpAtDeadline(ctx: CheckContext, client: ClientArg, deadlineMs: number, situation: string): Promise<void> {
  const what = `putWithFailover(…, ${deadlineMs}) ${situation}`;
  const outcome = await ctx.student.attempt('putWithFailover', [client, '/lab13/no-quorum', 'x', deadlineMs], { timeoutMs: deadlineMs + 5000 });
  if (!outcome.ok && outcome.kind === 'timeout') {
    throw new CheckFailure(`${what} was still waiting after ${(deadlineMs + 5000) / 1000} s`, {
      expected: `a ClusterUnavailableError after about ${deadlineMs / 1000} s`,
      explain: 'Without a quorum no write can succeed: stop retrying once deadlineMs has passed (and bound each attempt, or one attempt can outlast it).',
    });
  }
  if (threwOwnError(outcome) && outcome.error.kitClass !== 'ClusterUnavailableError' && classifyEtcdError(outcome.error).kind === 'breaker-open') {
    throw new CheckFailure(`${what} threw ${describeThrown(outcome.error)} after ${(outcome.ms / 1000).toFixed(1)} s`, {
      expected: `a ClusterUnavailableError at the deadline (${deadlineMs / 1000} s)`,
      explain: 'That is etcd3\'s circuit breaker: after 3 failures in a row on a member it refuses it for 5 s, and when every member of the client is refused, a call fails at once with BrokenCircuitError. '
        + 'It is one more failure to retry through; at the deadline, throw ClusterUnavailableError.',
    });
  }
  expectKitError(ctx, what, outcome, 'ClusterUnavailableError', 'without a quorum it must give up at its deadline with ClusterUnavailableError');
  const seconds = (outcome.ms / 1000).toFixed(2);
  if (outcome.ms < deadlineMs - EARLY_MS) {
    const breaker = await breakerOpen(ctx, client);
    throw new CheckFailure(`${what} gave up after ${seconds} s, before its deadline`, {
      expected: `ClusterUnavailableError once ${deadlineMs / 1000} s have passed, not before`,
      explain: breaker
        ? 'etcd3\'s circuit breaker of this client was open (a get through it failed at once with BrokenCircuitError): it refuses the members for 5 s after 3 failures in a row. '
          + 'That is one more failure to retry through: the members may be back before your deadline.'
        : 'Keep retrying until deadlineMs has passed: a count of attempts, or giving up on some error, ends too early.',
    });
  }
  expect(outcome.ms <= deadlineMs + LATE_MS, `${what} gave up only after ${seconds} s, ${((outcome.ms - deadlineMs) / 1000).toFixed(2)} s past its deadline`, {
    expected: `at most ${LATE_MS} ms after ${deadlineMs / 1000} s`,
    explain: 'Neither the last attempt nor the pause after a failure may outlast the deadline: give an attempt min(300 ms, the time left), and pause at most the time left.',
  });
  ctx.note(`${situation}: ClusterUnavailableError after ${seconds} s (deadline ${deadlineMs / 1000} s)`);
}

export default checks;
