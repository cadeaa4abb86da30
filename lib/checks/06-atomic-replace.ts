/**
 * Lab 06 checks: compare-and-swap.
 *
 * The notebook's sequence (true, then false) on values with non-ASCII text
 * (so an encoding other than UTF-8 fails every run), a value changed by
 * someone else in between (so comparing versions instead of values fails),
 * `expected === next` against a different value, missing keys (also with ''
 * expected, and with expected === next), a key holding '', the number of
 * requests the call sends (also when expected === next: no shortcut), and
 * racers in two other processes with clients of their own.
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { hostname, users, value } from './helpers/data.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { listed } from './helpers/lists.ts';
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
    // Values with non-ASCII text (value() always has some): only UTF-8 on the wire compares equal.
    const [v0, v1, v2, v3] = [value(ctx.rng), `new ${value(ctx.rng)}`, `moved ${value(ctx.rng)}`, `back ${value(ctx.rng)}`];
    await ctx.kv.put(key).value(v0).exec();
    const results: unknown[] = [];
    for (let i = 0; i < 5; i++) results.push(await replace(ctx, key, v0, v1));
    const stored = await currentValue(ctx, key);
    expect(show(results) === show([true, false, false, false, false]), `five calls of replaceIfEquals(client, ${show(key)}, ${show(v0)}, ${show(v1)}) returned ${show(results)}`, {
      expected: [true, false, false, false, false],
      actual: results,
      explain: results[0] === true
        ? 'After the first call the value is the new one, so the compare must fail from then on: resolve to the transaction\'s `succeeded`, whatever the value is now.'
        : stored === v0
          ? `The first call finds the expected value and must replace it. The value is still ${show(v0)}: does the compare see the same bytes? etcd3 sends a string as UTF-8; a Buffer made with another encoding (latin1, binary) differs as soon as the text is not ASCII.`
          : 'The first call finds the expected value and must replace it.',
    });
    expect(stored === v1, `after replaceIfEquals() the value of ${key} is ${show(stored)}`, {
      expected: v1, actual: stored, explain: 'The value written must be exactly `next`, as UTF-8 text (what etcd3 sends for a string).',
    });

    // expected === next, and the key holds something else: still false.
    const other = `other ${value(ctx.rng)}`;
    const same = await replace(ctx, key, other, other);
    expect(same === false && (await currentValue(ctx, key)) === v1, `replaceIfEquals(client, key, ${show(other)}, ${show(other)}) returned ${show(same)} while the key holds ${show(v1)}`, {
      expected: `false, and the value still ${show(v1)}`,
      actual: `${show(same)}, and the value ${show(await currentValue(ctx, key))}`,
      explain: 'expected === next is no reason to skip etcd: the key holds another value, so nothing is replaced and the answer is false.',
    });

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
    const same = value(ctx.rng);
    const cases: [string, string, string][] = [
      [hostname(ctx.rng), value(ctx.rng), 'Only an existing key whose value matches may be replaced.'],
      ['', value(ctx.rng), 'A missing key has no value, not the empty string. etcd\'s compare on the value of a missing key is always false.'],
      [same, same, 'expected === next is no reason to skip etcd: the key does not exist, so the answer is false.'],
    ];
    for (const [expected, next, why] of cases) {
      const result = await replace(ctx, key, expected, next);
      const now = await currentValue(ctx, key);
      const call = `replaceIfEquals(client, ${show(key)}, ${show(expected)}, ${expected === next ? show(next) : '…'})`;
      expect(now === null, `${call} created the key, which did not exist`, { expected: 'no key', actual: now, explain: why });
      expect(result === false, `${call} of a missing key returned ${show(result)}`, { expected: false, actual: result, explain: why });
    }

    // The empty string is a value like any other.
    await ctx.kv.put(key).value('').exec();
    const next = value(ctx.rng);
    const emptied = await replace(ctx, key, '', next);
    const now = await currentValue(ctx, key);
    expect(emptied === true && now === next, `replaceIfEquals(client, ${show(key)}, "", ${show(next)}) returned ${show(emptied)} on a key whose value is ""`, {
      expected: `true, and the value ${show(next)}`,
      actual: `${show(emptied)}, and the value ${show(now)}`,
      explain: 'The key exists and holds the empty string, which is exactly `expected`: compare it in etcd like any other value.',
    });
  },

  async 'one-round-trip'(ctx) {
    const key = ROOT + users(ctx.rng, 1)[0];
    const v0 = value(ctx.rng);
    await ctx.kv.put(key).value(v0).exec();
    const client = ctx.client({ label: 'counted' });
    // Once to replace the value, once with expected === next (the value it now holds): one transaction each.
    const v1 = `new ${v0}`;
    for (const [expected, next] of [[v0, v1], [v1, v1]]) {
      const call = `replaceIfEquals(client, key, ${show(expected)}, ${show(next)})`;
      await ctx.student.probe('rpcs', [client]);
      const ok = await ctx.student.call('replaceIfEquals', [client, key, expected, next]);
      const sent = await ctx.student.probe<string[]>('rpcs', [client]);
      // Authentication requests (a class cluster with auth) are the client's own business, not the student's.
      const requests = (sent.ok ? sent.value : []).filter((r) => !r.startsWith('Auth.'));
      expect(ok === true, `${call} returned ${show(ok)} for a key holding the expected value`, { expected: true, actual: ok });
      if (show(requests) === show(['KV.txn'])) continue;
      throw new CheckFailure(`${call} sent ${requests.length} request(s) to etcd: ${listed(requests) || 'none'}`, {
        expected: 'one: KV.txn',
        actual: requests,
        explain: requests.length === 0
          ? 'It answered without asking etcd. Even when expected equals next, only etcd knows what the key holds right now.'
          : requests.includes('KV.range') && requests.includes('KV.txn')
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
      await Promise.all(racers.map((r) => r.worker.probe('rpcs', [ctx.client({ label: r.label })])));
      const results = await Promise.all(racers.map((r) => r.worker.call('replaceIfEquals', [ctx.client({ label: r.label }), key, v0, r.next])));
      const sent = await Promise.all(racers.map(async (r) => {
        const logged = await r.worker.probe<string[]>('rpcs', [ctx.client({ label: r.label })]);
        return logged.ok ? logged.value : [];
      }));
      const winners = racers.filter((_, i) => results[i] === true);
      const final = await currentValue(ctx, key);
      const readFirst = sent.filter((s) => s.includes('KV.range')).length;
      expect(winners.length === 1, `${racers.length} clients raced replaceIfEquals(…, ${show(v0)}, …) on one key: ${winners.length} of them returned true`, {
        expected: 'exactly one winner',
        actual: `${winners.length} winners (${winners.map((w) => w.name).join(', ') || 'none'}); the value is now ${show(final)}; requests per racer: ${sent.map((r) => r.join('+') || 'none').join(' | ')}`,
        explain: winners.length > 1
          ? readFirst
            ? `${readFirst} of the racers read the value first (KV.range) and wrote after: between the two, another client wrote, each believed it won, and all but the last write were lost. The compare and the put must be one transaction.`
            : 'Each racer sent a transaction, so its compare does not decide who wins: compare the value itself (\'Value\', \'==\', expected) and resolve to the transaction\'s `succeeded` (see the notebook-sequence check).'
          : 'One of them must succeed: the value was the expected one when they started.',
      });
      expect(final === winners[0].next, `the winner of the race was ${winners[0].name}, but the value is ${show(final)}`, { expected: winners[0].next, actual: final });
    }
    ctx.note(`${ROUNDS} rounds of ${RACERS_PER_PROCESS * workers.length} racers in 2 processes: one winner each`);
  },
};

export default checks;
