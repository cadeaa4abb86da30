/**
 * The playground's commands: what a person may type, the help they read, and
 * the parser that turns a line into a Command (or a one-line CommandError
 * that says what to type instead).
 */

export interface CommandSpec {
  name: string;
  usage: string;
  help: string;
  /** Only in the fault console (`npm run playground -- --faults`). */
  faults?: boolean;
}

export const COMMANDS: CommandSpec[] = [
  { name: 'list', usage: 'list [prefix]', help: 'keys and values under a prefix (every key without one), in key order' },
  { name: 'get', usage: 'get <key> [via <member>] [--serializable]', help: 'read a value; via: ask that member; --serializable: from its own copy, without a quorum' },
  { name: 'put', usage: 'put <key> <value> [via <member>]', help: 'write a value (quote it to keep spaces: put greeting "hello world")' },
  { name: 'delete', usage: 'delete <key> [via <member>]', help: 'delete a key' },
  { name: 'watch', usage: 'watch <prefix>', help: 'print every change under a prefix as it happens, until unwatch' },
  { name: 'unwatch', usage: 'unwatch [prefix]', help: 'stop watching one prefix, or all' },
  { name: 'status', usage: 'status', help: 'the members: up or not, leader, term, raft index, revision' },
  { name: 'kill', usage: 'kill <member>', help: 'SIGKILL a member: a power cut', faults: true },
  { name: 'restart', usage: 'restart <member>', help: 'start a killed member again, with its data', faults: true },
  { name: 'pause', usage: 'pause <member>', help: 'SIGSTOP a member: it freezes, its connections stay open', faults: true },
  { name: 'resume', usage: 'resume <member>', help: 'SIGCONT a paused member', faults: true },
  { name: 'partition', usage: 'partition <a,b,c> <d,e>', help: 'cut the network between groups of members (e.g. partition n1,n2,n3 n4,n5)', faults: true },
  { name: 'isolate', usage: 'isolate <member>', help: 'cut one member off from all the others', faults: true },
  { name: 'heal', usage: 'heal', help: 'restore every link', faults: true },
  { name: 'help', usage: 'help', help: 'this list' },
  { name: 'exit', usage: 'exit', help: 'leave (Ctrl-C and Ctrl-D too)' },
];

export type MemberAction = 'kill' | 'restart' | 'pause' | 'resume' | 'isolate';

export type Command =
  | { kind: 'empty' }
  | { kind: 'list'; prefix: string; via?: string }
  | { kind: 'get'; key: string; via?: string; serializable: boolean }
  | { kind: 'put'; key: string; value: string; via?: string }
  | { kind: 'delete'; key: string; via?: string }
  | { kind: 'watch'; prefix: string }
  | { kind: 'unwatch'; prefix?: string }
  | { kind: 'status' }
  | { kind: 'help' }
  | { kind: 'exit' }
  | { kind: MemberAction; member: string }
  | { kind: 'partition'; groups: string[][] }
  | { kind: 'heal' };

/** A line that is not a command: the message says what to type instead. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

export interface ParseContext {
  members: string[];
  faults: boolean;
}

/** Splits on spaces; "double" or 'single' quotes keep spaces inside a word. */
export function words(line: string): string[] {
  if (/["']/.test(line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, ''))) throw new CommandError('a quote is not closed (put k "two words")');
  const out: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = pattern.exec(line); m; m = pattern.exec(line)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]));
  }
  return out;
}

/** A command's usage line ("partition <a,b,c> <d,e>"). */
export function usage(name: string): string {
  return COMMANDS.find((c) => c.name === name)!.usage;
}

export function parseCommand(line: string, context: ParseContext): Command {
  const all = words(line.trim());
  if (all.length === 0) return { kind: 'empty' };
  const [name, ...rest] = all;
  const spec = COMMANDS.find((c) => c.name === name.toLowerCase());
  if (!spec) {
    const near = COMMANDS.find((c) => c.name.startsWith(name.toLowerCase().slice(0, 3)));
    throw new CommandError(`unknown command "${name}"${near ? ` (did you mean ${near.name}?)` : ''}; type help for the list`);
  }
  if (spec.faults && !context.faults) {
    throw new CommandError(`${spec.name} needs the fault console, with members of its own: npm run playground -- --faults`);
  }
  const member = (word: string | undefined, what: string): string => {
    if (!word) throw new CommandError(`${what}: usage: ${usage(spec.name)}`);
    if (!context.members.includes(word)) throw new CommandError(`there is no member "${word}" (members: ${context.members.join(', ')})`);
    return word;
  };

  // "--serializable" anywhere, "via <member>" at the end.
  const serializable = rest.includes('--serializable');
  const args = rest.filter((w) => w !== '--serializable');
  if (serializable && spec.name !== 'get') throw new CommandError(`--serializable is for get: usage: ${usage('get')}`);
  let via: string | undefined;
  const viaAt = args.length >= 2 ? args.length - 2 : -1;
  if (viaAt >= 0 && args[viaAt] === 'via' && ['list', 'get', 'put', 'delete'].includes(spec.name)) {
    via = member(args[viaAt + 1], 'via needs a member');
    args.splice(viaAt, 2);
  }
  const exactly = (n: number) => {
    if (args.length !== n) throw new CommandError(`${spec.name} takes ${n === 0 ? 'no arguments' : n === 1 ? 'one argument' : `${n} arguments`}: usage: ${usage(spec.name)}`);
  };

  switch (spec.name) {
    case 'list':
      if (args.length > 1) throw new CommandError(`usage: ${usage('list')}`);
      return { kind: 'list', prefix: args[0] ?? '', via };
    case 'get':
      exactly(1);
      return { kind: 'get', key: args[0], via, serializable };
    case 'put':
      if (args.length < 2) throw new CommandError(`put needs a key and a value: usage: ${usage('put')}`);
      return { kind: 'put', key: args[0], value: args.slice(1).join(' '), via };
    case 'delete':
      exactly(1);
      return { kind: 'delete', key: args[0], via };
    case 'watch':
      exactly(1);
      return { kind: 'watch', prefix: args[0] };
    case 'unwatch':
      if (args.length > 1) throw new CommandError(`usage: ${usage('unwatch')}`);
      return { kind: 'unwatch', prefix: args[0] };
    case 'kill': case 'restart': case 'pause': case 'resume': case 'isolate':
      exactly(1);
      return { kind: spec.name, member: member(args[0], spec.name) };
    case 'partition': {
      if (args.length < 2) throw new CommandError(`partition needs at least two groups: usage: ${usage('partition')}`);
      const groups = args.map((g) => g.split(',').filter(Boolean).map((m) => member(m, 'partition')));
      const seen = groups.flat();
      const twice = seen.find((m, i) => seen.indexOf(m) !== i);
      if (twice) throw new CommandError(`${twice} is in two groups: each member goes in one`);
      return { kind: 'partition', groups };
    }
    case 'status': case 'heal': case 'help': case 'exit':
      exactly(0);
      return { kind: spec.name };
    default:
      throw new CommandError(`unknown command "${name}"; type help for the list`);
  }
}

/** The help text: the commands this console has. */
export function helpText(faults: boolean): string[] {
  const shown = COMMANDS.filter((c) => faults || !c.faults);
  const width = Math.max(...shown.map((c) => c.usage.length));
  return shown.map((c) => `  ${c.usage.padEnd(width)}  ${c.help}`);
}
