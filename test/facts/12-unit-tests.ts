/** Facts of LAB.md, "Lab 12 · Unit tests" (and its stub and hints). */
import { Etcd3 } from 'etcd3';
import { describe, expect, test } from 'vitest';
import { testCluster } from '../helpers.ts';

describe('facts of Lab 12 · Unit tests', () => {
  test('"`freshClient()` solves that: every call gives a client inside a new, empty namespace, and `closeClients()` deletes those namespaces afterwards"', async () => {
    const { endpoints } = testCluster();
    const saved = { connection: process.env.LAB12_CONNECTION, namespace: process.env.LAB12_NAMESPACE };
    process.env.LAB12_CONNECTION = JSON.stringify({ endpoints });
    process.env.LAB12_NAMESPACE = `/facts-12-${process.pid}/`;
    const root = new Etcd3({ hosts: endpoints });
    try {
      const { closeClients, freshClient } = await import('../../lib/test-kit.ts');
      const [a, b] = [await freshClient(), await freshClient()];
      await a.put('k').value('in a').exec();
      expect(await a.getAll().keys()).toEqual(['k']);
      expect(await b.getAll().keys()).toEqual([]);
      expect(await root.getAll().prefix(`/facts-12-${process.pid}/`).keys()).toHaveLength(1);
      await closeClients();
      expect(await root.getAll().prefix(`/facts-12-${process.pid}/`).keys()).toEqual([]);
    } finally {
      process.env.LAB12_CONNECTION = saved.connection;
      process.env.LAB12_NAMESPACE = saved.namespace;
      if (saved.connection === undefined) delete process.env.LAB12_CONNECTION;
      if (saved.namespace === undefined) delete process.env.LAB12_NAMESPACE;
      root.close();
    }
  });

  test('the mock\'s wrong idea "that a value round-trips whatever its encoding": text stored as Latin-1 bytes reads back as other text', async () => {
    const root = new Etcd3({ hosts: testCluster().endpoints });
    const kv = root.namespace(`/facts-12-${process.pid}-latin1/`);
    try {
      await kv.put('k').value(Buffer.from('zażółć 😀', 'latin1')).exec();
      expect(await kv.get('k').string()).not.toBe('zażółć 😀');
      await kv.put('k').value('zażółć 😀').exec();
      expect(await kv.get('k').string()).toBe('zażółć 😀');
    } finally {
      await kv.delete().all().exec();
      root.close();
    }
  });
});
