
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalCluster } from '../cluster/cluster.ts';
import { generateCluster } from '../cluster/generate.ts';
import { memberHashKV, memberStatus } from '../cluster/inspect.ts';
import { terminate } from '../cluster/processes.ts';
import { type CutMode, Links } from './links.ts';
import { PeerProxy } from './peer-proxy.ts';

export interface FaultyClusterOptions {
  dir: string;
  size?: number;
  clientPort: number;
  peerPort: number;
  proxyPort: number;
  namePrefix?: string;
}

export type MemberCondition = 'up' | 'paused' | 'down';

export interface MemberReport {
  name: string;
  endpoint: string;
  condition: MemberCondition;
  /** Members it can neither reach nor hear from. */
  isolatedFrom: string[];
  answering: boolean;
  isLeader?: boolean;
  leaderName?: string;
  raftTerm?: string;
  raftIndex?: string;
  revision?: string;
  /** HashKV at `revision`: equal hashes at an equal revision mean equal data. */
  hash?: number;
}

export class FaultyCluster {
  readonly links: Links;
  private readonly proxies: PeerProxy[];
  private readonly paused = new Set<string>();
  private readonly idToName = new Map<string, string>();

  private constructor(readonly cluster: LocalCluster, proxyPort: number) {
    const names = cluster.members.map((m) => m.name);
    this.links = new Links(names);
    const byUrl = new Map(cluster.members.map((m) => [m.peerUrls[0], m.name]));
    this.proxies = cluster.members.map((m, i) => {
      const realPort = Number(new URL(String(m.raw['listen-peer-urls'])).port);
      return new PeerProxy(m.name, proxyPort + i, realPort, this.links, (url) => byUrl.get(url.trim()));
    });
  }

  static create(options: FaultyClusterOptions): FaultyCluster {
    const spec = generateCluster({
      dir: options.dir, size: options.size ?? 3, clientPort: options.clientPort, peerPort: options.peerPort,
      proxyPort: options.proxyPort, namePrefix: options.namePrefix ?? 'n',
    });
    return new FaultyCluster(new LocalCluster(spec), options.proxyPort);
  }

  get names(): string[] {
    return this.cluster.members.map((m) => m.name);
  }

  get endpoints(): string[] {
    return this.cluster.endpoints;
  }

  endpoint(name: string): string {
    return this.cluster.member(name).clientUrls[0];
  }

  /** Proxies first (members dial each other through them from the first second), then the members. */
  async start(): Promise<void> {
    for (const proxy of this.proxies) await proxy.start();
    await this.cluster.start();
  }

  private pid(name: string): number | undefined {
    return this.cluster.memberStates()[name]?.pid;
  }

  /** SIGKILL: the member dies at once, as in a power cut. */
  async kill(name: string): Promise<void> {
    this.cluster.member(name);
    const pid = this.pid(name);
    if (pid === undefined) return;
    this.paused.delete(name);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    for (let i = 0; i < 500 && this.cluster.memberStates()[name].state === 'running'; i++) await sleep(10);
  }

  /** SIGTERM: a clean shutdown (a leader hands over first). */
  async stop(name: string): Promise<void> {
    this.cluster.member(name);
    const pid = this.pid(name);
    if (pid === undefined) return;
    if (this.paused.has(name)) this.resume(name);
    await terminate(pid);
  }

  /** SIGSTOP: the process freezes; its sockets stay open and say nothing (a hung machine). */
  pause(name: string): void {
    if (process.platform === 'win32') throw new Error('pausing a member needs SIGSTOP, which Windows does not have');
    const pid = this.pid(name);
    if (pid === undefined) throw new Error(`${name} is not running`);
    process.kill(pid, 'SIGSTOP');
    this.paused.add(name);
  }

  resume(name: string): void {
    const pid = this.pid(name);
    if (pid !== undefined) process.kill(pid, 'SIGCONT');
    this.paused.delete(name);
  }

  /**
   * Starts every member that is not running, or just `name` (with its data: a
   * restart, not a new member). `untilServing`: return once it answers, leader
   * or not (it may be cut off from the others).
   */
  async restart(name?: string, options: { untilServing?: boolean } = {}): Promise<void> {
    if (name) this.cluster.member(name);
    await this.cluster.start({ only: name ? [name] : undefined, until: options.untilServing ? 'serving' : 'healthy' });
  }

  partition(groups: string[][], mode?: CutMode): void {
    this.links.partition(groups, mode);
  }

  isolate(name: string, mode?: CutMode): void {
    this.links.isolate(name, mode);
  }

  cutLink(a: string, b: string, options: { oneWay?: boolean; mode?: CutMode } = {}): void {
    this.links.cut(a, b, options);
  }

  delay(link: [string, string], ms: number): void {
    this.links.delay(link[0], link[1], ms);
  }

  heal(): void {
    this.links.heal();
  }

  /** Per member: does its process run, is it paused (SIGSTOP), or is it gone (one look at the process table). */
  conditions(): Record<string, MemberCondition> {
    const states = this.cluster.memberStates();
    return Object.fromEntries(this.names.map((n) => [n, states[n].state !== 'running' ? 'down' : this.paused.has(n) ? 'paused' : 'up']));
  }

  condition(name: string): MemberCondition {
    this.cluster.member(name);
    return this.conditions()[name];
  }

  /** Per member: process state, network, and what it says about Raft and its data. */
  async report(deadlineMs = 1000): Promise<MemberReport[]> {
    const conditions = this.conditions();
    const members = this.cluster.members;
    const statuses = await Promise.all(members.map((m) => (conditions[m.name] === 'up'
      ? memberStatus(m.clientUrls[0], deadlineMs)
      : Promise.resolve(undefined))));
    // Ids learnt earlier name a leader that is down now (its followers may not know yet).
    statuses.forEach((s, i) => s?.id && this.idToName.set(s.id, members[i].name));
    const idToName = this.idToName;
    const hashes = await Promise.all(members.map(async (m, i) => {
      const s = statuses[i];
      if (!s?.up) return undefined;
      return memberHashKV(m.clientUrls[0], s.revision!, deadlineMs).catch(() => undefined);
    }));
    return members.map((m, i) => {
      const s = statuses[i];
      return {
        name: m.name,
        endpoint: m.clientUrls[0],
        condition: conditions[m.name],
        isolatedFrom: this.links.isolatedFrom(m.name),
        answering: !!s?.up,
        isLeader: s?.isLeader,
        leaderName: s?.leaderId && s.leaderId !== '0' ? (idToName.get(s.leaderId) ?? s.leaderId) : undefined,
        raftTerm: s?.raftTerm,
        raftIndex: s?.raftIndex,
        revision: s?.revision,
        hash: hashes[i],
      };
    });
  }

  /** Waits until every running member has the same revision and KV hash (after a heal). */
  async converged(timeoutMs = 10_000): Promise<MemberReport[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const report = (await this.report()).filter((r) => r.condition === 'up');
      const revisions = new Set(report.map((r) => r.revision));
      const hashes = new Set(report.map((r) => r.hash));
      if (report.every((r) => r.answering && r.hash !== undefined) && revisions.size === 1 && hashes.size === 1) return report;
      if (Date.now() > deadline) throw new Error(`members did not converge: ${report.map((r) => `${r.name}@${r.revision}#${r.hash}`).join(', ')}`);
      await sleep(100);
    }
  }

  /** Open connections through the proxies (for leak checks). */
  get proxyConnections(): number {
    return this.proxies.reduce((n, p) => n + p.connections, 0);
  }

  async destroy(): Promise<void> {
    for (const name of [...this.paused]) this.resume(name);
    this.links.heal();
    await this.cluster.destroy();
    for (const proxy of this.proxies) await proxy.stop();
  }
}
