/**
 * Lab 16's clusters and what runs in front of them: etcd members behind peer
 * proxies (lib/faults), one student service per member, and a watch on who
 * leads, whose changes become events on the history's clock.
 *
 * Two worlds, one after the other (never both at once: two cores): 3 members
 * for the calm phase, the leader's death and a service's death; 5 members for
 * the partition. Each is started once per run, by whichever check needs it
 * first, and stopped when the run ends (or, for the first, when the second
 * starts).
 */
import { freePortBase } from '../../../cluster/probe.ts';
import type { Etcd3 } from 'etcd3';
import { labClusterDir, removeAbandoned } from '../../../cluster/throwaway.ts';
import { FaultyCluster } from '../../../faults/faulty-cluster.ts';
import { openClient } from '../../../connection/client.ts';
import type { CheckContext } from '../../../runner/context.ts';
import { Random } from '../../../runner/random.ts';
import type { Recorder } from './recorder.ts';
import { Service, freePorts, startServices } from './services.ts';

export interface World {
  cluster: FaultyCluster;
  /** The runner's own questions to the members (who leads). */
  statuses: Statuses;
  services: Service[];
  /** performance.now() at the start of the scenario: time 0 of every phase's clock. */
  origin: number;
  /** Unique in the run: client ids and marked values carry it. */
  runId: string;
}

/** Client ports of the lab's clusters from here (peers 1000 above, proxies 2000 above); services from SERVICE_PORTS. */
const CLUSTER_PORTS = 36000;
const SERVICE_PORTS = 31000;

async function startWorld(ctx: CheckContext, size: number, origin: number): Promise<World> {
  await removeAbandoned(`lab${ctx.lab.id}`);
  // A busy machine may miss etcd's 30 s to start: once more, on other ports, before saying so.
  let cluster: FaultyCluster | undefined;
  for (let attempt = 1; !cluster; attempt++) {
    const base = await freePortBase(size, CLUSTER_PORTS);
    const candidate = FaultyCluster.create({ dir: labClusterDir(ctx.lab.id), size, clientPort: base, peerPort: base + 1000, proxyPort: base + 2000 });
    ctx.atEnd(() => candidate.destroy());
    try {
      await candidate.start();
      cluster = candidate;
    } catch (error) {
      await candidate.destroy();
      if (attempt === 2) throw error;
    }
  }
  const ports = await freePorts(size, SERVICE_PORTS);
  const specs = cluster.names.map((member, i) => ({ member, endpoint: cluster.endpoint(member), port: ports[i] }));
  // After the members: node and etcd3 loading in 3 to 5 lab processes at once would slow their start.
  const services = specs.map((spec) => new Service(ctx, spec, { adversary: true }).prepare());
  await startServices(services);
  const statuses = new Statuses(cluster);
  ctx.atEnd(() => statuses.close());
  return { cluster, statuses, services, origin, runId: new Random(ctx.seed, 'kv-run').token(5) };
}

/** The 3-member world (calm, leader killed, service killed): started once per run. */
export function world3(ctx: CheckContext): Promise<World> {
  return ctx.once('kv-world-3', () => startWorld(ctx, 3, performance.now()));
}

/** The 5-member world (partition): the 3-member one is stopped first. */
export function world5(ctx: CheckContext): Promise<World> {
  return ctx.once('kv-world-5', async () => {
    const first = await world3(ctx);
    first.services.forEach((s) => s.dispose());
    first.statuses.close();
    await first.cluster.destroy();
    return startWorld(ctx, 5, first.origin);
  });
}

/** What a member says about itself; `up` false when it did not answer in time. */
export interface Said {
  name: string;
  up: boolean;
  id?: string;
  leaderId?: string;
  term?: string;
}

/**
 * Asks members about themselves through one long-lived client each (one
 * attempt per call, a short deadline): the watch asks every 250 ms, and a
 * new gRPC connection per question would cost more than the question.
 */
export class Statuses {
  private readonly clients = new Map<string, Etcd3>();

  constructor(private readonly cluster: FaultyCluster) {}

  async of(name: string, deadlineMs = 500): Promise<Said> {
    let client = this.clients.get(name);
    if (!client) this.clients.set(name, (client = openClient({ endpoints: [this.cluster.endpoint(name)] }, { deadlineMs, singleAttempt: true })));
    try {
      const s = await client.maintenance.status({ deadline: Date.now() + deadlineMs });
      return { name, up: true, id: s.header.member_id, leaderId: s.leader, term: s.raftTerm };
    } catch {
      return { name, up: false };
    }
  }

  all(names = this.cluster.names, deadlineMs = 500): Promise<Said[]> {
    return Promise.all(names.map((n) => this.of(n, deadlineMs)));
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

/**
 * The leader as most of the members that answer see it: the member id named
 * by more than half of them, when that member answers too and says it leads.
 * `undefined` for no leader, or members that do not agree yet.
 */
export function leaderOf(said: Said[]): { name: string; term?: string } | undefined {
  const up = said.filter((s) => s.up);
  const votes = new Map<string, number>();
  for (const s of up) votes.set(s.leaderId ?? '0', (votes.get(s.leaderId ?? '0') ?? 0) + 1);
  const [top, count] = [...votes].sort((a, b) => b[1] - a[1])[0] ?? ['0', 0];
  const leader = up.find((s) => s.id === top && s.leaderId === top);
  return top !== '0' && count * 2 > up.length && leader ? { name: leader.name, term: leader.term } : undefined;
}

/** The leader's name once most answering members (all, or those named) agree on one; undefined after `waitMs`. */
export async function agreedLeader(world: World, waitMs: number, among = world.cluster.names): Promise<string | undefined> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const leader = leaderOf(await world.statuses.all(among));
    if (leader) return leader.name;
    if (performance.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Watches who leads while a phase runs (every 250 ms) and records each
 * change as a `leader` event: "n2 leads (term 3)", "no leader", and a member
 * that still says it leads while the others follow someone else (an old
 * leader cut off). Members that do not answer in time (killed, or slow on a
 * busy machine) have no say; when too few answer, nothing is recorded.
 */
export function watchLeader(world: World, rec: Recorder): () => Promise<void> {
  let running = true;
  const names = new Map<string, string>();
  let last = '';
  const loop = (async () => {
    while (running) {
      const began = performance.now();
      const said = await world.statuses.all();
      const up = said.filter((s) => s.up);
      for (const s of up) if (s.id) names.set(s.id, s.name);
      const leader = leaderOf(said);
      const noLeader = up.length > 0 && up.filter((s) => !s.leaderId || s.leaderId === '0').length * 2 > up.length;
      if (leader || noLeader) {
        let text = leader ? `${leader.name} leads (term ${leader.term})` : 'no leader';
        const stale = up.filter((s) => s.id && s.leaderId === s.id && s.name !== leader?.name);
        if (stale.length) text += `; ${stale.map((s) => `${s.name} still says it leads (term ${s.term})`).join(', ')}`;
        if (text !== last) {
          rec.event('leader', text, began);
          last = text;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 250 - (performance.now() - began))));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}
