/**
 * Facts of LAB.md, "Lab 10 · Watches" (and its stub and hints): on the
 * suite's second cluster, and on a one-member cluster of their own for
 * compaction (which would take history away from every other test).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3, type IKeyValue } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalCluster } from '../../lib/cluster/cluster.ts';
import { generateCluster } from '../../lib/cluster/generate.ts';
import { projectRoot } from '../../lib/paths.ts';
import { testCluster } from '../helpers.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const revisionOf = (kv: IKeyValue) => Number(kv.mod_revision);

describe('facts of Lab 10 · Watches', () => {
  let client: Etcd3;
  beforeAll(() => {
    client = new Etcd3({ hosts: testCluster().endpoints });
  });
  afterAll(() => client.close());

  test('"without a start revision, the watch starts just after the current revision: nothing from before it arrives"', async () => {
    await client.put('/facts10/live/before').value('x').exec();
    const seen: string[] = [];
    const watcher = await client.watch().prefix('/facts10/live/').create();
    watcher.on('put', (kv) => seen.push(kv.key.toString()));
    await client.put('/facts10/live/after').value('x').exec();
    await sleep(300);
    await watcher.cancel();
    expect(seen).toEqual(['/facts10/live/after']);
  });

  test('"`.startRevision(String(rev))` for a replay (the change at `rev` included)", and "a transaction gives all of its changes the same revision"', async () => {
    const first = Number((await client.put('/facts10/replay/a').value('1').exec()).header.revision);
    const txn = await client.if('/facts10/replay/a', 'Mod', '>', 0).then(client.put('/facts10/replay/b').value('2'), client.delete().key('/facts10/replay/a')).commit();
    const seen: { type: string; revision: number }[] = [];
    const watcher = client.watch().prefix('/facts10/replay/').startRevision(String(first)).watcher();
    watcher.on('put', (kv) => seen.push({ type: 'put', revision: revisionOf(kv) }));
    watcher.on('delete', (kv) => seen.push({ type: 'delete', revision: revisionOf(kv) }));
    await new Promise((resolve) => watcher.once('connected', resolve));
    await sleep(300);
    await watcher.cancel();
    const at = Number(txn.header.revision);
    expect(seen).toEqual([{ type: 'put', revision: first }, { type: 'put', revision: at }, { type: 'delete', revision: at }]);
  });

  test('"a response\'s `header.revision` is the newest revision of the store, wrong for every other change the response carries"', async () => {
    const first = Number((await client.put('/facts10/header/a').value('1').exec()).header.revision);
    await client.put('/facts10/header/b').value('2').exec();
    const newest = Number((await client.put('/facts10/header/c').value('3').exec()).header.revision);
    const watcher = client.watch().prefix('/facts10/header/').startRevision(String(first)).watcher();
    const response = await new Promise<{ header: { revision: string }; events: { kv: IKeyValue }[] }>((resolve) => watcher.once('data', resolve));
    await watcher.cancel();
    // The whole replay in one response, under the header of the newest revision.
    expect(response.events.map((e) => revisionOf(e.kv))).toEqual([first, first + 1, newest]);
    expect(Number(response.header.revision)).toBeGreaterThanOrEqual(newest);
  });

  test('"`watcher.cancel()` stops it, and resolves once etcd has ended the watch"', async () => {
    const seen: string[] = [];
    const watcher = await client.watch().prefix('/facts10/cancel/').create();
    watcher.on('put', (kv) => seen.push(kv.key.toString()));
    await watcher.cancel();
    await client.put('/facts10/cancel/after').value('x').exec();
    await sleep(300);
    expect(seen).toEqual([]);
  });

  describe('on a cluster of its own, compacted', () => {
    let cluster: LocalCluster;
    let own: Etcd3;
    let from: string;
    beforeAll(async () => {
      cluster = new LocalCluster(generateCluster({ dir: mkdtempSync(join(tmpdir(), 'etcd-facts-10-')), size: 1, clientPort: await freePort(), peerPort: await freePort() }));
      await cluster.start();
      own = new Etcd3({ hosts: cluster.endpoints });
      from = (await own.put('/w/a').value('0').exec()).header.revision;
      for (let i = 1; i < 5; i++) await own.put('/w/a').value(String(i)).exec();
      const last = await own.put('/w/a').value('last').exec();
      await own.kv.compact({ revision: last.header.revision, physical: true });
    });
    afterAll(async () => {
      own?.close();
      await cluster?.destroy();
    });

    test('"etcd3 still *connects* such a watch (`create()` resolves), then the watcher emits an `\'error\'` event: an `EtcdError` that only says "Watcher canceled:", neither that history was compacted nor from which revision it is left"', async () => {
      const watcher = await own.watch().prefix('/w/').startRevision(from).create();
      const error = await new Promise<Error>((resolve) => watcher.once('error', resolve));
      expect(error.constructor.name).toBe('EtcdError');
      expect(error.message.trim()).toBe('Watcher canceled:');
      expect(Object.keys(error)).toEqual([]);
    });

    /** Runs a script against the compacted cluster; resolves to its exit code and output (killed after 60 s). */
    async function script(body: string): Promise<{ code: number | null; out: string; err: string }> {
      const source = `
        import { Etcd3 } from 'etcd3';
        const client = new Etcd3({ hosts: ${JSON.stringify(cluster.endpoints)} });
        ${body}
        // Nothing else ends it for 20 s: only the 'error' event can.
        setTimeout(() => { console.log('still alive'); process.exit(0); }, 20_000);
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      clearTimeout(timer);
      return { code, out, err };
    }

    test('"a watcher made with `.watcher()` that has none turns that event into an uncaught exception, and the process dies"', async () => {
      const { code, out, err } = await script(`
        const watcher = client.watch().prefix('/w/').startRevision('${from}').watcher();
        watcher.on('connected', () => console.log('connected'));
      `);
      expect(out).toContain('connected');
      expect(out).not.toContain('still alive');
      expect(code).not.toBe(0);
      expect(err).toMatch(/Watcher canceled/);
    });

    test('"one made with `create()` has a listener left over from `create()` itself, which swallows the error, and the watch ends in silence"', async () => {
      const { code, out } = await script(`
        const watcher = await client.watch().prefix('/w/').startRevision('${from}').create();
        console.log('created');
        watcher.on('put', () => console.log('event'));
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await client.put('/w/after').value('x').exec();
      `);
      expect(out).toContain('created');
      expect(out).toContain('still alive');
      expect(out).not.toContain('event');
      expect(code).toBe(0);
    });
  });
});
