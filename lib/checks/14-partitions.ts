/**
 * Lab 14 checks: the partition scenario (partition-scenario.ts) is played
 * once; each check judges its part of what the student's reads returned, and
 * `predictions` lays the student's predictions next to what the runner saw.
 *
 * A prediction that misses is shown, never failed: the code is what passes
 * or fails. Predictions left undefined fail, before anything is shown, so
 * that the run does not give the answers away.
 */
import { shown } from '../paths.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show, todoFailure } from '../runner/failure.ts';
import { expectKitError } from './helpers/expect-error.ts';
import { freeze, predictionsFile } from './helpers/frozen-predictions.ts';
import { threwOwnError } from '../runner/student.ts';
import { LINEARIZABLE_GIVE_UP_MS, type Read, type ReadFn, type Scenario, partitionScenario } from './helpers/partition-scenario.ts';

/** What a check says about a read that threw or returned the wrong value there. */
interface Advice {
  /** Why the read should have answered (for a read that threw). */
  shouldAnswer: string;
  /** What to do about a wrong value. */
  onWrongValue: string;
  /** The read must be one request (KV.range): a serializable read asks its own member and nobody else. */
  oneRequest?: boolean;
}

/** "sent 2 requests: KV.range, KV.range" (or nothing, when the lab process could not say). */
function sentText(r: Read): string {
  if (!r.requests) return '';
  return r.requests.length === 0 ? ' (it sent no request)' : ` (it sent ${r.requests.length} request${r.requests.length === 1 ? '' : 's'}: ${r.requests.join(', ')})`;
}

function describe(r: Read): string {
  return `${r.fn}(client of ${r.member}, ${show(r.key)})`;
}

/** Fails the check unless the student's read did what etcd does there. */
function judge(ctx: CheckContext, r: Read, advice?: Advice): void {
  const what = describe(r);
  const where = `${what} ${r.where}`;
  const { outcome } = r;
  if ('reject' in r.expected) {
    if (outcome.ok) {
      throw new CheckFailure(`${where} returned ${show(outcome.value)} although ${r.member} cannot reach a quorum: nobody confirmed that answer`, {
        expected: `a rejection with ClusterUnavailableError within ${LINEARIZABLE_GIVE_UP_MS / 1000} s`,
        actual: show(outcome.value),
        explain: outcome.value === null
        ? 'null says "there is no such key", which nobody confirmed: a caller would act on it. Let the read fail with ClusterUnavailableError instead of catching the error.'
        : 'A linearizable read is confirmed by a quorum or it fails: no .serializable(true), no value remembered from an earlier call, and no catching the error to return something else.',
      });
    }
    if (outcome.kind === 'timeout') {
      throw new CheckFailure(`${where} was still waiting after ${Math.round(outcome.ms / 1000)} s`, {
        expected: `a rejection with ClusterUnavailableError within ${LINEARIZABLE_GIVE_UP_MS / 1000} s`,
        explain: 'etcd gives up on a read it cannot confirm after about 6 s ("request timed out"), and etcd3 tries 3 times: give the call a deadline, e.g. .options({ deadline: Date.now() + 1000 }).',
      });
    }
    expectKitError(ctx, where, outcome, 'ClusterUnavailableError', 'a read that no quorum can confirm must reject with ClusterUnavailableError (lib/kit.ts)');
    expect(outcome.ms <= LINEARIZABLE_GIVE_UP_MS, `${where} rejected only after ${(outcome.ms / 1000).toFixed(1)} s`, {
      expected: `at most ${LINEARIZABLE_GIVE_UP_MS / 1000} s`,
      explain: 'A deadline is a point in time (Date.now() + ms), shared by every attempt etcd3 makes within the call: .options({ deadline: Date.now() + 1000 }) gives up after about 1 s. Give it a deadline well within the 5 s, and nothing else that waits.',
    });
    return;
  }
  const expected = r.expected.value;
  if (!outcome.ok) {
    if (threwOwnError(outcome) || outcome.kind === 'timeout') {
      const did = outcome.kind === 'timeout' ? `did not answer within ${Math.round(outcome.ms / 1000)} s` : ctx.student.explain(where, outcome).slice(where.length + 1);
      throw new CheckFailure(`${where} ${did}${sentText(r)}; ${advice?.shouldAnswer ?? 'it should have answered'}`, { expected: show(expected) });
    }
    throw ctx.student.failure(what, outcome);
  }
  expect(outcome.value === expected, `${where} returned ${show(outcome.value)}, but ${r.member} holds ${expected === null ? 'no such key' : show(expected)}`, {
    expected: show(expected),
    actual: show(outcome.value),
    explain: advice?.onWrongValue,
  });
  if (advice?.oneRequest && r.requests) {
    expect(r.requests.length > 0, `${where} answered ${show(outcome.value)} without sending a single request to ${r.member}`, {
      expected: 'one request, KV.range with serializable set: the member answers from its own copy',
      actual: 'no request',
      explain: 'The answer did not come from the member: it is a value remembered from an earlier call (a cache, shared by the clients or kept between calls). Read the key through the client you are given, every time.',
    });
    expect(r.requests.length === 1 && r.requests[0] === 'KV.range', `${where} answered ${show(outcome.value)}, but sent ${r.requests.length} requests (${r.requests.join(', ')}) for one read`, {
      expected: 'one request, KV.range with serializable set: the member answers from its own copy',
      actual: r.requests,
      explain: 'Two reads where one does: most likely a linearizable read tried first (on the minority it waits for a quorum that is not there, then fails) and the serializable one after it; or a retry of your own. Send only the serializable get: client.get(key).serializable(true).',
    });
  }
}

/** The reads a check judges: the "before the partition" ones of its functions, then its own part. */
async function judged(ctx: CheckContext, fns: ReadFn[], part: (s: Scenario) => Read[], advice?: Advice): Promise<Scenario> {
  const scenario = await partitionScenario(ctx);
  for (const r of scenario.reads.before.filter((b) => fns.includes(b.fn))) judge(ctx, r, advice);
  for (const r of part(scenario)) judge(ctx, r, advice);
  return scenario;
}

const checks: LabChecks = {
  async predictions(ctx) {
    const claims = ctx.lab.predictions;
    const file = shown(ctx.student.labFile);
    const outcome = await ctx.student.attempt<unknown>('predictions', [], { timeoutMs: 5000 });
    if (!outcome.ok) throw ctx.student.failure('predictions', outcome);
    const given = outcome.value;
    expect(typeof given === 'object' && given !== null && !Array.isArray(given), `predictions in ${file} must be an object of true/false, one per claim`, { actual: show(given) });
    const marks = given as Record<string, unknown>;
    const ids = claims.map((c) => c.id);
    const unknown = Object.keys(marks).filter((k) => !ids.includes(k));
    expect(unknown.length === 0, `predictions has ${unknown.map((k) => show(k)).join(', ')}, which ${unknown.length === 1 ? 'is not a claim' : 'are not claims'} of this lab (a typo?)`, {
      expected: `the keys of the stub: ${ids.join(', ')}`,
    });
    const open = claims.filter((c) => marks[c.id] === undefined);
    if (open.length === claims.length) {
      throw todoFailure('predictions', file, {
        explain: `Mark each of the ${claims.length} claims true or false before the run; the run then shows what happened next to each.`,
      });
    }
    expect(open.length === 0, `${open.length} of ${claims.length} predictions are still undefined: ${open.map((c) => c.id).join(', ')}`, {
      explain: 'Mark every claim true or false before the run: the run shows what happened.',
    });
    const notBoolean = claims.filter((c) => typeof marks[c.id] !== 'boolean');
    expect(notBoolean.length === 0, `predictions must be true or false: ${notBoolean.map((c) => `${c.id} is ${show(marks[c.id])}`).join(', ')}`);
    // Predictions count as first made: the first complete set is recorded beside the lab file, later changes are named.
    const { first, changes, recordedNow } = freeze(ctx.student.labFile, marks as Record<string, boolean>);
    const record = shown(predictionsFile(ctx.student.labFile));
    expect(changes.length === 0, `predictions changed after the first run recorded them (${record}, ${first.recorded.slice(0, 16).replace('T', ' ')} UTC): ${changes.map((c) => `${c.id} was ${c.was}, now ${c.now}`).join('; ')}`, {
      expected: `the predictions as first made: ${changes.map((c) => `${c.id}: ${c.was}`).join(', ')}`,
      explain: 'A prediction is made before the run, once: put those values back. The run that recorded them showed what happened next to each, and why; what you learned since goes in your notes, not in the predictions.',
    });
    if (recordedNow) ctx.note(`predictions recorded in ${record}: commit it with the lab; from now on they stay as they are`);

    const scenario = await partitionScenario(ctx);
    const rows = claims.map((c) => {
      const seen = scenario.observed[c.id];
      if (!seen) throw new Error(`the scenario did not observe ${c.id}`);
      return { claim: c, said: first.predictions[c.id] ?? (marks[c.id] as boolean), seen };
    });
    const hits = rows.filter((r) => r.said === r.seen.happened).length;
    const lines = [`${hits} of ${rows.length} predictions matched what happened (leader ${scenario.oldLeader} cut off with ${scenario.minority.filter((n) => n !== scenario.oldLeader).join('')}):`];
    if (scenario.setup.length) lines.push(`(setting the scene: ${scenario.setup.join('; ')})`);
    for (const r of rows) {
      const hit = r.said === r.seen.happened;
      lines.push(`${hit ? '✔' : '✖'} ${r.claim.claim}: you said ${r.said}, it was ${r.seen.happened} (${r.seen.detail})`);
      if (!hit) lines.push(`    why: ${r.claim.why}`);
    }
    ctx.note(lines.join('\n'));
  },

  async 'majority-reads'(ctx) {
    const scenario = await judged(ctx, ['readLinearizable', 'readSerializable'], (s) => s.reads.majority, {
      shouldAnswer: 'on the majority side 3 of 5 members form a quorum',
      onWrongValue: 'Read the key you are given, through the client you are given, every time: no values remembered from an earlier call.',
    });
    if (scenario.played) ctx.note(`read on ${scenario.reads.majority[0]?.member} while ${scenario.majority.join(', ')} were cut off from ${scenario.minority.join(', ')}`);
  },

  async 'minority-serializable'(ctx) {
    await judged(ctx, ['readSerializable'], (s) => s.reads.minoritySerializable, {
      shouldAnswer: 'a serializable read needs no quorum (.serializable(true)): the member answers from its own copy',
      onWrongValue: 'The client talks to one member: return what that member holds, read every time, with no value remembered from an earlier call or another client. On the minority side the member still holds the values from before the partition (even a key the majority deleted since): a serializable read returns exactly that.',
      oneRequest: true,
    });
    const scenario = await partitionScenario(ctx);
    const slowest = Math.max(...scenario.reads.minoritySerializable.filter((r) => scenario.minority.includes(r.member)).map((r) => r.outcome.ms));
    ctx.note(`stale but available: answered in at most ${Math.round(slowest)} ms`);
  },

  async 'minority-linearizable'(ctx) {
    await judged(ctx, ['readLinearizable'], (s) => s.reads.minorityLinearizable);
    const scenario = await partitionScenario(ctx);
    ctx.note(`rejected after ${scenario.reads.minorityLinearizable.map((r) => `${(r.outcome.ms / 1000).toFixed(1)} s (${r.member})`).join(' and ')}`);
  },

  async 'after-heal'(ctx) {
    await judged(ctx, ['readLinearizable', 'readSerializable'], (s) => s.reads.healed, {
      shouldAnswer: 'after the heal every member is back in the cluster',
      onWrongValue: 'Once healed, the former minority has caught up with the majority\'s writes. Read the key every time: do not remember values between calls.',
    });
  },
};

export default checks;
