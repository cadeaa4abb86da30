/** Facts of LAB.md, "Lab 05 · Range scans" (and its stub and hints). */
import { isBrokenCircuitError } from 'cockatiel';
import { Etcd3, type Namespace } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WireProxy } from '../../lib/checks/helpers/wire.ts';
import { openClient } from '../../lib/connection/client.ts';
import { testCluster } from '../helpers.ts';

describe('facts of Lab 05 · Range scans', () => {
  let client: Etcd3;
  let kv: Namespace;
  const prefix = `/facts-05-${process.pid}/`;
  const users: Record<string, string> = { Emi: 'ws-a', Emil: 'Zebra-1', Oska: 'apple-2', Oskar: 'ｚ-3', Oskara: '😀-4', 42: 'pc-5', 7: 'lab-6' };

  beforeAll(async () => {
    client = openClient(testCluster().endpoints, { deadlineMs: 5000 });
    kv = client.namespace(prefix);
    for (const [name, host] of Object.entries(users)) await kv.put(`/logged_users/${name}`).value(host).exec();
    await kv.put('/logged_users0').value('just past the prefix').exec();
    await kv.put('/logged_users/ｚ').value('fullwidth').exec();
    await kv.put('/logged_users/😀').value('emoji').exec();
  });

  afterAll(async () => {
    await kv.delete().all().exec();
    client.close();
  });

  const names = (keys: string[]) => keys.map((k) => k.slice('/logged_users/'.length));

  test('"The end is **exclusive**: the range is [start, end)"', async () => {
    expect(names(await kv.getAll().inRange({ start: '/logged_users/Emil', end: '/logged_users/Oskar' }).keys())).toEqual(['Emil', 'Oska']);
  });

  test('"A prefix read is the same thing: the range from the prefix to the prefix with its last byte incremented (`/logged_users/` to `/logged_users0`)"', async () => {
    const byPrefix = await kv.getAll().prefix('/logged_users/').keys();
    expect(await kv.getAll().inRange({ start: '/logged_users/', end: '/logged_users0' }).keys()).toEqual(byPrefix);
    expect(byPrefix).not.toContain('/logged_users0');
  });

  test('"etcd keeps keys in a B-tree ordered by their bytes": "ｚ" (EF BD 9A) before "😀" (F0 9F 98 80), unlike UTF-16', async () => {
    const keys = names(await kv.getAll().prefix('/logged_users/').keys());
    expect(keys.slice(-2)).toEqual(['ｚ', '😀']);
    expect('😀' < 'ｚ').toBe(true);
  });

  test('"etcd can sort the answer by … value … (`.sort(\'Value\', \'Descend\')`). It sorts bytes."', async () => {
    const res = await kv.getAll().inRange({ start: '/logged_users/Emil', end: '/logged_users/Oskara0' }).sort('Value', 'Descend').exec();
    expect(res.kvs.map((k) => k.value.toString())).toEqual(['😀-4', 'ｚ-3', 'apple-2', 'Zebra-1']);
  });

  test('"`.strings()` is keyed by the full key (`/logged_users/42`), so its order survives; but strip the prefix into an object, and a user called `42` jumps to the front"', async () => {
    const sorted = await kv.getAll().prefix('/logged_users/').sort('Value', 'Descend').exec();
    const order = sorted.kvs.map((k) => k.key.toString());
    const strings = await kv.getAll().prefix('/logged_users/').sort('Value', 'Descend').strings();
    expect(Object.keys(strings)).toEqual(order);
    const byName: Record<string, string> = {};
    for (const key of order) byName[key.slice('/logged_users/'.length)] = strings[key];
    expect(Object.keys(byName).slice(0, 2)).toEqual(['7', '42']);
    expect(names(order).slice(0, 2)).not.toEqual(['7', '42']);
  });

  test('"A range that may be large is read in pages: `.limit(n)`, and the next page starts just after the last key of this one (`res.more` says whether there is one)"', async () => {
    const first = await kv.getAll().inRange({ start: '/logged_users/', end: '/logged_users0' }).limit(3).exec();
    expect(first.more).toBe(true);
    const last = first.kvs[first.kvs.length - 1].key.toString();
    const rest = await kv.getAll().inRange({ start: `${last}\0`, end: '/logged_users0' }).keys();
    expect([...first.kvs.map((k) => k.key.toString()), ...rest]).toEqual(await kv.getAll().prefix('/logged_users/').keys());
  });

  test('"the gRPC client refuses an answer over 4 MiB (`RESOURCE_EXHAUSTED`)… it sends the same request again, fails the same way, and after 3 failures in a row its circuit breaker refuses that member"', async () => {
    const big = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 5; i++) await kv.put(`/big/${i}`).value(big).exec();
    // One member behind a proxy that counts the requests; a client of its own, with etcd3's default retries and breaker.
    const proxy = await WireProxy.start(testCluster().endpoints[0], { requestDelayMs: 0 });
    const root = new Etcd3({ hosts: [proxy.endpoint] });
    try {
      const view = root.namespace(prefix);
      await expect(view.getAll().prefix('/big/').exec()).rejects.toThrow(/RESOURCE_EXHAUSTED|Received message larger than max/);
      expect(proxy.counts().sent).toBe(3);
      const next = await view.get('/logged_users/Emil').string().then(() => undefined, (e: Error) => e);
      expect(next && isBrokenCircuitError(next)).toBe(true);
      // Pages of a size the client accepts work.
      expect((await kv.getAll().prefix('/big/').limit(2).keys()).length).toBe(2);
    } finally {
      root.close();
      await proxy.close();
      await kv.delete().prefix('/big/').exec();
    }
  });
});
