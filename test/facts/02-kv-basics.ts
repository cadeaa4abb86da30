/** Facts of LAB.md, "Lab 02 · Key/value basics" (and its stub and hints). */
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokenCircuitError, isBrokenCircuitError } from 'cockatiel';
import {
  type CallContext, Etcd3, GRPCAbortedError, GRPCCancelledError, GRPCDeadlineExceededError, GRPCInternalError, GRPCInvalidArgumentError,
  GRPCResourceExhastedError, GRPCUnavailableError, GRPCUnknownError, type Namespace, isRecoverableError,
} from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hungEndpoint, refusedEndpoint } from '../../lib/checks/helpers/unreachable.ts';
import { testCluster } from '../helpers.ts';

const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A client whose deadline function counts the unary attempts it was asked for (none while its circuit breaker refuses). */
function countingClient(hosts: string[], deadlineMs = 1000) {
  const attempts = { unary: 0 };
  const client = new Etcd3({
    hosts,
    defaultCallOptions: (context: CallContext) => {
      if (context.isStream) return {};
      attempts.unary++;
      return { deadline: Date.now() + deadlineMs };
    },
  });
  return { client, attempts };
}

describe('facts of Lab 02 · Key/value basics', () => {
  let root: Etcd3;
  let kv: Namespace;

  beforeAll(() => {
    root = new Etcd3({ hosts: testCluster().endpoints, defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + 5000 }) });
    kv = root.namespace(`/facts-02-${process.pid}/`);
  });

  afterAll(async () => {
    await kv.delete().all().exec();
    root.close();
  });

  test('"`client.get(key).string()` resolves to `null` for a missing key. The empty string is a value like any other"', async () => {
    await kv.put('empty').value('').exec();
    expect(await kv.get('empty').string()).toBe('');
    expect(await kv.get('never-written').string()).toBeNull();
  });

  test('"`client.getAll().keys()` returns every key, sorted the way etcd stores them: by their **bytes**"', async () => {
    const names = ['Zebra', 'apple', 'ｚ', '😀', '10', '9', 'ß'];
    const sorted = kv.namespace('sorted/');
    for (const name of names) await sorted.put(name).value('v').exec();
    expect(await sorted.getAll().keys()).toEqual([...names].sort(bytes));
  });

  test('"JavaScript\'s default sort compares UTF-16 code units (an emoji sorts before `ｚ`, its UTF-8 bytes after), `localeCompare` follows language rules (`apple` before `Zebra`, bytes say the opposite)"', () => {
    expect(['ｚ', '😀'].sort()).toEqual(['😀', 'ｚ']);
    expect(['ｚ', '😀'].sort(bytes)).toEqual(['ｚ', '😀']);
    expect(['Zebra', 'apple'].sort((a, b) => a.localeCompare(b))).toEqual(['apple', 'Zebra']);
    expect(['Zebra', 'apple'].sort(bytes)).toEqual(['Zebra', 'apple']);
  });

  test('"`Object.keys()` of `getAll().strings()` lists integer-like keys first, in numeric order (`9` before `10`; bytes say `10` first)"', async () => {
    const numbers = kv.namespace('numbers/');
    for (const name of ['10', '9', 'a']) await numbers.put(name).value('v').exec();
    expect(await numbers.getAll().keys()).toEqual(['10', '9', 'a']);
    expect(Object.keys(await numbers.getAll().strings())).toEqual(['9', '10', 'a']);
  });

  test('"`client.delete().key(key).exec()` tells you how many keys it deleted, as `deleted: \'0\'` or `\'1\'`. `.prefix(key)` would delete every key that starts with `key`"', async () => {
    const d = kv.namespace('delete/');
    for (const key of ['k', 'k/child', 'kx']) await d.put(key).value('v').exec();
    expect((await d.delete().key('k').exec()).deleted).toBe('1');
    expect((await d.delete().key('k').exec()).deleted).toBe('0');
    await d.put('k').value('v').exec();
    expect((await d.delete().prefix('k').exec()).deleted).toBe('3');
  });

  test('"When the cluster is down, etcd3 throws gRPC errors: `GRPCUnavailableError` (no connection) and `GRPCDeadlineExceededError` (no answer in time)"', async () => {
    const hung = await hungEndpoint();
    const refused = new Etcd3({ hosts: await refusedEndpoint() });
    const silent = new Etcd3({ hosts: hung.endpoint });
    try {
      await expect(refused.get('k').string()).rejects.toBeInstanceOf(GRPCUnavailableError);
      await expect(silent.get('k').options({ deadline: Date.now() + 300 }).string()).rejects.toBeInstanceOf(GRPCDeadlineExceededError);
    } finally {
      refused.close();
      silent.close();
      await hung.close();
    }
  });

  test('"After 3 failures in a row on a member, its circuit breaker (the cockatiel library) refuses that member for five seconds without trying it", and then "a call fail[s], at once, with `BrokenCircuitError`"', async () => {
    const { client, attempts } = countingClient([await refusedEndpoint()]);
    try {
      await expect(client.get('k').string()).rejects.toBeInstanceOf(GRPCUnavailableError);
      expect(attempts.unary).toBe(3);
      await expect(client.get('k').string()).rejects.toBeInstanceOf(BrokenCircuitError);
      await sleep(3500);
      await expect(client.get('k').string()).rejects.toBeInstanceOf(BrokenCircuitError);
      expect(attempts.unary).toBe(3);
      await sleep(2000);
      await expect(client.get('k').string()).rejects.toBeInstanceOf(GRPCUnavailableError);
      expect(attempts.unary).toBeGreaterThan(3);
    } finally {
      client.close();
    }
  });

  test('"The breaker belongs to one client and one member: a refused member is skipped silently while others remain"', async () => {
    const dead = await refusedEndpoint();
    const { client } = countingClient([dead, ...testCluster().endpoints]);
    const other = new Etcd3({ hosts: dead });
    try {
      // Every call succeeds, however often the dead member was picked (its breaker opens after 3 of those).
      for (let i = 0; i < 30; i++) await expect(client.get('k').string()).resolves.toBeNull();
      // Another client of the dead member has a breaker of its own, still closed: it tries, and fails as a refusal.
      await expect(other.get('k').string()).rejects.toBeInstanceOf(GRPCUnavailableError);
    } finally {
      client.close();
      other.close();
    }
  });

  test('"an empty key, for instance, is `GRPCInvalidArgumentError`, a mistake in the request and not an outage"', async () => {
    const { client, attempts } = countingClient(testCluster().endpoints);
    try {
      await expect(client.get('').string()).rejects.toBeInstanceOf(GRPCInvalidArgumentError);
      await expect(client.put('').value('v').exec()).rejects.toThrow(/key is not provided/);
      expect(attempts.unary).toBe(2); // not retried
      expect(isRecoverableError(new GRPCInvalidArgumentError('x'))).toBe(false);
    } finally {
      client.close();
    }
  });

  test('"etcd3\'s own `isRecoverableError(e)` … is false for `BrokenCircuitError`, and true for more than outages: `INTERNAL`, `UNKNOWN`, `RESOURCE_EXHAUSTED` …, `CANCELLED` and `ABORTED` too"', () => {
    const broken = new BrokenCircuitError();
    expect(isBrokenCircuitError(broken)).toBe(true);
    expect(isRecoverableError(broken)).toBe(false);
    for (const E of [GRPCUnavailableError, GRPCDeadlineExceededError, GRPCInternalError, GRPCUnknownError, GRPCResourceExhastedError, GRPCCancelledError, GRPCAbortedError]) {
      expect(isRecoverableError(new E('x')), E.name).toBe(true);
    }
  });

  test('"`RESOURCE_EXHAUSTED` (an answer over 4 MiB) … etcd3 retries all of those, and they all count towards the breaker"', async () => {
    const big = kv.namespace('big/');
    const value = 'x'.repeat(1400 * 1024);
    for (const key of ['a', 'b', 'c']) await big.put(key).value(value).exec();
    // Two members: etcd3 tries 4 times (the breaker of neither opens at 2); one member: 3, then its breaker is open.
    const two = countingClient(testCluster().endpoints.slice(0, 2), 5000);
    const one = countingClient(testCluster().endpoints.slice(0, 1), 5000);
    try {
      await expect(two.client.namespace(`/facts-02-${process.pid}/big/`).getAll().strings()).rejects.toBeInstanceOf(GRPCResourceExhastedError);
      expect(two.attempts.unary).toBe(4);
      await expect(one.client.namespace(`/facts-02-${process.pid}/big/`).getAll().strings()).rejects.toBeInstanceOf(GRPCResourceExhastedError);
      await expect(one.client.get('k').string()).rejects.toBeInstanceOf(BrokenCircuitError);
    } finally {
      two.client.close();
      one.client.close();
      await big.delete().all().exec();
    }
  });

  test('"`INTERNAL` … etcd3 retries all of those, and they all count towards the breaker": a request etcd3 cannot encode (`memberList()` without its `{}`) switches off a healthy member', async () => {
    const { client, attempts } = countingClient(testCluster().endpoints.slice(0, 1));
    try {
      await expect((client.cluster.memberList as unknown as () => Promise<unknown>)()).rejects.toBeInstanceOf(GRPCInternalError);
      expect(attempts.unary).toBe(3);
      // The member is up, yet refused without being tried: the programming error opened its breaker.
      await expect(client.get('k').string()).rejects.toBeInstanceOf(BrokenCircuitError);
      expect(attempts.unary).toBe(3);
    } finally {
      client.close();
    }
  });

  test('"every builder has `.options({ deadline: Date.now() + 2000 })`, one time shared by the call\'s attempts (etcd3 retries a failed call up to 3 times)"', async () => {
    // Two members that never answer (so no breaker opens): 4 attempts, yet the call ends at its one deadline, not 4 × later.
    const hung = [await hungEndpoint(), await hungEndpoint()];
    const { client, attempts } = countingClient(hung.map((h) => h.endpoint), 60_000);
    try {
      const began = performance.now();
      await expect(client.get('k').options({ deadline: Date.now() + 1000 }).string()).rejects.toBeInstanceOf(GRPCDeadlineExceededError);
      expect(attempts.unary).toBe(4);
      // 1 s shared: ~1 s; 1 s per attempt would be 4 s (the margin holds with both cores busy).
      expect(performance.now() - began).toBeLessThan(2500);
    } finally {
      client.close();
      await Promise.all(hung.map((h) => h.close()));
    }
  });
});
