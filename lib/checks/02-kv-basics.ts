/**
 * Lab 02 checks: putValue, getValue, listKeys, deleteKey, and what they do
 * when the cluster is gone. Keys live under /lab02/<run>/ with names chosen
 * so that JavaScript's sort orders differ from etcd's byte order. When the
 * cluster is gone each function is called twice: the second call meets
 * etcd3's open circuit breaker (BrokenCircuitError). An error that is not
 * about reaching the cluster (an empty key) must not become
 * ClusterUnavailableError.
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { byteCompare, value } from './helpers/data.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { describeThrown, threwOwnError } from '../runner/student.ts';
import { classifyEtcdError } from '../connection/etcd-errors.ts';
import { etcdErrorMeaning } from './helpers/etcd-error-text.ts';
import { sleep } from './helpers/time.ts';
import { hungEndpoint, refusedEndpoint } from './helpers/unreachable.ts';
import type { CallOutcome } from '../sandbox/sandbox.ts';
import { expectKitError } from './helpers/expect-error.ts';

/**
 * Names where byte order, UTF-16 order, locale order and JavaScript's object
 * key order disagree. These are always in the listing: 'Zebra' < 'apple' in
 * bytes but not for localeCompare; 'ｚ' (U+FF5A) < '😀' in UTF-8 bytes but
 * not in UTF-16 code units (JavaScript's default sort); '10' < '9' in bytes,
 * while Object.keys() lists integer-like keys first, in numeric order.
 * Without them a wrong sort could pass.
 */
const TRAPS = ['Zebra', 'apple', 'ｚ-fullwidth', '😀-emoji', '10', '9'];
const TRICKY = [...TRAPS, 'Ápple', 'a b', 'a-b', 'a_b', 'ß', 'z'];

function runPrefix(ctx: CheckContext): string {
  return `/lab02/${ctx.rng.token()}/`;
}

const FUNCTIONS = ['listKeys', 'getValue', 'putValue', 'deleteKey'] as const;

/** What a student's leaked error is, in words (the raw gRPC text alone rarely says). */
function meaning(outcome: CallOutcome): string | undefined {
  if (!threwOwnError(outcome)) return undefined;
  return etcdErrorMeaning(outcome.error) || undefined;
}

/** One round of the four functions, side by side, on `client`; each must reject with ClusterUnavailableError within `limitMs`. */
async function unavailableRound(ctx: CheckContext, client: unknown, limitMs: number, label: string, round: string): Promise<string[]> {
  const key = `/lab02/${ctx.rng.token()}`;
  const args: Record<(typeof FUNCTIONS)[number], unknown[]> = { listKeys: [client], getValue: [client, key], putValue: [client, key, 'v'], deleteKey: [client, key] };
  const stray = ctx.student.box.stray.length;
  const outcomes: CallOutcome[] = await Promise.all(FUNCTIONS.map((fn) => ctx.student.attempt(fn, args[fn], { timeoutMs: ctx.timeoutMs })));
  // A call that timed out got the lab process killed, and with it the calls still
  // running: report the hang first, not the kills it caused.
  const hung = outcomes.findIndex((o) => !o.ok && o.kind === 'timeout');
  if (hung >= 0) {
    throw new CheckFailure(`${FUNCTIONS[hung]}() was still waiting after ${ctx.timeoutMs / 1000} s with ${label}${round}`, {
      expected: `a ClusterUnavailableError within ${limitMs / 1000} s`,
      actual: 'no answer: the call has no deadline',
      explain: 'The client you get has no default deadline. Bound every call: client.get(key).options({ deadline: Date.now() + 2000 }), likewise put(), delete(), getAll().',
    });
  }
  const times: string[] = [];
  for (const [i, fn] of FUNCTIONS.entries()) {
    const outcome = outcomes[i];
    if (outcome.ok) {
      await sleep(100);
      const later = ctx.student.box.stray.length > stray;
      throw new CheckFailure(`${fn}() resolved with ${show(outcome.value)} with ${label}${round}: it must reject with ClusterUnavailableError`, {
        expected: 'a rejection with ClusterUnavailableError', actual: `it resolved after ${(outcome.ms / 1000).toFixed(1)} s`,
        explain: later
          ? 'Its failure came after it had resolved, as an error nobody awaited: a missing await (a put, a delete or a get not awaited, or awaited inside a callback).'
          : 'Likely causes: a call that was not awaited (the function returns before etcd answers), or an error caught and dropped.',
      });
    }
    if (threwOwnError(outcome) && outcome.error.kitClass !== 'ClusterUnavailableError' && classifyEtcdError(outcome.error).kind === 'breaker-open') {
      throw new CheckFailure(`${fn}() threw ${describeThrown(outcome.error)} with ${label}${round}`, {
        expected: 'ClusterUnavailableError', actual: describeThrown(outcome.error),
        explain: 'That is etcd3\'s circuit breaker: after 3 failures in a row on a member it refuses the member for 5 s, and once every member of the client is refused, a call fails at once, without reaching any. '
          + 'The cluster cannot be reached all the same: isRecoverableError() is false for BrokenCircuitError, so test for it too (isBrokenCircuitError from \'cockatiel\') and throw ClusterUnavailableError.',
      });
    }
    const said = meaning(outcome);
    expectKitError(ctx, `${fn}()`, outcome, 'ClusterUnavailableError', `with ${label}${round} every function must reject with ClusterUnavailableError${said ? ` (that error means: ${said})` : ''}`);
    expect(outcome.ms <= limitMs, `${fn}() rejected only after ${(outcome.ms / 1000).toFixed(1)} s with ${label}${round}`, {
      expected: `within ${limitMs / 1000} s`,
      explain: 'etcd3 retries a failed call up to 3 times: a deadline given with .options({ deadline }) is one time shared by those attempts. Keep it well under the limit (2 s).',
    });
    times.push(`${fn} ${(outcome.ms / 1000).toFixed(1)} s`);
  }
  return times;
}

async function unavailable(ctx: CheckContext, endpoint: string, limitMs: number, label: string): Promise<void> {
  // No deadline on this client: your functions must bound their own calls. A
  // fake member takes no login or TLS (on a class cluster: the target's would hang first).
  const client = ctx.clientFor([endpoint]);
  const first = await unavailableRound(ctx, client, limitMs, label, '');
  // The same client again, at once: the failures above opened etcd3's circuit breaker for
  // this member (3 in a row), so now every call fails with BrokenCircuitError, without trying.
  const second = await unavailableRound(ctx, client, limitMs, label, ', called a second time (etcd3\'s circuit breaker now open)');
  ctx.note(`${first.join(', ')}; again: ${second.join(', ')}`);
}

/** The empty key: etcd refuses the request itself (INVALID_ARGUMENT), on a cluster that is up. */
async function expectRefusedRequestThrough(ctx: CheckContext, fn: string, args: unknown[], shown: string): Promise<string> {
  const outcome = await ctx.student.attempt(fn, args);
  if (outcome.ok) {
    throw new CheckFailure(`${shown} resolved with ${show(outcome.value)}: etcd refuses an empty key, so it must reject`, {
      expected: 'the error etcd3 throws (GRPCInvalidArgumentError: etcdserver: key is not provided), let through',
      explain: 'Likely causes: an error caught and dropped, or a call that was not awaited.',
    });
  }
  if (!threwOwnError(outcome)) throw ctx.student.failure(shown, outcome);
  expect(outcome.error.kitClass !== 'ClusterUnavailableError', `${shown} threw ClusterUnavailableError, but the cluster is up: etcd refused the request itself`, {
    expected: 'the error etcd3 throws (GRPCInvalidArgumentError: etcdserver: key is not provided), let through unchanged',
    actual: describeThrown(outcome.error),
    explain: 'Only failures to reach the cluster (refused, timed out, circuit breaker open) are ClusterUnavailableError. '
      + 'An invalid argument, a permission error or a bug is not "the cluster is unavailable": turning every error into it hides them. Test what the error is before converting it.',
  });
  return `${fn}: ${describeThrown(outcome.error)}`;
}

const checks: LabChecks = {
  async 'put-value'(ctx) {
    const prefix = runPrefix(ctx);
    const keys = Array.from({ length: 3 }, () => prefix + ctx.rng.pick(TRICKY) + ctx.rng.token(3));
    for (const key of keys) {
      const v = value(ctx.rng);
      await ctx.student.call('putValue', [ctx.client(), key, v]);
      const stored = await ctx.kv.get(key).buffer();
      if (stored === null) {
        await sleep(300);
        const late = (await ctx.kv.get(key).string()) !== null;
        throw new CheckFailure(`after putValue(client, ${show(key)}, ...) resolved, the key did not exist${late ? ': it appeared a moment later' : ''}`, {
          expected: 'the key is there once putValue() resolves',
          explain: late
            ? 'The put landed after putValue() had resolved: it was not awaited (await client.put(key).value(value).exec()).'
            : 'Likely causes: the put was never sent (a builder without .exec(), or .value() forgotten), or it was not awaited and failed.',
        });
      }
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
    // The keys are listed through a client whose namespace is this run's folder, so their names
    // are the bare trap names ('10', '9', 'Zebra', ...): etcd3 strips the namespace.
    const prefix = runPrefix(ctx);
    const names = [...TRAPS, ...ctx.rng.sample(TRICKY.slice(TRAPS.length), ctx.rng.int(2, TRICKY.length - TRAPS.length))];
    const extra = Array.from({ length: ctx.rng.int(3, 12) }, () => `${ctx.rng.token(5)}`);
    await Promise.all([...names, ...extra].map((n) => ctx.kv.put(prefix + n).value(value(ctx.rng)).exec()));
    const truth = (await ctx.kv.getAll().prefix(prefix).keys()).map((k) => k.slice(prefix.length));
    const listed = await ctx.student.call<string[]>('listKeys', [ctx.client({ namespace: `${ctx.target.namespace}${prefix}` })]);
    expect(Array.isArray(listed), 'listKeys() must resolve to an array of keys', { actual: listed });
    const missing = truth.filter((k) => !listed.includes(k));
    expect(missing.length === 0, `listKeys() left out ${missing.length} of ${truth.length} keys`, {
      expected: truth.length, actual: listed.length,
      explain: `missing: ${show(missing.slice(0, 5))}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}${listed.length < truth.length && listed.length % 10 === 0 ? ' (a limit on the range?)' : ''}`,
    });
    const unknown = listed.filter((k) => !truth.includes(k));
    expect(unknown.length === 0, 'listKeys() returned keys that do not exist', { actual: unknown.slice(0, 5), explain: unknown.length > 5 ? `(the first 5 of ${unknown.length})` : undefined });
    for (let i = 1; i < listed.length; i++) {
      const [a, b] = [listed[i - 1], listed[i]];
      if (byteCompare(a, b) > 0) {
        const integers = /^(0|[1-9]\d*)$/.test(a) && /^(0|[1-9]\d*)$/.test(b);
        throw new CheckFailure(`listKeys() is not in byte order: ${show(a)} comes before ${show(b)}`, {
          expected: `${show(b)} first (its UTF-8 bytes sort lower)`,
          explain: integers
            ? 'Object.keys() (of getAll().strings(), say) lists integer-like keys first, in numeric order, whatever order they were added in. etcd already returns keys in byte order: getAll().keys() keeps it.'
            : 'etcd already returns keys in byte order; JavaScript sorts (default sort, localeCompare) do not compare bytes.',
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

  async 'other-errors'(ctx) {
    // No namespace: the empty key stays empty, and etcd refuses it (INVALID_ARGUMENT) before any
    // permission check. Never deleteKey(): outside a namespace, a delete by prefix of '' (a mistake
    // lab 02 catches elsewhere) would delete every key of the cluster.
    const client = ctx.client({ namespace: undefined });
    const said = [
      await expectRefusedRequestThrough(ctx, 'getValue', [client, ''], 'getValue(client, \'\')'),
      await expectRefusedRequestThrough(ctx, 'putValue', [client, '', 'v'], 'putValue(client, \'\', \'v\')'),
    ];
    ctx.note(`with the empty key: ${said.join('; ')}`);
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
