/**
 * A one-member etcd of the run's own, on free ports, destroyed when the run
 * ends, with authentication on (a password of its own each run). Nobody
 * else writes to it, so every revision in it is the check's:
 * "the change just before the watch started" (lab 10) or "a snapshot whose
 * revision stood still" (lab 15) holds every run, however busy the shared
 * cluster is with other runs, students or graders.
 */
import { randomBytes } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import { LocalCluster } from '../../cluster/cluster.ts';
import { generateCluster } from '../../cluster/generate.ts';
import { freePortBase } from '../../cluster/probe.ts';
import { labClusterDir, removeAbandoned } from '../../cluster/throwaway.ts';
import { enableAuth } from '../../cluster/auth.ts';
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

/** The run's quiet member with authentication on, and root's login on it (new each run). */
export interface QuietMember {
  member: LocalCluster;
  /** The runner's client, as root. */
  kv: Etcd3;
  /**
   * The login to give the student's clients. Root: a snapshot needs it (etcd
   * 3.4), and the member holds nothing but this run's keys. With a password of
   * its own each run, a submission graded beside this one cannot reach it.
   */
  auth: { username: string; password: string };
}

/** The run's quiet member, authentication on, and the runner's client of it (closed when the run ends). */
export function quietClient(ctx: CheckContext): Promise<QuietMember> {
  return ctx.once('quiet-client', async () => {
    const member = await quietMember(ctx);
    const auth = { username: 'root', password: randomBytes(12).toString('hex') };
    await enableAuth({ endpoints: member.endpoints }, auth.password);
    const kv = openClient({ endpoints: member.endpoints, auth }, { deadlineMs: 5000 });
    ctx.atEnd(() => kv.close());
    return { member, kv, auth };
  });
}
