/**
 * What the playground's commands do, against a real cluster: the default
 * local one (or a class cluster, inside the student's namespace), or, in the
 * fault console, members of its own behind peer proxies (FaultyCluster).
 *
 * Every key-value call goes to one member at a time, one attempt, with a
 * deadline: what a person sees is what that member did, not what etcd3's
 * retries and circuit breaker made of it. Without `via`, members are tried in
 * order until one answers, and the output says which did.
 */
import { Etcd3, type Namespace, type Watcher } from 'etcd3';
import { clusterStatus } from '../cluster/inspect.ts';
import { memberTable, faultTable } from '../reporters/member-tables.ts';
import type { MemberState } from '../cluster/cluster.ts';
import { type Connection, clientOptions } from '../connection/connection.ts';
import type { FaultyCluster } from '../faults/faulty-cluster.ts';
import { style } from '../terminal/style.ts';
import { type Command, helpText } from './commands.ts';
import { classifyEtcdError } from '../connection/etcd-errors.ts';
import { openClient } from '../connection/client.ts';

/** How long one member has to answer a key-value call. */
const CALL_MS = 2000;

export interface PlaygroundMember {
  name: string;
  endpoint: string;
}

export interface PlaygroundOptions {
  connection: Connection;
  /** Prefix of every key (a class cluster's /students/<name>/); '' for none. */
  namespace: string;
  members: PlaygroundMember[];
  /** The fault console's own cluster. */
  faults?: FaultyCluster;
  /** Process states of the members of a cluster the workbook runs (for status). */
  processes?: () => Record<string, { state: MemberState }>;
  print: (line: string) => void;
}

const ok = (text: string) => `${style.green('✔')} ${text}`;
const bad = (text: string) => `${style.red('✖')} ${text}`;

/** One line on why a member did not do what was asked. */
function whyFailed(error: unknown, member: string): string {
  const { kind, text } = classifyEtcdError(error);
  switch (kind) {
    case 'deadline': return `${member} did not answer within ${CALL_MS / 1000} s (down, paused, or cut off from a quorum: status shows which)`;
    case 'refused': return `${member} refuses connections: it is not running`;
    case 'no-quorum': return `${member} could not reach a quorum (etcd: ${text})`;
    case 'permission-denied': return 'etcd refused: permission denied (your user may not touch that key)';
    default: return `${member}: ${text}`;
  }
}

export class PlaygroundSession {
  private readonly clients = new Map<string, { root: Etcd3; view: Namespace }>();
  private readonly watchers = new Map<string, Watcher>();
  private watchClient?: { root: Etcd3; view: Namespace };

  constructor(private readonly options: PlaygroundOptions) {}

  get memberNames(): string[] {
    return this.options.members.map((m) => m.name);
  }

  private client(member: PlaygroundMember): Namespace {
    let entry = this.clients.get(member.name);
    if (!entry) {
      const root = openClient(this.options.connection, { deadlineMs: CALL_MS, endpoints: [member.endpoint], singleAttempt: true });
      entry = { root, view: this.options.namespace ? root.namespace(this.options.namespace) : root };
      this.clients.set(member.name, entry);
    }
    return entry.view;
  }

  /** The members to ask, in order: the one named, or every member that is not known to be down or paused. */
  private candidates(via?: string): PlaygroundMember[] {
    if (via) return this.options.members.filter((m) => m.name === via);
    const conditions = this.options.faults?.conditions();
    const alive = this.options.members.filter((m) => !conditions || conditions[m.name] === 'up');
    return alive.length ? alive : this.options.members;
  }

  /** Runs `work` on the first member that manages it; the note says who answered and who did not. */
  private async onMembers<T>(via: string | undefined, work: (client: Namespace) => Promise<T>): Promise<{ value: T; note: string } | { error: string }> {
    const failures: string[] = [];
    for (const member of this.candidates(via)) {
      try {
        const value = await work(this.client(member));
        const skipped = failures.length ? `; ${failures.join('; ')}` : '';
        return { value, note: style.dim(`(via ${member.name}${skipped})`) };
      } catch (error) {
        failures.push(whyFailed(error, member.name));
      }
    }
    return { error: failures.join('; ') };
  }

  /** Runs one command; false when the person asked to leave. */
  async execute(command: Command): Promise<boolean> {
    const { print } = this.options;
    const faults = this.options.faults;
    switch (command.kind) {
      case 'empty':
        return true;
      case 'exit':
        return false;
      case 'help':
        print('Commands (members: ' + this.memberNames.join(', ') + '):');
        for (const line of helpText(!!faults)) print(line);
        return true;
      case 'list': {
        const result = await this.onMembers(command.via, (c) => c.getAll().prefix(command.prefix).strings());
        if ('error' in result) print(bad(result.error));
        else {
          const entries = Object.entries(result.value);
          for (const [key, value] of entries.slice(0, 50)) print(`  ${key} = ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`);
          if (entries.length > 50) print(style.dim(`  … and ${entries.length - 50} more`));
          print(`${entries.length} key(s)${command.prefix ? ` under ${command.prefix}` : ''} ${result.note}`);
        }
        break;
      }
      case 'get': {
        const result = await this.onMembers(command.via, (c) => {
          const get = c.get(command.key);
          return (command.serializable ? get.serializable(true) : get).string();
        });
        if ('error' in result) print(bad(result.error));
        else if (result.value === null) print(bad(`no key ${JSON.stringify(command.key)} (never written, or deleted) ${result.note}`));
        else print(`${JSON.stringify(result.value)} ${command.serializable ? style.dim('serializable: this member\'s own copy, maybe stale ') : ''}${result.note}`);
        break;
      }
      case 'put': {
        const result = await this.onMembers(command.via, (c) => c.put(command.key).value(command.value).exec());
        if ('error' in result) print(bad(`${result.error}. The write was not confirmed; it may still be committed later.`));
        else print(ok(`${command.key} = ${JSON.stringify(command.value)} at revision ${result.value.header.revision} ${result.note}`));
        break;
      }
      case 'delete': {
        const result = await this.onMembers(command.via, (c) => c.delete().key(command.key).exec());
        if ('error' in result) print(bad(result.error));
        else if (result.value.deleted === '0') print(bad(`no key ${JSON.stringify(command.key)}: nothing deleted ${result.note}`));
        else print(ok(`deleted ${command.key} at revision ${result.value.header.revision} ${result.note}`));
        break;
      }
      case 'watch':
        await this.watch(command.prefix);
        break;
      case 'unwatch': {
        const prefixes = command.prefix !== undefined ? [command.prefix] : [...this.watchers.keys()];
        if (command.prefix !== undefined && !this.watchers.has(command.prefix)) print(bad(`not watching ${JSON.stringify(command.prefix)} (watching: ${[...this.watchers.keys()].join(', ') || 'nothing'})`));
        for (const prefix of prefixes.filter((p) => this.watchers.has(p))) {
          await this.watchers.get(prefix)!.cancel();
          this.watchers.delete(prefix);
          print(ok(`stopped watching ${JSON.stringify(prefix)}`));
        }
        break;
      }
      case 'status':
        if (!faults) await this.printStatus();
        break;
      case 'kill':
        await faults!.kill(command.member);
        print(ok(`killed ${command.member} (SIGKILL)`));
        break;
      case 'restart': {
        if (faults!.condition(command.member) === 'paused') {
          print(bad(`${command.member} is paused, not down: resume ${command.member}`));
          break;
        }
        const began = performance.now();
        await faults!.restart(command.member, { untilServing: true });
        print(ok(`${command.member} is running again, with its data (${((performance.now() - began) / 1000).toFixed(1)} s)`));
        break;
      }
      case 'pause':
        if (faults!.condition(command.member) === 'down') {
          print(bad(`${command.member} is not running: restart ${command.member}`));
          break;
        }
        faults!.pause(command.member);
        print(ok(`paused ${command.member} (SIGSTOP): it holds its connections and answers nothing`));
        break;
      case 'resume':
        faults!.resume(command.member);
        print(ok(`resumed ${command.member} (SIGCONT)`));
        break;
      case 'partition':
        faults!.partition(command.groups);
        print(ok(`partitioned ${command.groups.map((g) => `{${g.join(' ')}}`).join(' | ')}`));
        break;
      case 'isolate':
        faults!.isolate(command.member);
        print(ok(`isolated ${command.member} from every other member`));
        break;
      case 'heal':
        faults!.heal();
        print(ok('every link restored'));
        break;
    }
    // In the fault console, the state of the cluster after every command.
    if (faults) print(faultTable(await faults.report(500)));
    return true;
  }

  private async printStatus(): Promise<void> {
    const statuses = await clusterStatus({ ...this.options.connection, endpoints: this.options.members.map((m) => m.endpoint) }, CALL_MS);
    const processes = this.options.processes?.();
    this.options.print(memberTable(this.options.members.map((m, i) => ({ name: m.name, status: statuses[i], process: processes?.[m.name]?.state }))));
  }

  private async watch(prefix: string): Promise<void> {
    const { print } = this.options;
    if (this.watchers.has(prefix)) {
      print(bad(`already watching ${JSON.stringify(prefix)}`));
      return;
    }
    if (!this.watchClient) {
      // Streams have no deadline; etcd3 moves a watch to another member when one goes away.
      const root = new Etcd3(clientOptions({ ...this.options.connection, endpoints: this.options.members.map((m) => m.endpoint) }));
      this.watchClient = { root, view: this.options.namespace ? root.namespace(this.options.namespace) : root };
    }
    try {
      const watcher = await this.withDeadline(this.watchClient.view.watch().prefix(prefix).create(), `watch ${prefix}`);
      const tag = style.cyan(`[watch ${prefix}]`);
      watcher.on('put', (kv) => print(`${tag} put ${kv.key.toString()} = ${JSON.stringify(kv.value.toString())} (revision ${kv.mod_revision})`));
      watcher.on('delete', (kv) => print(`${tag} delete ${kv.key.toString()} (revision ${kv.mod_revision})`));
      watcher.on('disconnected', () => print(`${tag} ${style.yellow('lost its member; reconnecting')}`));
      watcher.on('connected', () => print(`${tag} connected`));
      this.watchers.set(prefix, watcher);
      print(ok(`watching ${JSON.stringify(prefix)}: changes appear as they happen (unwatch to stop)`));
    } catch (error) {
      print(bad(`could not watch ${JSON.stringify(prefix)}: ${(error as Error).message.split('\n')[0]}`));
    }
  }

  private withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      work,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no member answered within ${CALL_MS / 1000} s`)), CALL_MS); }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Stops watches and closes every client. */
  async close(): Promise<void> {
    await Promise.all([...this.watchers.values()].map((w) => w.cancel().catch(() => {})));
    this.watchers.clear();
    this.watchClient?.root.close();
    for (const { root } of this.clients.values()) root.close();
    this.clients.clear();
  }
}
