/**
 * The console's side of the playground: runs a parsed command through the
 * operations core (operations.ts) and prints its result, one step per
 * command. In the fault console, the member table follows every command.
 * Watches live here: what they print arrives between commands.
 */
import type { Watcher } from 'etcd3';
import { faultTable, memberTable } from '../reporters/member-tables.ts';
import { style } from '../terminal/style.ts';
import { type Command, helpText } from './commands.ts';
import { type Message, faultMessage, keyMessage } from './messages.ts';
import type { ClusterOperations, FaultRequest, KeyOutcome } from './operations.ts';

/** A message as the console prints it: ✔ or ✖, the words, the aside dimmed. */
export function consoleLine(message: Message): string {
  const mark = message.ok === true ? `${style.green('✔')} ` : message.ok === false ? `${style.red('✖')} ` : '';
  return `${mark}${message.text}${message.aside ? ` ${style.dim(message.aside)}` : ''}`;
}

type Step<K extends Command['kind']> = (command: Extract<Command, { kind: K }>) => Promise<void> | void;

export class PlaygroundSession {
  private readonly watchers = new Map<string, Watcher>();

  constructor(private readonly ops: ClusterOperations, private readonly print: (line: string) => void) {}

  get memberNames(): string[] {
    return this.ops.memberNames;
  }

  /** Runs one command; false when the person asked to leave. */
  async execute(command: Command): Promise<boolean> {
    if (command.kind === 'exit') return false;
    if (command.kind === 'empty') return true;
    await (this.steps[command.kind] as Step<typeof command.kind>)(command);
    // In the fault console, the state of the cluster after every command.
    if (this.ops.hasFaults) this.print(faultTable(await this.ops.status()));
    return true;
  }

  private readonly steps: { [K in Exclude<Command['kind'], 'exit' | 'empty'>]: Step<K> } = {
    help: () => this.help(),
    list: async (c) => this.showList(await this.ops.list(c.prefix, { via: c.via })),
    get: async (c) => this.show(await this.ops.get(c.key, { via: c.via, serializable: c.serializable })),
    put: async (c) => this.show(await this.ops.put(c.key, c.value, { via: c.via })),
    delete: async (c) => this.show(await this.ops.delete(c.key, { via: c.via })),
    watch: (c) => this.watch(c.prefix),
    unwatch: (c) => this.unwatch(c.prefix),
    status: () => this.status(),
    kill: (c) => this.fault(c),
    restart: (c) => this.fault(c),
    pause: (c) => this.fault(c),
    resume: (c) => this.fault(c),
    isolate: (c) => this.fault(c),
    partition: (c) => this.fault(c),
    heal: (c) => this.fault(c),
  };

  private help(): void {
    this.print(`Commands (members: ${this.memberNames.join(', ')}):`);
    for (const line of helpText(this.ops.hasFaults)) this.print(line);
  }

  private show(outcome: KeyOutcome): void {
    this.print(consoleLine(keyMessage(outcome)));
  }

  /** The entries (values cut at 80 characters), then the count. */
  private showList(outcome: KeyOutcome): void {
    if (outcome.op === 'list' && outcome.answer.ok) {
      const { entries, total } = outcome.answer.value;
      for (const { key, value } of entries) this.print(`  ${key} = ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`);
      if (total > entries.length) this.print(style.dim(`  … and ${total - entries.length} more`));
    }
    this.show(outcome);
  }

  private async fault(request: FaultRequest): Promise<void> {
    this.print(consoleLine(faultMessage(await this.ops.fault(request))));
  }

  /** The member table (the fault console prints its own after every command). */
  private async status(): Promise<void> {
    if (this.ops.hasFaults) return;
    const views = await this.ops.status(2000);
    this.print(memberTable(views.map((v) => ({
      name: v.name,
      process: v.processState,
      status: { endpoint: v.endpoint, up: v.answering, isLeader: v.isLeader, raftTerm: v.raftTerm, raftIndex: v.raftIndex, revision: v.revision, dbSize: v.dbSize },
    }))));
  }

  private async watch(prefix: string): Promise<void> {
    const bad = (text: string) => this.print(consoleLine({ ok: false, text }));
    if (this.watchers.has(prefix)) return bad(`already watching ${JSON.stringify(prefix)}`);
    try {
      const watcher = await this.ops.watch(prefix);
      const tag = style.cyan(`[watch ${prefix}]`);
      watcher.on('put', (kv) => this.print(`${tag} put ${kv.key.toString()} = ${JSON.stringify(kv.value.toString())} (revision ${kv.mod_revision})`));
      watcher.on('delete', (kv) => this.print(`${tag} delete ${kv.key.toString()} (revision ${kv.mod_revision})`));
      watcher.on('disconnected', () => this.print(`${tag} ${style.yellow('lost its member; reconnecting')}`));
      watcher.on('connected', () => this.print(`${tag} connected`));
      this.watchers.set(prefix, watcher);
      this.print(consoleLine({ ok: true, text: `watching ${JSON.stringify(prefix)}: changes appear as they happen (unwatch to stop)` }));
    } catch (error) {
      bad(`could not watch ${JSON.stringify(prefix)}: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  private async unwatch(prefix: string | undefined): Promise<void> {
    if (prefix !== undefined && !this.watchers.has(prefix)) {
      this.print(consoleLine({ ok: false, text: `not watching ${JSON.stringify(prefix)} (watching: ${[...this.watchers.keys()].join(', ') || 'nothing'})` }));
    }
    const prefixes = prefix !== undefined ? [prefix] : [...this.watchers.keys()];
    for (const p of prefixes.filter((w) => this.watchers.has(w))) {
      await this.watchers.get(p)!.cancel();
      this.watchers.delete(p);
      this.print(consoleLine({ ok: true, text: `stopped watching ${JSON.stringify(p)}` }));
    }
  }

  /** Stops the watches (the operations core closes its clients itself). */
  async close(): Promise<void> {
    await Promise.all([...this.watchers.values()].map((w) => w.cancel().catch(() => {})));
    this.watchers.clear();
  }
}
