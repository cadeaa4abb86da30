/**
 * The clusters the fault labs start for a run (lab 13: 3 members, lab 14: 5):
 * members behind peer proxies (lib/faults), on free ports, destroyed when the
 * run ends. The checks kill, restart and partition them; each check leaves
 * its cluster whole for the next.
 */
import { FaultyCluster } from '../../faults/faulty-cluster.ts';
import { freePortBase } from '../../cluster/probe.ts';
import type { CheckContext } from '../../runner/context.ts';
import { labClusterDir, removeAbandoned } from '../../cluster/throwaway.ts';
import { portTaken } from './port-race.ts';

/**
 * Client ports from `portsFrom`; peers 1000 above, proxies 2000 above. Two
 * runs on one machine can pick the same free ports at once: then the one
 * that lost tries the next ones (3 times).
 */
export function faultyLabCluster(ctx: CheckContext, size: number, portsFrom: number): Promise<FaultyCluster> {
  return ctx.once('faulty-lab-cluster', async () => {
    await removeAbandoned(`lab${ctx.lab.id}`);
    let from = portsFrom;
    for (let attempt = 1; ; attempt++) {
      const base = await freePortBase(size, from);
      const cluster = FaultyCluster.create({ dir: labClusterDir(ctx.lab.id), size, clientPort: base, peerPort: base + 1000, proxyPort: base + 2000 });
      ctx.atEnd(() => cluster.destroy());
      try {
        await cluster.start();
        return cluster;
      } catch (error) {
        if (attempt >= 3 || !portTaken(error)) throw error;
        await cluster.destroy();
        from = base + size + 10 * attempt;
      }
    }
  });
}

/** The leader's name, once the members that answer (all, or those named) agree on one. */
export async function currentLeader(cluster: FaultyCluster, waitMs = 5000, among?: string[]): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const report = (await cluster.report(500)).filter((r) => r.answering && (!among || among.includes(r.name)));
    const leaders = new Set(report.map((r) => r.leaderName));
    const [leader] = leaders;
    if (leaders.size === 1 && leader && report.some((r) => r.name === leader)) return leader;
    if (Date.now() > deadline) throw new Error(`the lab's cluster has no leader (${report.map((r) => `${r.name}→${r.leaderName}`).join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
