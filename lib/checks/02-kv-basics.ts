/**
 * Lab 02 checks: putValue, getValue, listKeys, deleteKey, and what they do
 * when the cluster is gone. Keys live under /lab02/<run>/ with names chosen
 * so that JavaScript's sort orders differ from etcd's byte order.
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { byteCompare, value } from './helpers/data.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { hungEndpoint, refusedEndpoint } from './helpers/unreachable.ts';
import type { CallOutcome } from '../sandbox/sandbox.ts';
import { expectKitError } from './helpers/expect-error.ts';

/**
 * Names where byte order, UTF-16 order and locale order disagree. The first
 * four are always in the listing: 'Zebra' < 'apple' in bytes but not for
 * localeCompare; 'ｚ' (U+FF5A) < '😀' in UTF-8 bytes but not in UTF-16 code
 * units (JavaScript's default sort). Without them a wrong sort could pass.
 */
const TRAPS = ['Zebra', 'apple', 'ｚ-fullwidth', '😀-emoji'];
const TRICKY = [...TRAPS, 'Ápple', '10', '9', 'a b', 'a-b', 'a_b', 'ß', 'z'];

function runPrefix(ctx: CheckContext): string {
  return `/lab02/${ctx.rng.token()}/`;
}

async function unavailable(ctx: CheckContext, endpoint: string, limitMs: number, label: string): Promise<void> {
  // No deadline on this client: your functions must bound their own calls. A
  // fake member takes no login or TLS (on a class cluster: the target's would hang first).
  const client = ctx.clientFor([endpoint]);
  const key = `/lab02/${ctx.rng.token()}`;
  const calls: [string, unknown[]][] = [
    ['listKeys', [client]], ['getValue', [client, key]], ['putValue', [client, key, 'v']], ['deleteKey', [client, key]],
  ];
  const outcomes: CallOutcome[] = await Promise.all(calls.map(([fn, args]) => ctx.student.attempt(fn, args, { timeoutMs: ctx.timeoutMs })));
  // A call that timed out got the lab process killed, and with it the calls still
  // running: report the hang first, not the kills it caused.
  const hung = outcomes.findIndex((o) => !o.ok && o.kind === 'timeout');
  if (hung >= 0) {
    throw new CheckFailure(`${calls[hung][0]}() was still waiting after ${ctx.timeoutMs / 1000} s with ${label}`, {
      expected: `a ClusterUnavailableError within ${limitMs / 1000} s`,
      actual: 'no answer: the call has no deadline',
      explain: 'The client you get has no default deadline. Bound every call: client.get(key).options({ deadline: Date.now() + 2000 }), likewise put(), delete(), getAll().',
    });
  }
  const times: string[] = [];
  calls.forEach(([fn], i) => {
    const outcome = outcomes[i];
    expectKitError(ctx, `${fn}()`, outcome, 'ClusterUnavailableError', `with ${label} every function must reject with ClusterUnavailableError`);
    expect(outcome.ms <= limitMs, `${fn}() rejected only after ${(outcome.ms / 1000).toFixed(1)} s with ${label}`, { expected: `within ${limitMs / 1000} s` });
    times.push(`${fn} ${(outcome.ms / 1000).toFixed(1)} s`);
  });
  ctx.note(times.join(', '));
}

const checks: LabChecks = {
  async 'put-value'(ctx) {
    const prefix = runPrefix(ctx);
    const keys = Array.from({ length: 3 }, () => prefix + ctx.rng.pick(TRICKY) + ctx.rng.token(3));
    for (const key of keys) {
      const v = value(ctx.rng);
      await ctx.student.call('putValue', [ctx.client(), key, v]);
      const stored = await ctx.kv.get(key).buffer();
      expect(stored !== null, `after putValue(client, ${show(key)}, ...) the key does not exist`);
      expect(stored.equals(Buffer.from(v)), `putValue(client, ${show(key)}, ${show(v)}) stored other bytes`, {
        expected: v, actual: stored.toString('utf8'),
      });
    }
    const next = value(ctx.rng);
    await ctx.student.call('putValue', [ctx.client(), keys[0], next]);
    expect((await ctx.kv.get(keys[0]).string()) === next, 'putValue() on an existing key must overwrite its value', { expected: next, actual: await ctx.kv.get(keys[0]).string() });
    const written = await ctx.kv.getAll().prefix(prefix).keys();
    const extra = written.filter((k) => !keys.includes(k));
    expect(extra.length === 0, 'putValue() wrote keys it was not asked to write', { actual: extra });
  },

  async 'get-value'(ctx) {
    const prefix = runPrefix(ctx);
    const entries = Array.from({ length: 4 }, (_, i) => [prefix + ctx.rng.pick(TRICKY) + i, i === 0 ? '' : value(ctx.rng)] as const);
    await Promise.all(entries.map(([k, v]) => ctx.kv.put(k).value(v).exec()));
    for (const [key, expected] of ctx.rng.shuffle(entries)) {
      const outcome = await ctx.student.attempt<string>('getValue', [ctx.client(), key]);
      if (!outcome.ok && expected === '' && outcome.kind === 'threw' && outcome.error.kitClass === 'KeyNotFoundError') {
        throw new CheckFailure(`getValue(client, ${show(key)}) threw KeyNotFoundError, but the key exists: its value is the empty string`, {
          explain: "'' is falsy in JavaScript: test for null (missing), not for a falsy value.",
        });
      }
      if (!outcome.ok) throw ctx.student.failure('getValue()', outcome);
      expect(outcome.value === expected, `getValue(client, ${show(key)}) returned the wrong value`, { expected, actual: outcome.value });
    }
  },

  async 'get-missing'(ctx) {
    const prefix = runPrefix(ctx);
    const missing = prefix + ctx.rng.pick(TRICKY);
    // Neighbours that a prefix read would find.
    await ctx.kv.put(`${missing}/child`).value('decoy').exec();
    await ctx.kv.put(`${missing}x`).value('decoy').exec();
    const outcome = await ctx.student.attempt('getValue', [ctx.client(), missing]);
    expectKitError(ctx, `getValue(client, ${show(missing)})`, outcome, 'KeyNotFoundError', 'the key does not exist');
  },

  async 'list-keys'(ctx) {
    const prefix = runPrefix(ctx);
    const names = [...TRAPS, ...ctx.rng.sample(TRICKY.slice(TRAPS.length), ctx.rng.int(4, TRICKY.length - TRAPS.length))];
    const extra = Array.from({ length: ctx.rng.int(3, 12) }, () => `${ctx.rng.token(5)}`);
    await Promise.all([...names, ...extra].map((n) => ctx.kv.put(prefix + n).value(value(ctx.rng)).exec()));
    const truth = await ctx.kv.getAll().keys();
    const listed = await ctx.student.call<string[]>('listKeys', [ctx.client()]);
    expect(Array.isArray(listed), 'listKeys() must resolve to an array of keys', { actual: listed });
    const missing = truth.filter((k) => !listed.includes(k));
    expect(missing.length === 0, `listKeys() left out ${missing.length} of ${truth.length} keys`, {
      expected: truth.length, actual: listed.length, explain: `missing: ${show(missing.slice(0, 5))}${listed.length < truth.length && listed.length % 10 === 0 ? ' (a limit on the range?)' : ''}`,
    });
    const unknown = listed.filter((k) => !truth.includes(k));
    expect(unknown.length === 0, 'listKeys() returned keys that do not exist', { actual: unknown.slice(0, 5) });
    for (let i = 1; i < listed.length; i++) {
      if (byteCompare(listed[i - 1], listed[i]) > 0) {
        throw new CheckFailure(`listKeys() is not in byte order: ${show(listed[i - 1])} comes before ${show(listed[i])}`, {
          expected: `${show(listed[i])} first (its UTF-8 bytes sort lower)`,
          explain: 'etcd already returns keys in byte order; JavaScript sorts (default sort, localeCompare) do not compare bytes.',
        });
      }
    }
    expect(listed.length === truth.length, 'listKeys() returned some keys twice', { expected: truth.length, actual: listed.length });
  },

  async 'delete-key'(ctx) {
    const prefix = runPrefix(ctx);
    const key = prefix + ctx.rng.pick(TRICKY);
    const decoys = [`${key}/child`, `${key}x`];
    await Promise.all([key, ...decoys].map((k) => ctx.kv.put(k).value(value(ctx.rng)).exec()));
    await ctx.student.call('deleteKey', [ctx.client(), key]);
    expect((await ctx.kv.get(key).string()) === null, `deleteKey(client, ${show(key)}) did not delete the key`);
    for (const decoy of decoys) {
      expect((await ctx.kv.get(decoy).string()) !== null, `deleteKey(client, ${show(key)}) also deleted ${show(decoy)}`, {
        explain: 'Delete the one key (client.delete().key(key)), not every key that starts with it (.prefix).',
      });
    }
    const again = await ctx.student.attempt('deleteKey', [ctx.client(), key]);
    expectKitError(ctx, `deleteKey(client, ${show(key)}) on a key that no longer exists`, again, 'KeyNotFoundError', 'deleting an absent key must say so');
  },

  async 'unavailable-refused'(ctx) {
    await unavailable(ctx, await refusedEndpoint(), 5000, 'every endpoint refusing connections');
  },

  async 'unavailable-hung'(ctx) {
    const hung = await hungEndpoint();
    try {
      await unavailable(ctx, hung.endpoint, 5000, 'a member that accepts connections and never answers');
    } finally {
      await hung.close();
    }
  },
};

export default checks;
