/**
 * Lab 13 checks: findLeader() and putWithFailover() on a 3-member cluster
 * whose leader the checks kill (SIGKILL) while the student's code writes.
 *
 * The truth is what the members say about themselves; a leader that was
 * guessed cannot pass, because leadership is moved and the leader killed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { memberStatus, moveLeader } from '../cluster/inspect.ts';
import { clientOptions } from '../connection.ts';
import type { FaultyCluster } from '../faults/faulty-cluster.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { hungEndpoint } from '../runner/unreachable.ts';
import type { CallOutcome } from '../sandbox/sandbox.ts';
import { expectKitError } from './expect-error.ts';
import { currentLeader, faultyLabCluster } from './faulty-lab-cluster.ts';

/** How long after the leader's death a write must be through: about 2 × the election timeout, plus one attempt. */
const RESUME_LIMIT_MS = 2500;
const FIND_LIMIT_MS = 2500;

/** A client for the student's code: every member, no deadline (deadlines are the lesson), its own connections. */
function studentClient(ctx: CheckContext, cluster: FaultyCluster) {
  return ctx.client({ hosts: cluster.endpoints, deadlineMs: undefined, namespace: undefined, auth: undefined, tls: undefined, label: ctx.check.id });
}

async function memberId(cluster: FaultyCluster, name: string): Promise<string> {
  const status = await memberStatus(cluster.endpoint(name), 1000);
  if (!status.id) throw new Error(`${name} does not answer`);
  return status.id;
}

async function storedWrites(cluster: FaultyCluster, dead: string): Promise<Map<string, string>> {
  const trusted = new Etcd3(clientOptions({ endpoints: cluster.endpoints.filter((e) => e !== cluster.endpoint(dead)) }, 3000));
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

/** The longest stretch after `from` in which no call completed, and which call ended it. */
function longestStall(calls: Call[], from: number): { ms: number; where: string } {
  let worst = { ms: 0, where: 'no call after the kill' };
  let previous = from;
  for (const call of calls.filter((c) => c.end > from)) {
    const gap = call.end - previous;
    if (gap > worst.ms) {
      const started = call.start < from ? 'before the kill' : `${((call.start - from) / 1000).toFixed(1)} s after the kill`;
      worst = { ms: gap, where: `until call ${call.i + 1}, started ${started}, took ${((call.end - call.start) / 1000).toFixed(1)} s` };
    }
    previous = call.end;
  }
  return worst;
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
    const client = studentClient(ctx, cluster);
    const calls: Call[] = [];
    let stopAt = Infinity;
    const writer = (async () => {
      for (let i = 0; performance.now() < stopAt; i++) {
        const start = performance.now();
        const outcome = await ctx.student.attempt('putWithFailover', [client, `/lab13/w/${i}`, `v${i}`, 5000], { timeoutMs: 9000 });
        calls.push({ i, start, end: performance.now(), outcome });
        if (!outcome.ok) return;
        await sleep(20);
      }
    })();
    await sleep(ctx.rng.int(400, 700));
    await cluster.kill(leader);
    const killedAt = performance.now();
    stopAt = killedAt + RESUME_LIMIT_MS + 1000;
    // The runner's own view of the election, shown to the student.
    const electedIn = (async () => {
      const next = await currentLeader(cluster, 10_000).catch(() => undefined);
      return next ? { next, ms: performance.now() - killedAt } : undefined;
    })();
    await writer;
    const election = await electedIn;
    try {
      const failed = calls.find((c) => !c.outcome.ok);
      if (failed && !failed.outcome.ok) {
        const outcome = failed.outcome;
        const when = failed.start < killedAt ? 'before' : `${((failed.start - killedAt) / 1000).toFixed(1)} s after`;
        throw new CheckFailure(outcome.kind === 'threw' && !outcome.error.todo
          ? `putWithFailover() rejected (call ${failed.i + 1}, started ${when} the leader was killed) although 2 of 3 members were up: a quorum`
          : ctx.student.explain('putWithFailover()', outcome, 9000), {
          expected: 'every write succeeds: an election takes about a second, and the deadline was 5 s',
          actual: outcome.kind === 'threw' ? `${outcome.error.kitClass ?? outcome.error.name}: ${outcome.error.message.split('\n')[0]}` : outcome.kind,
          explain: 'Retry a failed attempt (a dead leader, an election in progress) until deadlineMs has passed; give each attempt a short deadline of its own.',
        });
      }
      // The longest time without a completed write, from the kill to the end of the run: a stall
      // anywhere in it counts, not only on the first write after the kill (which may have been
      // answered before the leader died, its reply arriving a moment later).
      const stall = longestStall(calls, killedAt);
      const resumedMs = (calls.find((c) => c.end > killedAt)?.end ?? Infinity) - killedAt;
      const electionText = election ? `${election.next} elected after ~${(election.ms / 1000).toFixed(2)} s` : 'no new leader seen';
      expect(stall.ms <= RESUME_LIMIT_MS, `after the leader (${leader}) was killed, no write got through for ${(stall.ms / 1000).toFixed(1)} s (${stall.where}; ${electionText})`, {
        expected: `no gap between writes longer than ${RESUME_LIMIT_MS / 1000} s after the kill (about 2 × the 0.5 s election timeout)`,
        actual: `${(stall.ms / 1000).toFixed(1)} s`,
        explain: 'A put sent to a leader that died waits for an answer that never comes; etcd3 has no deadline unless you give one. Give each attempt a short deadline (e.g. 300 ms: .options({ deadline: Date.now() + 300 })) and retry.',
      });
      // Every write that succeeded is there (read through the members still up).
      const stored = await storedWrites(cluster, leader);
      const lost = calls.filter((c) => c.outcome.ok && stored.get(`/lab13/w/${c.i}`) !== `v${c.i}`);
      expect(lost.length === 0, `${lost.length} write(s) putWithFailover() reported done are not in etcd, e.g. /lab13/w/${lost[0]?.i}`, {
        explain: 'Resolve only once a put has succeeded.',
      });
      ctx.note(`leader ${leader} killed; ${electionText}; writes went through again after ${(resumedMs / 1000).toFixed(2)} s, longest gap ${(stall.ms / 1000).toFixed(2)} s (${calls.length} calls, 20 ms apart)`);
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
      throw new CheckFailure(back.kind === 'threw' && !back.error.todo
        ? `after the members came back, putWithFailover(…, 9000) still failed: ${back.error.kitClass ?? back.error.name}: ${back.error.message.split('\n')[0]}`
        : ctx.student.explain('putWithFailover()', back, 14_000), {
        explain: 'etcd3 refuses calls to a member for 5 s after it failed (BrokenCircuitError): keep retrying until your deadline, do not give up at the first error.',
      });
    }
    await cluster.converged(15_000);
    ctx.note(`after the restart: written in ${(back.ms / 1000).toFixed(1)} s`);
  },
};

export default checks;
