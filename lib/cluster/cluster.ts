/**
 * A local etcd cluster: the one module that owns etcd processes.
 *
 * ```ts
 * const cluster = LocalCluster.classroom();       // etcd_config/etcd1..3.yaml
 * const report = await cluster.start();           // no-op when already up
 * console.log(cluster.endpoints);                 // ['http://127.0.0.1:2379', ...]
 * await cluster.stop();
 * ```
 *
 * Members run detached, so the cluster outlives the command that started it
 * (fast reruns); their pids live in the cluster's state dir so that `stop`
 * finds them from any later invocation. If the process starting a cluster is
 * interrupted (Ctrl-C), the members it had spawned are killed before it dies.
 * Tests and benchmarks build throw-away clusters with `generateCluster()`
 * and the same class.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterStartError, PortInUseError } from '../errors.ts';
import { type EtcdBinaries, requireEtcd } from '../etcd/binaries.ts';
import { paths, shown } from '../paths.ts';
import { type ClusterSpec, type MemberSpec, clusterConfigFiles, loadClusterSpec } from './config.ts';
import { healthy, portFree } from './probe.ts';
import { etcdProcesses, findMemberProcess, isMemberProcess, readPids, terminate, writePids } from './processes.ts';

export interface StartReport {
  /** Members this call started (all of them on a cold start). */
  started: string[];
  /** Members that had died without `stop` (crashed or killed) and were started again. */
  recovered: string[];
  /** How long start took, in ms. */
  ms: number;
}

export type MemberState = 'running' | 'stopped' | 'crashed';

const START_TIMEOUT_MS = 30_000;

export class LocalCluster {
  constructor(
    readonly spec: ClusterSpec,
    private binaries?: EtcdBinaries,
  ) {}

  /** The classroom cluster described by etcd_config/etcd1..N.yaml. */
  static classroom(configDir = paths.etcdConfig, stateDir = paths.clusterState): LocalCluster {
    return new LocalCluster(loadClusterSpec(clusterConfigFiles(configDir), { cwd: paths.root, stateDir }));
  }

  /** The class cluster with TLS (etcd_config/secure1..N.yaml): `npm run class -- start`. */
  static secure(configDir = paths.etcdConfig, stateDir = join(paths.clusterState, 'secure')): LocalCluster {
    return new LocalCluster(loadClusterSpec(clusterConfigFiles(configDir, /^secure\d+\.ya?ml$/), { cwd: paths.root, stateDir }));
  }

  get members(): MemberSpec[] {
    return this.spec.members;
  }

  /** One client endpoint per member, in config order. */
  get endpoints(): string[] {
    return this.spec.members.map((m) => m.clientUrls[0]);
  }

  member(name: string): MemberSpec {
    const found = this.spec.members.find((m) => m.name === name);
    if (!found) throw new Error(`no member named ${name} (members: ${this.spec.members.map((m) => m.name).join(', ')})`);
    return found;
  }

  logFile(name: string): string {
    return join(this.spec.stateDir, 'logs', `${name}.log`);
  }

  /** running: a live etcd with this config; crashed: tracked but gone; stopped: not tracked. */
  memberStates(): Record<string, { state: MemberState; pid?: number }> {
    const pids = readPids(this.spec.stateDir);
    const result: Record<string, { state: MemberState; pid?: number }> = {};
    let scanned: Map<number, string> | undefined; // /proc is read once, and only if a pid is not where we left it
    for (const m of this.spec.members) {
      const tracked = pids[m.name];
      if (tracked && isMemberProcess(tracked.pid, m.configFile)) result[m.name] = { state: 'running', pid: tracked.pid };
      else {
        const orphan = findMemberProcess(m.configFile, (scanned ??= etcdProcesses()));
        if (orphan) result[m.name] = { state: 'running', pid: orphan };
        else result[m.name] = { state: tracked ? 'crashed' : 'stopped' };
      }
    }
    return result;
  }

  /**
   * Starts every member that is not running (or only those named) and waits
   * until they are healthy (they see a leader) or, with `until: 'serving'`,
   * until they answer at all (a member restarted on the wrong side of a
   * partition serves without a leader).
   */
  async start(options: { only?: string[]; until?: 'healthy' | 'serving' } = {}): Promise<StartReport> {
    const serving = options.until === 'serving';
    const began = Date.now();
    const states = this.memberStates();
    const pids = readPids(this.spec.stateDir);
    // Adopt members found running without a pid entry (pid file lost).
    for (const m of this.spec.members) {
      const s = states[m.name];
      if (s.state === 'running' && pids[m.name]?.pid !== s.pid) pids[m.name] = { pid: s.pid!, configFile: m.configFile, startedAt: new Date().toISOString() };
    }
    const toStart = this.spec.members.filter((m) => states[m.name].state !== 'running' && (!options.only || options.only.includes(m.name)));
    const recovered = toStart.filter((m) => states[m.name].state === 'crashed').map((m) => m.name);
    if (toStart.length === 0) {
      writePids(this.spec.stateDir, pids);
      await this.waitHealthy(this.spec.members.filter((m) => !options.only || options.only.includes(m.name)), new Map(), serving);
      return { started: [], recovered: [], ms: Date.now() - began };
    }

    for (const m of toStart) {
      for (const { port, host, role } of m.ports) {
        if (!(await portFree(port, host))) throw new PortInUseError(port, role, shown(m.configFile));
      }
    }
    const binaries = (this.binaries ??= requireEtcd());
    mkdirSync(join(this.spec.stateDir, 'logs'), { recursive: true });

    const spawned = new Map<string, number>();
    const exited = new Map<string, string>();
    const onSignal = (signal: NodeJS.Signals) => {
      // Interrupted while starting: leave no half-started cluster behind.
      for (const pid of spawned.values()) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
      for (const name of spawned.keys()) delete pids[name];
      writePids(this.spec.stateDir, pids);
      removeListeners();
      process.kill(process.pid, signal);
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const removeListeners = () => signals.forEach((s) => process.removeListener(s, onSignal));
    signals.forEach((s) => process.on(s, onSignal));

    try {
      for (const m of toStart) {
        const log = openSync(this.logFile(m.name), 'a');
        writeSync(log, `\n=== ${new Date().toISOString()} starting ${m.name}: ${binaries.etcd} --config-file ${m.configFile}\n`);
        const child = spawn(binaries.etcd, ['--config-file', m.configFile], {
          cwd: this.spec.cwd,
          detached: true,
          stdio: ['ignore', log, log],
        });
        closeSync(log);
        child.on('exit', (code, signal) => exited.set(m.name, signal ? `killed by ${signal}` : `exited with code ${code}`));
        child.on('error', (error) => exited.set(m.name, error.message));
        child.unref();
        if (child.pid === undefined) throw new ClusterStartError(`could not start ${binaries.etcd}`, 'check that etcd runs: `etcd --version`');
        spawned.set(m.name, child.pid);
        pids[m.name] = { pid: child.pid, configFile: m.configFile, startedAt: new Date().toISOString() };
      }
      writePids(this.spec.stateDir, pids);
      await this.waitHealthy(toStart, exited, serving);
    } catch (error) {
      // A failed start leaves nothing running that this call started.
      await Promise.all([...spawned.values()].map((pid) => terminate(pid, 2000)));
      for (const name of spawned.keys()) delete pids[name];
      writePids(this.spec.stateDir, pids);
      throw error;
    } finally {
      removeListeners();
    }
    return { started: toStart.map((m) => m.name), recovered, ms: Date.now() - began };
  }

  private async waitHealthy(members: MemberSpec[], exited: Map<string, string>, serving = false): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    const pending = new Set(members);
    // A TLS member is probed with its own certificate: read the files once, not on every probe.
    const tls = new Map(members.filter((m) => m.tls).map((m) => [m, { ca: readFileSync(m.tls!.ca), cert: readFileSync(m.tls!.cert), key: readFileSync(m.tls!.key) }]));
    while (pending.size > 0) {
      for (const [name, how] of exited) {
        throw new ClusterStartError(
          `etcd member ${name} ${how} while starting: ${this.lastLogLine(name)}`,
          `read ${shown(this.logFile(name))}; if the data is damaged, \`npm run cluster -- reset\` wipes it`,
        );
      }
      const answers = await Promise.all([...pending].map(async (m) => [m, await healthy(m.clientUrls[0], 500, tls.get(m), serving)] as const));
      for (const [m, ok] of answers) if (ok) pending.delete(m);
      if (pending.size === 0) return;
      if (Date.now() > deadline) {
        const names = [...pending].map((m) => m.name).join(', ');
        throw new ClusterStartError(
          `the cluster did not become healthy within ${START_TIMEOUT_MS / 1000} s (waiting for ${names})`,
          `read the logs in ${shown(join(this.spec.stateDir, 'logs'))}; \`npm run cluster -- reset\` starts from empty data`,
        );
      }
      await sleep(25);
    }
  }

  private lastLogLine(name: string): string {
    try {
      const lines = readFileSync(this.logFile(name), 'utf8').trim().split('\n');
      const last = [...lines].reverse().find((l) => /"level":"(error|fatal|panic)"/.test(l)) ?? lines[lines.length - 1];
      try {
        const entry = JSON.parse(last) as { msg?: string; error?: string };
        return [entry.msg, entry.error].filter(Boolean).join(': ');
      } catch {
        return last;
      }
    } catch {
      return 'no log';
    }
  }

  /** Stops every member (SIGTERM, then SIGKILL); returns the names that were running. */
  async stop(): Promise<string[]> {
    const states = this.memberStates();
    const running = this.spec.members.filter((m) => states[m.name].state === 'running');
    // One at a time: a leader that is asked to stop first hands leadership to a
    // follower. If every member stops at once that hand-over waits for peers
    // that are themselves going away, and a stop takes 5 s instead of 0.1 s.
    for (const m of running) await terminate(states[m.name].pid!);
    writePids(this.spec.stateDir, {});
    return running.map((m) => m.name);
  }

  /** Stops the cluster and deletes its data, logs and pids. */
  async reset(): Promise<void> {
    await this.stop();
    await Promise.all(this.spec.members.map((m) => rm(m.dataDir, { recursive: true, force: true })));
    await rm(join(this.spec.stateDir, 'logs'), { recursive: true, force: true });
    await rm(join(this.spec.stateDir, 'pids.json'), { force: true });
  }

  /** For throw-away clusters: stop and delete the whole folder. */
  async destroy(): Promise<void> {
    await this.stop();
    if (existsSync(this.spec.stateDir)) await rm(this.spec.stateDir, { recursive: true, force: true });
  }
}
