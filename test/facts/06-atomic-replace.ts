/** Facts of LAB.md, "Lab 06 · Atomic replace" (and its stub and hints). */
import { Etcd3, type Namespace } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WireProxy } from '../../lib/checks/helpers/wire.ts';
import { openClient } from '../../lib/connection/client.ts';
import { testCluster } from '../helpers.ts';

describe('facts of Lab 06 · Atomic replace', () => {
  let client: Etcd3;
  let kv: Namespace;
  const prefix = `/facts-06-${process.pid}/`;

  beforeAll(() => {
    client = openClient(testCluster().endpoints, { deadlineMs: 5000 });
    kv = client.namespace(prefix);
  });

  afterAll(async () => {
    await kv.delete().all().exec();
    client.close();
  });

  const swap = (key: string, expected: string, next: string) => kv.if(key, 'Value', '==', expected).then(kv.put(key).value(next)).commit();

  test('"a compare on the value of a key that does **not exist** is always false in etcd (also when you expect `\'\'`), so a compare-and-swap never creates a key"', async () => {
    expect((await swap('/missing', '', 'x')).succeeded).toBe(false);
    expect((await swap('/missing', 'anything', 'x')).succeeded).toBe(false);
    expect((await kv.get('/missing').exec()).kvs).toEqual([]);
    // A key whose value is the empty string is another matter: it exists.
    await kv.put('/empty').value('').exec();
    expect((await swap('/empty', '', 'x')).succeeded).toBe(true);
  });

  test('"compare the *value*: a compare on the version ("still at version 1") breaks as soon as anyone else has written the key"', async () => {
    await kv.put('/versioned').value('a').exec();
    await kv.put('/versioned').value('a').exec();
    expect((await kv.if('/versioned', 'Version', '==', 1).then(kv.put('/versioned').value('b')).commit()).succeeded).toBe(false);
    expect((await swap('/versioned', 'a', 'b')).succeeded).toBe(true);
  });

  test('"A compare-and-swap that etcd applied but whose answer was lost runs a second time, finds `next` instead of `expected`, and resolves to `false`, although your value is the one stored"', async () => {
    await kv.put('/lost-answer').value('expected').exec();
    // One member behind a proxy that cuts the connection as the first answer comes back.
    const proxy = await WireProxy.start(testCluster().endpoints[0], { requestDelayMs: 0, cutAnswer: (connection, requests) => connection === 0 && requests === 1 });
    const root = new Etcd3({ hosts: [proxy.endpoint], defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 1000 }) });
    try {
      const view = root.namespace(prefix);
      const res = await view.if('/lost-answer', 'Value', '==', 'expected').then(view.put('/lost-answer').value('next')).commit();
      expect(res.succeeded).toBe(false);
      expect(proxy.counts().sent).toBe(2);
      expect(await kv.get('/lost-answer').string()).toBe('next');
    } finally {
      root.close();
      await proxy.close();
    }
  });
});
