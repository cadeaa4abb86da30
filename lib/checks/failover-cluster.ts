/**
 * Lab 13's own cluster: 3 members behind peer proxies (lib/faults), started
 * for the run on free ports and destroyed when it ends. The checks kill and
 * restart its members; each check leaves it whole for the next.
 */
import { FaultyCluster } from '../faults/faulty-cluster.ts';
import { freePortBase } from '../cluster/probe.ts';
import type { CheckContext } from '../runner/context.ts';
import { labClusterDir, removeAbandoned } from './lab-clusters.ts';

export function failoverCluster(ctx: CheckContext): Promise<FaultyCluster> {
  return ctx.once('failover-cluster', async () => {
    await removeAbandoned(ctx.lab.id);
    const base = await freePortBase(3, 27000);
    const cluster = FaultyCluster.create({ dir: labClusterDir(ctx.lab.id), size: 3, clientPort: base, peerPort: base + 1000, proxyPort: base + 2000 });
    ctx.atEnd(() => cluster.destroy());
    await cluster.start();
    return cluster;
  });
}

/** The leader's name, once the members that answer agree on one. */
export async function currentLeader(cluster: FaultyCluster, waitMs = 5000): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const report = (await cluster.report(500)).filter((r) => r.answering);
    const leaders = new Set(report.map((r) => r.leaderName));
    const [leader] = leaders;
    if (leaders.size === 1 && leader && report.some((r) => r.name === leader)) return leader;
    if (Date.now() > deadline) throw new Error(`the lab's cluster has no leader (${report.map((r) => `${r.name}→${r.leaderName}`).join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
