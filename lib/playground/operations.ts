/**
 * The operations core of the playground's two faces, the console
 * (`npm run playground`) and the web page (`npm run dashboard`): status, key
 * operations, per-member copies and faults. Each returns a typed result; the
 * console prints it (messages.ts, session.ts), the dashboard serialises it.
 * Neither face talks to etcd or to the fault cluster but through this.
 *
 * Every key-value call goes to one member at a time, one attempt, with a
 * deadline: what a person sees is what that member did, not what etcd3's
 * retries and circuit breaker made of it. Without `via`, members are tried in
 * order until one answers, and the result says which did. The clients (one
 * per member) live as long as the core: a dashboard asks every member twice a
 * second, and a new client per question would log in anew each time on a
 * cluster with users.
 */
import type { Etcd3, Namespace, Watcher } from 'etcd3';
import type { MemberState } from '../cluster/cluster.ts';
import { hashKVVia, statusVia } from '../cluster/inspect.ts';
import { openClient } from '../connection/client.ts';
import type { Connection } from '../connection/connection.ts';
import { classifyEtcdError } from '../connection/etcd-errors.ts';
import type { FaultyCluster, MemberCondition, MemberReport } from '../faults/faulty-cluster.ts';
import { type Command, CommandError, type MemberAction, usage } from './commands.ts';

/** How long one member has to answer a key-value call. */
export const CALL_MS = 2000;
/**
 * A member's KV hash at an unchanged revision is reused this long: HashKV
 * reads every key, and a dashboard asks twice a second. (Not forever: a
 * compaction changes the hash of the same revision.)
 */
const HASH_REUSE_MS = 5000;

export interface PlaygroundMember {
  name: string;
  endpoint: string;
}

/** faults: members of our own behind peer proxies; local: the workbook's local cluster; shared: a cluster given by a connection (a class cluster). */
export type ClusterKind = 'faults' | 'local' | 'shared';

export interface OperationsOptions {
  connection: Connection;
  /** Prefix of every key (a class cluster's /students/<name>/); '' for none. */
  namespace: string;
  members: PlaygroundMember[];
  /** The fault console's own cluster. */
  faults?: FaultyCluster;
  /** Process states of the members of a cluster the workbook runs. */
  processes?: () => Record<string, { state: MemberState }>;
}

/** What one member did, with why the members asked before it did not; or why none did. */
export type Reached<T> =
  | { ok: true; value: T; via: string; failures: string[] }
  | { ok: false; failures: string[] };

export interface KeyValue {
  key: string;
  value: string;
  modRevision: string;
}

export type KeyOutcome =
  | { op: 'list'; prefix: string; answer: Reached<{ entries: KeyValue[]; total: number }> }
  | { op: 'get'; key: string; serializable: boolean; answer: Reached<{ found: KeyValue | null }> }
  | { op: 'put'; key: string; value: string; answer: Reached<{ revision: string }> }
  | { op: 'delete'; key: string; answer: Reached<{ deleted: number; revision: string }> };

/** A fault, as the console's parser makes it and the dashboard's API receives it. */
export type FaultRequest = Extract<Command, { kind: MemberAction | 'partition' | 'heal' }>;

export interface FaultOutcome {
  request: FaultRequest;
  done: boolean;
  /** Why it was not done: the member's state made it pointless, or it failed. */
  refusal?: 'down' | 'paused' | 'up' | 'not-paused' | 'failed';
  error?: string;
  ms: number;
}

/** One member as the faces show it: the fault table's columns, and its db size. */
export interface MemberView extends MemberReport {
  dbSize?: number;
  /** What the process table says, on a cluster the workbook runs. */
  processState?: MemberState;
  /** Why it does not answer. */
  error?: string;
}

/** A member's own copy of some keys (serializable reads): each key's value, or null when it has none; or why it did not answer. */
export interface MemberCopies {
  member: string;
  copies?: Record<string, KeyValue | null>;
  error?: string;
}

/** One line on why a member did not do what was asked. */
export function whyFailed(error: unknown, member: string, deadlineMs = CALL_MS): string {
  const { kind, text } = classifyEtcdError(error);
  switch (kind) {
    case 'deadline': return `${member} did not answer within ${deadlineMs / 1000} s (down, paused, or cut off from a quorum: status shows which)`;
    case 'refused': return `${member} refuses connections: it is not running`;
    case 'no-quorum': return `${member} could not reach a quorum (etcd: ${text})`;
    case 'permission-denied': return 'etcd refused: permission denied (your user may not touch that key)';
    default: return `${member}: ${text}`;
  }
}

const deadline = (ms: number) => ({ deadline: Date.now() + ms });

export class ClusterOperations {
  private readonly clients = new Map<string, { root: Etcd3; view: Namespace }>();
  private readonly idToName = new Map<string, string>();
  /** HashKV needs an admin user: once refused, not asked again. */
  private hashRefused = false;
  /** Each member's last hash: at the same revision it is asked again only after HASH_REUSE_MS (it reads every key). */
  private readonly hashes = new Map<string, { revision: string; hash: number; at: number }>();
  private faultQueue: Promise<unknown> = Promise.resolve();
  private watchClient?: { root: Etcd3; view: Namespace };

  constructor(private readonly options: OperationsOptions) {}

  get kind(): ClusterKind {
    return this.options.faults ? 'faults' : this.options.processes ? 'local' : 'shared';
  }

  get members(): PlaygroundMember[] {
    return this.options.members;
  }

  get memberNames(): string[] {
    return this.options.members.map((m) => m.name);
  }

  get namespace(): string {
    return this.options.namespace;
  }

  get hasFaults(): boolean {
    return !!this.options.faults;
  }

  private client(member: PlaygroundMember): { root: Etcd3; view: Namespace } {
    let entry = this.clients.get(member.name);
    if (!entry) {
      const root = openClient(this.options.connection, { deadlineMs: CALL_MS, endpoints: [member.endpoint], singleAttempt: true });
      entry = { root, view: this.options.namespace ? root.namespace(this.options.namespace) : root };
      this.clients.set(member.name, entry);
    }
    return entry;
  }

  private member(name: string): PlaygroundMember {
    const found = this.options.members.find((m) => m.name === name);
    if (!found) throw new CommandError(`there is no member "${name}" (members: ${this.memberNames.join(', ')})`);
    return found;
  }

  /** Process conditions where they are known: the fault cluster's, or the local cluster's process table. */
  private conditions(): Record<string, MemberCondition> | undefined {
    if (this.options.faults) return this.options.faults.conditions();
    const processes = this.options.processes?.();
    if (!processes) return undefined;
    return Object.fromEntries(Object.entries(processes).map(([name, p]) => [name, p.state === 'running' ? 'up' : 'down']));
  }

  /** The members to ask, in order: the one named, or every member that is not known to be down or paused. */
  private candidates(via?: string): PlaygroundMember[] {
    if (via) return [this.member(via)];
    const conditions = this.options.faults?.conditions();
    const alive = this.options.members.filter((m) => !conditions || conditions[m.name] === 'up');
    return alive.length ? alive : this.options.members;
  }

  /** Runs `work` on the first member that manages it. */
  private async onMembers<T>(via: string | undefined, work: (client: Namespace) => Promise<T>): Promise<Reached<T>> {
    const failures: string[] = [];
    for (const member of this.candidates(via)) {
      try {
        const value = await work(this.client(member).view);
        return { ok: true, value, via: member.name, failures };
      } catch (error) {
        failures.push(whyFailed(error, member.name));
      }
    }
    return { ok: false, failures };
  }

  // ── keys ──────────────────────────────────────────────────────────────

  /** Keys and values under a prefix, in etcd's order (bytes, not UTF-16): the first `limit`, and how many there are. */
  async list(prefix: string, options: { via?: string; limit?: number } = {}): Promise<KeyOutcome> {
    const limit = options.limit ?? 50;
    const answer = await this.onMembers(options.via, async (c) => {
      const response = await c.getAll().prefix(prefix).limit(limit).exec();
      return { entries: response.kvs.map(keyValue), total: Number(response.count) };
    });
    return { op: 'list', prefix, answer };
  }

  /** One key; `serializable`: from the member's own copy, without asking a quorum. */
  async get(key: string, options: { via?: string; serializable?: boolean } = {}): Promise<KeyOutcome> {
    const serializable = !!options.serializable;
    const answer = await this.onMembers(options.via, async (c) => {
      const response = await c.get(key).serializable(serializable).exec();
      return { found: response.kvs[0] ? { ...keyValue(response.kvs[0]), key } : null };
    });
    return { op: 'get', key, serializable, answer };
  }

  async put(key: string, value: string, options: { via?: string } = {}): Promise<KeyOutcome> {
    const answer = await this.onMembers(options.via, async (c) => ({ revision: (await c.put(key).value(value).exec()).header.revision }));
    return { op: 'put', key, value, answer };
  }

  async delete(key: string, options: { via?: string } = {}): Promise<KeyOutcome> {
    const answer = await this.onMembers(options.via, async (c) => {
      const response = await c.delete().key(key).exec();
      return { deleted: Number(response.deleted), revision: response.header.revision };
    });
    return { op: 'delete', key, answer };
  }

  /**
   * Each member's own copy of `keys` (serializable reads, each within
   * `deadlineMs`): a member cut off from the others answers with what it
   * has, which may be stale. Members known to be down or paused are not asked.
   */
  async copies(keys: string[], deadlineMs = 400): Promise<MemberCopies[]> {
    const conditions = this.conditions();
    return Promise.all(this.options.members.map(async (m): Promise<MemberCopies> => {
      const condition = conditions?.[m.name];
      if (condition && condition !== 'up') return { member: m.name, error: `${m.name} is ${condition}` };
      try {
        const view = this.client(m).view;
        const found = await Promise.all(keys.map((k) => view.get(k).serializable(true).options(deadline(deadlineMs)).exec()));
        return { member: m.name, copies: Object.fromEntries(keys.map((k, i) => [k, found[i].kvs[0] ? { ...keyValue(found[i].kvs[0]), key: k } : null])) };
      } catch (error) {
        return { member: m.name, error: whyFailed(error, m.name, deadlineMs) };
      }
    }));
  }

  /** A watch on a prefix (streams have no deadline; etcd3 moves it to another member when one goes away). */
  async watch(prefix: string): Promise<Watcher> {
    if (!this.watchClient) {
      const root = openClient({ ...this.options.connection, endpoints: this.options.members.map((m) => m.endpoint) }, { deadlineMs: 0 });
      this.watchClient = { root, view: this.options.namespace ? root.namespace(this.options.namespace) : root };
    }
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.watchClient.view.watch().prefix(prefix).create(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`watch ${prefix}: no member answered within ${CALL_MS / 1000} s`)), CALL_MS); }),
    ]).finally(() => clearTimeout(timer));
  }

  // ── status ────────────────────────────────────────────────────────────

  /**
   * Every member: its process (where known), its network (in the fault
   * cluster), and what it says of Raft and its data, each asked within
   * `deadlineMs`. Members known to be down or paused are not asked.
   */
  async status(deadlineMs = 500): Promise<MemberView[]> {
    const conditions = this.conditions();
    const processes = this.options.processes?.();
    const links = this.options.faults?.links;
    const leaderIds = new Map<string, string>();
    const views = await Promise.all(this.options.members.map(async (m): Promise<MemberView> => {
      const known = conditions?.[m.name];
      const base = { name: m.name, endpoint: m.endpoint, isolatedFrom: links?.isolatedFrom(m.name) ?? [], processState: processes?.[m.name]?.state };
      if (known && known !== 'up') return { ...base, condition: known, answering: false };
      const { root } = this.client(m);
      try {
        const s = await statusVia(root, m.endpoint, deadline(deadlineMs));
        if (s.id) this.idToName.set(s.id, m.name);
        if (s.leaderId && s.leaderId !== '0') leaderIds.set(m.name, s.leaderId);
        return {
          ...base, condition: 'up', answering: true, isLeader: s.isLeader, raftTerm: s.raftTerm, raftIndex: s.raftIndex,
          revision: s.revision, dbSize: s.dbSize, hash: await this.hash(m.name, root, s.revision!, deadlineMs),
        };
      } catch (error) {
        // Where the process is not known (a class cluster), a member that does not answer counts as down.
        return { ...base, condition: known ?? 'down', answering: false, error: whyFailed(error, m.name, deadlineMs) };
      }
    }));
    // Ids learnt earlier name a leader that is down now (its followers may not know yet).
    return views.map((v) => {
      const id = leaderIds.get(v.name);
      return id ? { ...v, leaderName: this.idToName.get(id) ?? id } : v;
    });
  }

  private async hash(member: string, client: Etcd3, revision: string, deadlineMs: number): Promise<number | undefined> {
    if (this.hashRefused) return undefined;
    const known = this.hashes.get(member);
    if (known && known.revision === revision && Date.now() - known.at < HASH_REUSE_MS) return known.hash;
    try {
      const hash = await hashKVVia(client, revision, deadline(deadlineMs));
      this.hashes.set(member, { revision, hash, at: Date.now() });
      return hash;
    } catch (error) {
      if (classifyEtcdError(error).kind === 'permission-denied') this.hashRefused = true;
      return undefined;
    }
  }

  // ── faults ────────────────────────────────────────────────────────────

  /** Checks a fault's members (the API receives them unchecked); throws a CommandError that says what is wrong. */
  private validate(request: FaultRequest): void {
    if (request.kind === 'heal') return;
    if (request.kind !== 'partition') {
      this.member(request.member);
      return;
    }
    const groups = request.groups.filter((g) => g.length > 0);
    if (groups.length < 2) throw new CommandError(`partition needs at least two groups: usage: ${usage('partition')}`);
    const seen = groups.flat();
    seen.forEach((m) => this.member(m));
    const twice = seen.find((m, i) => seen.indexOf(m) !== i);
    if (twice) throw new CommandError(`${twice} is in two groups: each member goes in one`);
  }

  /** Does one fault, after any still in progress (a restart takes seconds); never throws for what the cluster did. */
  fault(request: FaultRequest): Promise<FaultOutcome> {
    const faults = this.options.faults;
    if (!faults) throw new CommandError(`${request.kind} needs members of its own: --faults`);
    this.validate(request);
    const run = this.faultQueue.then(() => this.doFault(faults, request));
    this.faultQueue = run.catch(() => {});
    return run;
  }

  private async doFault(faults: FaultyCluster, request: FaultRequest): Promise<FaultOutcome> {
    const began = performance.now();
    const outcome = (done: boolean, refusal?: FaultOutcome['refusal'], error?: string): FaultOutcome => ({ request, done, refusal, error, ms: Math.round(performance.now() - began) });
    try {
      switch (request.kind) {
        case 'kill': {
          if (faults.condition(request.member) === 'down') return outcome(false, 'down');
          await faults.kill(request.member);
          return outcome(true);
        }
        case 'restart': {
          const condition = faults.condition(request.member);
          if (condition !== 'down') return outcome(false, condition);
          await faults.restart(request.member, { untilServing: true });
          return outcome(true);
        }
        case 'pause': {
          const condition = faults.condition(request.member);
          if (condition !== 'up') return outcome(false, condition);
          faults.pause(request.member);
          return outcome(true);
        }
        case 'resume':
          if (faults.condition(request.member) !== 'paused') return outcome(false, 'not-paused');
          faults.resume(request.member);
          return outcome(true);
        case 'partition':
          faults.partition(request.groups.filter((g) => g.length > 0));
          return outcome(true);
        case 'isolate':
          faults.isolate(request.member);
          return outcome(true);
        case 'heal':
          faults.heal();
          return outcome(true);
      }
    } catch (error) {
      return outcome(false, 'failed', (error as Error).message.split('\n')[0]);
    }
  }

  /** Closes every client (watches end with it). */
  close(): void {
    this.watchClient?.root.close();
    this.watchClient = undefined;
    for (const { root } of this.clients.values()) root.close();
    this.clients.clear();
  }
}

function keyValue(kv: { key: Buffer; value: Buffer; mod_revision: string }): KeyValue {
  return { key: kv.key.toString(), value: kv.value.toString(), modRevision: kv.mod_revision };
}
