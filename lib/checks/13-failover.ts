/**
 * Lab 13 checks: findLeader() and putWithFailover() on a 3-member cluster
 * whose leader the checks freeze and kill (SIGSTOP, SIGKILL) while the
 * student's code writes.
 *
 * The truth is what the members say about themselves; a leader that was
 * guessed cannot pass, because leadership is moved and the leader killed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { memberStatus, moveLeader } from '../cluster/inspect.ts';
import type { FaultyCluster } from '../faults/faulty-cluster.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { threwOwnError } from '../runner/student.ts';
import { hungEndpoint } from './helpers/unreachable.ts';
import type { CallOutcome } from '../sandbox/sandbox.ts';
import { expectKitError } from './helpers/expect-error.ts';
import { currentLeader, faultyLabCluster } from './helpers/faulty-lab-cluster.ts';
import { openClient } from '../connection/client.ts';

/** How long after the leader's death a write must be through: about 2 × the election timeout, plus one attempt. */
const RESUME_LIMIT_MS = 2500;
/** The call sent right after the leader froze (its number in the report), and how long its put has to reach a follower. */
const FROZEN_CALL = 1000;
const FORWARD_MS = 100;
const FIND_LIMIT_MS = 2500;

/** A client for the student's code: no deadline (deadlines are the lesson), its own connections; every member unless `hosts` says. */
function studentClient(ctx: CheckContext, cluster: FaultyCluster, hosts = cluster.endpoints, label = ctx.check.id) {
  return ctx.clientFor(hosts, { label });
}

async function memberId(cluster: FaultyCluster, name: string): Promise<string> {
  const status = await memberStatus(cluster.endpoint(name), 1000);
  if (!status.id) throw new Error(`${name} does not answer`);
  return status.id;
}

async function storedWrites(cluster: FaultyCluster, dead: string): Promise<Map<string, string>> {
  const trusted = openClient({ endpoints: cluster.endpoints.filter((e) => e !== cluster.endpoint(dead)) }, { deadlineMs: 3000 });
  try {
    return new Map(Object.entries(await trusted.getAll().prefix('/lab13/w/').strings()));
  } finally {
    trusted.close();
  }
}

interface Call {
  i: number;
  start: number;
  end: number;
  outcome: CallOutcome;
}

/** Lab 13's cluster: 3 members, client ports from 27000. */
const failoverCluster = (ctx: CheckContext) => faultyLabCluster(ctx, 3, 27000);

const checks: LabChecks = {
  async 'find-leader'(ctx) {
    const cluster = await failoverCluster(ctx);
    const hung = await hungEndpoint();
    try {
      const verify = async (round: string) => {
        const leader = await currentLeader(cluster);
        const truth = cluster.endpoint(leader);
        // The leader is never first, and the member that never answers always comes before it:
        // "the first endpoint" and "ask one after another without a deadline" both fail.
        const members = ctx.rng.shuffle(cluster.endpoints.filter((e) => e !== truth));
        const at = ctx.rng.int(1, members.length);
        const endpoints = [...members.slice(0, at), truth, ...members.slice(at)];
        endpoints.splice(ctx.rng.int(0, at), 0, hung.endpoint);
        const { value, ms } = await ctx.student.timed<unknown>('findLeader', [endpoints], { timeoutMs: 6000 });
        expect(value === truth, `${round}: findLeader(${show(endpoints)}) returned ${show(value)}, but the leader is ${leader} at ${truth}`, {
          expected: truth, actual: value,
          explain: typeof value === 'string' && /^\d+$/.test(value)
            ? 'That is a member id: return the endpoint (one of the strings you were given) of the member whose status says it is the leader.'
            : 'Ask every member for its status; the leader is the one whose `leader` equals its own `header.member_id`.',
        });
        expect(ms <= FIND_LIMIT_MS, `${round}: findLeader() took ${(ms / 1000).toFixed(1)} s`, {
          expected: `at most ${FIND_LIMIT_MS / 1000} s, with one member that never answers among the endpoints`,
          explain: 'Ask the members in parallel, each with a 1 s deadline (etcd3 retries a failed call: bound the whole call, not just each attempt).',
        });
        return { leader, ms };
      };
      const first = await verify('with a member that never answers among the endpoints');
      const next = ctx.rng.pick(cluster.names.filter((n) => n !== first.leader));
      await moveLeader(cluster.endpoints, await memberId(cluster, next));
      const second = await verify(`after leadership moved from ${first.leader} to ${next}`);
      ctx.note(`found ${first.leader} in ${(first.ms / 1000).toFixed(2)} s, then ${second.leader} in ${(second.ms / 1000).toFixed(2)} s`);
    } finally {
      await hung.close();
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
    const calls: Call[] = [];
    let stopAt = Infinity;
    const call = async (i: number) => {
      const start = performance.now();
      const outcome = await ctx.student.attempt('putWithFailover', [i === FROZEN_CALL ? frozenClient : client, `/lab13/w/${i}`, `v${i}`, 5000], { timeoutMs: 9000 });
      calls.push({ i, start, end: performance.now(), outcome });
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
    const killedAt = performance.now();
    const afterFreeze = call(FROZEN_CALL);
    await sleep(FORWARD_MS);
    await cluster.kill(leader);
    stopAt = killedAt + RESUME_LIMIT_MS + 1000;
    // The runner's own view of the election, shown to the student.
    const electedIn = (async () => {
      const next = await currentLeader(cluster, 10_000).catch(() => undefined);
      return next ? { next, ms: performance.now() - killedAt } : undefined;
    })();
    await Promise.all([writer, afterFreeze]);
    const election = await electedIn;
    const electionText = election ? `${election.next} elected after ~${(election.ms / 1000).toFixed(2)} s` : 'no new leader seen';
    const name = (c: Call) => (c.i === FROZEN_CALL ? 'the call sent just after the leader froze' : `call ${c.i + 1}, started ${c.start < killedAt ? 'before' : `${((c.start - killedAt) / 1000).toFixed(1)} s after`} the freeze`);
    try {
      const failed = calls.find((c) => !c.outcome.ok);
      if (failed && !failed.outcome.ok) {
        const outcome = failed.outcome;
        const details = {
          expected: 'every write succeeds: an election takes about a second, and the deadline was 5 s',
          actual: outcome.kind === 'threw' ? `${outcome.error.kitClass ?? outcome.error.name}: ${outcome.error.message.split('\n')[0]}` : outcome.kind,
          explain: 'Retry a failed attempt (a dead leader, an election in progress) until deadlineMs has passed; give each attempt a short deadline of its own.',
        };
        throw threwOwnError(outcome)
          ? new CheckFailure(`putWithFailover() rejected (${name(failed)}) although 2 of 3 members were up: a quorum`, details)
          : ctx.student.failure('putWithFailover()', outcome, 9000, details);
      }
      // No call may wait longer than the election and one attempt. The writer is sequential,
      // so this also bounds every gap between completed writes.
      const slowest = calls.filter((c) => c.end > killedAt).reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      const slowestMs = slowest.end - slowest.start;
      expect(slowestMs <= RESUME_LIMIT_MS, `putWithFailover() took ${(slowestMs / 1000).toFixed(1)} s (${name(slowest)}; ${electionText}), although 2 of 3 members were up`, {
        expected: `every call done within ${RESUME_LIMIT_MS / 1000} s (about 2 × the 0.5 s election timeout, plus one attempt)`,
        actual: `${(slowestMs / 1000).toFixed(1)} s`,
        explain: 'Its put went to a follower, which passed it to the leader; the leader died, and the put waited for an answer that never comes: etcd3 has no deadline unless you give one. Give each attempt a short deadline (e.g. 300 ms: .options({ deadline: Date.now() + 300 })) and retry.',
      });
      // Every write that succeeded is there (read through the members still up).
      const stored = await storedWrites(cluster, leader);
      const lost = calls.filter((c) => c.outcome.ok && stored.get(`/lab13/w/${c.i}`) !== `v${c.i}`);
      expect(lost.length === 0, `${lost.length} write(s) putWithFailover() reported done are not in etcd, e.g. /lab13/w/${lost[0]?.i}`, {
        explain: 'Resolve only once a put has succeeded.',
      });
      const frozen = calls.find((c) => c.i === FROZEN_CALL)!;
      ctx.note(`leader ${leader} frozen, then killed; ${electionText}; the call sent just after the freeze took ${((frozen.end - frozen.start) / 1000).toFixed(2)} s, the slowest ${(slowestMs / 1000).toFixed(2)} s (${calls.length} calls, 20 ms apart)`);
    } finally {
      await cluster.restart(leader);
      await cluster.converged(15_000);
    }
  },

  async 'no-quorum'(ctx) {
    const cluster = await failoverCluster(ctx);
    const client = studentClient(ctx, cluster);
    const [a, b] = ctx.rng.sample(cluster.names, 2);
    const deadlineMs = ctx.rng.int(15, 25) * 100;
    await cluster.kill(a);
    await cluster.kill(b);
    try {
      const outcome = await ctx.student.attempt('putWithFailover', [client, '/lab13/no-quorum', 'x', deadlineMs], { timeoutMs: deadlineMs + 5000 });
      if (!outcome.ok && outcome.kind === 'timeout') {
        throw new CheckFailure(`with 2 of 3 members down, putWithFailover(…, ${deadlineMs}) was still waiting after ${(deadlineMs + 5000) / 1000} s`, {
          expected: `a ClusterUnavailableError after about ${deadlineMs / 1000} s`,
          explain: 'Without a quorum no write can succeed: stop retrying once deadlineMs has passed (and bound each attempt, or one attempt can outlast it).',
        });
      }
      expectKitError(ctx, `putWithFailover(…, ${deadlineMs}) with 2 of 3 members down`, outcome, 'ClusterUnavailableError',
        'without a quorum it must give up at its deadline with ClusterUnavailableError');
      expect(outcome.ms <= deadlineMs + 1000, `putWithFailover(…, ${deadlineMs}) gave up only after ${(outcome.ms / 1000).toFixed(1)} s`, {
        expected: `about ${deadlineMs / 1000} s (at most ${(deadlineMs + 1000) / 1000} s)`,
        explain: 'The last attempt must not run past the deadline: give it min(300 ms, time left).',
      });
      ctx.note(`with 2 of 3 members down: ClusterUnavailableError after ${(outcome.ms / 1000).toFixed(1)} s (deadline ${deadlineMs / 1000} s)`);
    } finally {
      await cluster.restart();
    }
    // And once they are back, writes work again (etcd3's circuit breaker stays open for 5 s after failures).
    const back = await ctx.student.attempt('putWithFailover', [client, '/lab13/back', 'again', 9000], { timeoutMs: 14_000 });
    if (!back.ok) {
      const details = { explain: 'etcd3 refuses calls to a member for 5 s after it failed (BrokenCircuitError): keep retrying until your deadline, do not give up at the first error.' };
      throw threwOwnError(back)
        ? new CheckFailure(`after the members came back, putWithFailover(…, 9000) still failed: ${back.error.kitClass ?? back.error.name}: ${back.error.message.split('\n')[0]}`, details)
        : ctx.student.failure('putWithFailover()', back, 14_000, details);
    }
    await cluster.converged(15_000);
    ctx.note(`after the restart: written in ${(back.ms / 1000).toFixed(1)} s`);
  },
};

export default checks;
