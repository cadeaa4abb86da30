/**
 * A one-member etcd of the run's own, on free ports, destroyed when the run
 * ends. Nobody else writes to it, so every revision in it is the check's:
 * "the change just before the watch started" (lab 10) or "a snapshot whose
 * revision stood still" (lab 15) holds every run, however busy the shared
 * cluster is with other runs, students or graders.
 */
import type { Etcd3 } from 'etcd3';
import { LocalCluster } from '../../cluster/cluster.ts';
import { generateCluster } from '../../cluster/generate.ts';
import { freePortBase } from '../../cluster/probe.ts';
import { labClusterDir, removeAbandoned } from '../../cluster/throwaway.ts';
import { openClient } from '../../connection/client.ts';
import type { CheckContext } from '../../runner/context.ts';
import { portTaken } from './port-race.ts';

export interface MemberFolder {
  dataDir: string;
  name: string;
  peerUrls: string[];
}

/**
 * A member of the run's own, started; `prepare` fills its data folder first
 * (lab 15 restores a snapshot there). A port taken by another run in
 * between: the next ones (3 times).
 */
export async function ownMember(ctx: CheckContext, name: string, prepare?: (member: MemberFolder, port: number) => Promise<void>): Promise<LocalCluster> {
  await ctx.once('own-members-tidied', () => removeAbandoned(`lab${ctx.lab.id}`));
  let from = 28500;
  for (let attempt = 1; ; attempt++) {
    const clientPort = await freePortBase(1, from);
    const spec = generateCluster({ dir: labClusterDir(ctx.lab.id), size: 1, clientPort, peerPort: clientPort + 1000, namePrefix: name });
    const member = new LocalCluster(spec);
    ctx.atEnd(() => member.destroy());
    await prepare?.(spec.members[0], clientPort);
    try {
      await member.start();
      return member;
    } catch (error) {
      if (attempt >= 3 || !portTaken(error)) throw error;
      await member.destroy();
      from = clientPort + 1 + 10 * attempt;
    }
  }
}

/** One quiet member per run, shared by its checks (each works under keys of its own). */
export function quietMember(ctx: CheckContext): Promise<LocalCluster> {
  return ctx.once('quiet-member', () => ownMember(ctx, 'quiet'));
}

/** The runner's own client of the run's quiet member (closed when the run ends). */
export function quietClient(ctx: CheckContext): Promise<{ member: LocalCluster; kv: Etcd3 }> {
  return ctx.once('quiet-client', async () => {
    const member = await quietMember(ctx);
    const kv = openClient({ endpoints: member.endpoints }, { deadlineMs: 5000 });
    ctx.atEnd(() => kv.close());
    return { member, kv };
  });
}
