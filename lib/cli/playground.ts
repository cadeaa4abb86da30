/**
 * `npm run playground`: an interactive console on the local cluster (or a
 * class cluster, inside your namespace). `-- --faults [--nodes 5]`: a cluster
 * of its own behind peer proxies, with kill, pause, partition and heal, and
 * the state of every member after each command. Ctrl-C tears it all down.
 */
import { UsageError } from '../errors.ts';
import { PlaygroundConsole } from '../playground/console.ts';
import { openOperations } from '../playground/open.ts';
import { PlaygroundSession } from '../playground/session.ts';
import { style } from '../terminal/style.ts';
import { command, integer, parseArgv } from './arg-parsers.ts';
import { addConnectionOptions, connectionFlags } from './connection-args.ts';
import { runCli } from './main.ts';

const USAGE = 'usage: npm run playground [-- --faults [--nodes 5]] (or -- --connection <file> for a class cluster)';

let teardown: (() => Promise<void>) | undefined;

await runCli(async () => {
  const program = addConnectionOptions(command('playground', 'An interactive etcd console; with --faults, on members of its own that you can kill, pause and partition'))
    .option('--faults', 'start a cluster of its own behind peer proxies, with fault commands', false)
    .option('--nodes <n>', 'members of the fault console\'s cluster (1 to 7)', integer('--nodes', '5'), 5);
  parseArgv(program, process.argv.slice(2), USAGE);
  const options = program.opts<{ faults: boolean; nodes: number; connection?: string; endpoints?: string; ca?: string; cert?: string; key?: string; user?: string }>();
  const flags = connectionFlags(options);
  if (options.faults && (flags.connection || flags.endpoints)) {
    throw new UsageError('--faults starts a cluster of its own; it cannot hurt one given by --connection or --endpoints', USAGE);
  }
  if (options.nodes < 1 || options.nodes > 7) throw new UsageError(`--nodes must be between 1 and 7, got ${options.nodes}`, 'e.g. --nodes 5 (a {3 | 2} partition needs 5)');

  let session: PlaygroundSession | undefined;
  const out = { print: (line: string) => console.log(line) };
  const ops = await openOperations({
    owner: 'playground', faults: options.faults, nodes: options.nodes, flags,
    log: (line) => console.log(style.dim(line)),
    onTeardown: (stop) => {
      teardown = async () => {
        await session?.close();
        await stop();
      };
    },
  });
  session = new PlaygroundSession(ops, (line) => out.print(line));

  const repl = new PlaygroundConsole({ session, faults: ops.hasFaults, prompt: ops.hasFaults ? 'etcd (faults)> ' : 'etcd> ' });
  out.print = (line) => repl.print(line);
  console.log(`${style.bold('etcd playground')}: members ${session.memberNames.join(', ')}. Type ${style.bold('help')} for the commands, Ctrl-C to leave.`);
  if (ops.hasFaults) console.log(faultsIntro(session.memberNames));
  repl.start();
  const end = await repl.ended;
  await teardown?.();
  teardown = undefined;
  return end === 'interrupted' ? 130 : 0;
}, { onSignal: async () => { await teardown?.(); } });

/** A first few commands to try, for this many members. */
function faultsIntro(names: string[]): string {
  if (names.length < 3) return style.dim(`Try: put k v · kill ${names[0]} · get k · restart ${names[0]}`);
  const majority = names.slice(0, Math.floor(names.length / 2) + 1);
  const minority = names.slice(majority.length);
  const far = minority[minority.length - 1];
  return style.dim(`Try: put k v · partition ${majority.join(',')} ${minority.join(',')} · put k v2 via ${far} · get k via ${far} --serializable · heal · kill ${names[0]} · restart ${names[0]}`);
}
