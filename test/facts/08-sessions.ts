/** Facts of LAB.md, "Lab 08 · Sessions" (and its stub and hints), on the suite's second cluster. */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { projectRoot } from '../../lib/paths.ts';
import { testCluster } from '../helpers.ts';

describe('facts of Lab 08 · Sessions', () => {
  let client: Etcd3;
  beforeAll(() => {
    client = new Etcd3({ hosts: testCluster().endpoints });
  });
  afterAll(() => client.close());

  const exists = async (key: string) => (await client.get(key).exec()).kvs.length > 0;

  test('"`lease.revoke()` tells etcd to drop the lease now: its keys disappear at once"', async () => {
    const lease = client.lease(30);
    await lease.put('/facts08/revoked').value('x').exec();
    const id = await lease.grant();
    await lease.revoke();
    expect(await exists('/facts08/revoked')).toBe(false);
    expect(Number((await client.leaseClient.leaseTimeToLive({ ID: id })).TTL)).toBe(-1);
  });

  test('"`lease.release()` only stops renewing locally: the keys stay until the TTL runs out"', async () => {
    const lease = client.lease(1);
    await lease.put('/facts08/released').value('x').exec();
    lease.release();
    expect(await exists('/facts08/released')).toBe(true);
    await sleep(2200);
    expect(await exists('/facts08/released')).toBe(false);
  });

  test('"`client.close()` does not stop the lease\'s keepalives: it refuses new calls, but the keepalive stream that is already open keeps working"', async () => {
    const owner = new Etcd3({ hosts: testCluster().endpoints });
    const lease = owner.lease(1);
    let renewed = 0;
    lease.on('keepaliveSucceeded', () => renewed++);
    await lease.put('/facts08/closed-client').value('x').exec();
    await sleep(500);
    owner.close();
    try {
      const before = renewed;
      await expect(owner.get('/facts08/closed-client').exec()).rejects.toThrow();
      // Three TTLs later the key is still there: the renewals went on through the open stream.
      await sleep(3000);
      expect(renewed).toBeGreaterThan(before + 3);
      expect(await exists('/facts08/closed-client')).toBe(true);
    } finally {
      await client.leaseClient.leaseRevoke({ ID: await lease.grant() });
      lease.release();
    }
  });

  test('"a script that closes its client but not its lease never exits"', async () => {
    const endpoints = JSON.stringify(testCluster().endpoints);
    const script = `
      import { Etcd3 } from 'etcd3';
      const client = new Etcd3({ hosts: ${endpoints} });
      const lease = client.lease(1);
      await lease.put('/facts08/script').value('x').exec();
      console.log(await lease.grant());
      client.close();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let leaseId = '';
    let exited = false;
    child.on('exit', () => (exited = true));
    // Starting node and etcd3 can take seconds on a loaded machine: the clock starts once the client is closed.
    await new Promise<void>((resolve) => child.stdout.on('data', (d) => {
      leaseId += d;
      resolve();
    }));
    try {
      await sleep(4000);
      expect(leaseId.trim()).toMatch(/^\d+$/);
      expect(exited).toBe(false);
      expect(await exists('/facts08/script')).toBe(true);
    } finally {
      child.kill('SIGKILL');
      if (leaseId.trim()) await client.leaseClient.leaseRevoke({ ID: leaseId.trim() }).catch(() => {});
    }
  });

  test('"When the owner is killed (`kill -9`, a power cut), nothing runs any more: the renewals stop and etcd deletes the keys when the TTL runs out"', async () => {
    const endpoints = JSON.stringify(testCluster().endpoints);
    const script = `
      import { Etcd3 } from 'etcd3';
      const lease = new Etcd3({ hosts: ${endpoints} }).lease(1);
      await lease.put('/facts08/killed').value('x').exec();
      console.log('ready');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    await sleep(1500);
    expect(await exists('/facts08/killed')).toBe(true);
    child.kill('SIGKILL');
    await sleep(2200);
    expect(await exists('/facts08/killed')).toBe(false);
  });
});
