/**
 * Fault-tolerance figures for `npm run bench`, measured on a throw-away
 * 5-member cluster behind peer proxies:
 *
 * - leader kill → next successful write (a writer puts every 20 ms, each
 *   attempt with a 250 ms deadline, through every member);
 * - partition {3 | 2} → a write through the minority is rejected (a 1 s
 *   deadline per attempt; etcd3 retries a failed call, 3 attempts in all);
 * - heal → every member at the same revision with the same KV hash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Etcd3 } from 'etcd3';
import { freePortBase } from '../cluster/probe.ts';
import { FaultyCluster } from './faulty-cluster.ts';
import { openClient } from '../connection/client.ts';

export interface FaultFigures {
  leaderKillToWriteMs: number[];
  minorityWriteRejectedMs: number[];
  healToConvergedMs: number[];
}

async function attempt(client: Etcd3, key: string): Promise<boolean> {
  try {
    await client.put(key).value(String(Date.now())).exec();
    return true;
  } catch {
    return false;
  }
}

export async function faultFigures(runs: number, log: (line: string) => void = () => {}): Promise<FaultFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-lab-bench-faults-'));
  const base = await freePortBase(5, 26000);
  const cluster = FaultyCluster.create({ dir, size: 5, clientPort: base, peerPort: base + 1000, proxyPort: base + 2000 });
  const figures: FaultFigures = { leaderKillToWriteMs: [], minorityWriteRejectedMs: [], healToConvergedMs: [] };
  try {
    await cluster.start();
    for (let i = 0; i < runs; i++) {
      log(`faults: run ${i + 1} of ${runs}`);
      await cluster.converged(15_000);
      const leader = (await cluster.report()).find((r) => r.isLeader)!.name;
      const writer = openClient({ endpoints: cluster.names.filter((n) => n !== leader).map((n) => cluster.endpoint(n)) }, { deadlineMs: 250 });
      try {
        await cluster.kill(leader);
        const killed = performance.now();
        while (!(await attempt(writer, '/bench/failover'))) await sleep(20);
        figures.leaderKillToWriteMs.push(performance.now() - killed);
      } finally {
        writer.close();
      }
      await cluster.restart(leader);
      await cluster.converged(15_000);

      const minority = cluster.names.slice(3);
      cluster.partition([cluster.names.slice(0, 3), minority]);
      const cut = performance.now();
      const lone = openClient({ endpoints: [cluster.endpoint(minority[0])] }, { deadlineMs: 1000 });
      try {
        const ok = await attempt(lone, '/bench/minority');
        if (!ok) figures.minorityWriteRejectedMs.push(performance.now() - cut);
      } finally {
        lone.close();
      }
      // Let the majority write while the minority is away, so healing has something to catch up.
      const majority = openClient({ endpoints: cluster.names.slice(0, 3).map((n) => cluster.endpoint(n)) }, { deadlineMs: 500 });
      for (let w = 0; w < 20 && !(await attempt(majority, '/bench/majority')); w++) await sleep(50);
      majority.close();
      cluster.heal();
      const healed = performance.now();
      await cluster.converged(15_000);
      figures.healToConvergedMs.push(performance.now() - healed);
    }
    return figures;
  } finally {
    await cluster.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
