/**
 * Lab 06 checks: compare-and-swap.
 *
 * The notebook's sequence (true, then false), a value changed by someone
 * else in between (so comparing versions instead of values fails), missing
 * keys (also with '' expected), the number of requests the call sends, and
 * racers in two other processes with clients of their own.
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { hostname, users, value } from './helpers/data.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { ROOT } from './helpers/logged-users.ts';

const RACERS_PER_PROCESS = 4;
const ROUNDS = 3;

async function replace(ctx: CheckContext, key: string, expected: string, next: string): Promise<unknown> {
  return ctx.student.call('replaceIfEquals', [ctx.client(), key, expected, next]);
}

async function currentValue(ctx: CheckContext, key: string): Promise<string | null> {
  return ctx.kv.get(key).string();
}

const checks: LabChecks = {
  async 'notebook-sequence'(ctx) {
    const key = ROOT + users(ctx.rng, 1)[0];
    const [v0, v1, v2, v3] = [hostname(ctx.rng), `new-${hostname(ctx.rng)}`, `moved-${hostname(ctx.rng)}`, `back-${hostname(ctx.rng)}`];
    await ctx.kv.put(key).value(v0).exec();
    const results: unknown[] = [];
    for (let i = 0; i < 5; i++) results.push(await replace(ctx, key, v0, v1));
    expect(show(results) === show([true, false, false, false, false]), `five calls of replaceIfEquals(client, ${show(key)}, ${show(v0)}, ${show(v1)}) returned ${show(results)}`, {
      expected: [true, false, false, false, false],
      actual: results,
      explain: results[0] === true ? 'After the first call the value is the new one, so the compare must fail from then on.' : 'The first call finds the expected value and must replace it.',
    });
    expect((await currentValue(ctx, key)) === v1, `after replaceIfEquals() the value of ${key} is ${show(await currentValue(ctx, key))}`, { expected: v1 });

    // Someone else changes the value; a compare on the value still works, one on versions does not.
    await ctx.kv.put(key).value(v2).exec();
    const stale = await replace(ctx, key, v1, v3);
    expect(stale === false, `replaceIfEquals() returned ${show(stale)} with a stale expected value`, {
      expected: false, explain: `Another client had changed ${key} from ${show(v1)} to ${show(v2)}.`,
    });
    expect((await currentValue(ctx, key)) === v2, `replaceIfEquals() overwrote a value that did not match ${show(v1)}`, { expected: v2, actual: await currentValue(ctx, key) });
    const fresh = await replace(ctx, key, v2, v3);
    expect(fresh === true && (await currentValue(ctx, key)) === v3, `replaceIfEquals(client, key, ${show(v2)}, ${show(v3)}) returned ${show(fresh)} although ${show(v2)} is the current value`, {
      expected: `true, and the value ${show(v3)}`,
      actual: `${show(fresh)}, and the value ${show(await currentValue(ctx, key))}`,
      explain: 'Compare the value itself (client.if(key, \'Value\', \'==\', expected)), not its version or revision: the value was written by another client, several versions later.',
    });
  },

  async 'missing-key'(ctx) {
    const key = ROOT + users(ctx.rng, 1)[0];
    await ctx.kv.put(`${key}-old`).value('').exec(); // a neighbour, so "missing" is about this exact key
    for (const expected of [hostname(ctx.rng), '']) {
      const result = await replace(ctx, key, expected, value(ctx.rng));
      const now = await currentValue(ctx, key);
      expect(now === null, `replaceIfEquals(client, ${show(key)}, ${show(expected)}, …) created the key, which did not exist`, {
        expected: 'no key', actual: now,
        explain: expected === '' ? 'A missing key has no value, not the empty string. etcd\'s compare on the value of a missing key is always false.' : 'Only an existing key whose value matches may be replaced.',
      });
      expect(result === false, `replaceIfEquals() of a missing key returned ${show(result)}`, { expected: false, actual: result });
    }
  },

  async 'one-round-trip'(ctx) {
    const key = ROOT + users(ctx.rng, 1)[0];
    const v0 = hostname(ctx.rng);
    await ctx.kv.put(key).value(v0).exec();
    const client = ctx.client({ label: 'counted' });
    await ctx.student.probe('rpcs', [client]);
    const ok = await ctx.student.call('replaceIfEquals', [client, key, v0, `new-${v0}`]);
    const sent = (await ctx.student.probe<string[]>('rpcs', [client]));
    // Authentication requests (a class cluster with auth) are the client's own business, not the student's.
    const requests = (sent.ok ? sent.value : []).filter((r) => !r.startsWith('Auth.'));
    expect(ok === true, `replaceIfEquals() returned ${show(ok)} for a key holding the expected value`, { expected: true, actual: ok });
    if (show(requests) !== show(['KV.txn'])) {
      throw new CheckFailure(`replaceIfEquals() sent ${requests.length} request(s) to etcd: ${requests.join(', ') || 'none'}`, {
        expected: 'one: KV.txn',
        actual: requests,
        explain: requests.includes('KV.range') && requests.includes('KV.txn')
          ? 'Reading first costs a round trip you do not need: the transaction can compare the value itself (client.if(key, \'Value\', \'==\', expected)).'
          : requests.includes('KV.range')
          ? 'Reading the value first and writing after is two round trips, and another client can write in between. Let etcd compare and write in one transaction.'
          : 'A compare-and-swap is one transaction: client.if(key, \'Value\', \'==\', expected).then(client.put(key).value(next)).commit().',
      });
    }
  },

  async race(ctx) {
    const workers = [ctx.spawn(), ctx.spawn()];
    for (let round = 1; round <= ROUNDS; round++) {
      const key = `${ROOT}${users(ctx.rng, 1)[0]}-${round}`;
      const v0 = hostname(ctx.rng);
      await ctx.kv.put(key).value(v0).exec();
      const racers = workers.flatMap((worker, w) => Array.from({ length: RACERS_PER_PROCESS }, (_, i) => ({
        worker, name: `racer ${w * RACERS_PER_PROCESS + i + 1}`, next: `${v0}-won-by-${w}-${i}`, label: `racer-${w}-${i}`,
      })));
      const results = await Promise.all(racers.map((r) => r.worker.call('replaceIfEquals', [ctx.client({ label: r.label }), key, v0, r.next])));
      const winners = racers.filter((_, i) => results[i] === true);
      const final = await currentValue(ctx, key);
      expect(winners.length === 1, `${racers.length} clients raced replaceIfEquals(…, ${show(v0)}, …) on one key: ${winners.length} of them returned true`, {
        expected: 'exactly one winner',
        actual: `${winners.length} winners (${winners.map((w) => w.name).join(', ') || 'none'}); the value is now ${show(final)}`,
        explain: winners.length > 1
          ? 'Between reading the value and writing it, another client wrote: each believed it won, and all but the last write were lost. The compare and the put must be one transaction.'
          : 'One of them must succeed: the value was the expected one when they started.',
      });
      expect(final === winners[0].next, `the winner of the race was ${winners[0].name}, but the value is ${show(final)}`, { expected: winners[0].next, actual: final });
    }
    ctx.note(`${ROUNDS} rounds of ${RACERS_PER_PROCESS * workers.length} racers in 2 processes: one winner each`);
  },
};

export default checks;
