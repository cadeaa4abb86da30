/**
 * `npm run playground`: an interactive console on the local cluster (or a
 * class cluster, inside your namespace). `-- --faults [--nodes 5]`: a cluster
 * of its own behind peer proxies, with kill, pause, partition and heal, and
 * the state of every member after each command. Ctrl-C tears it all down.
 */
import { memberList } from '../cluster/inspect.ts';
import type { LocalCluster } from '../cluster/cluster.ts';
import { freePortBase } from '../cluster/probe.ts';
import { removeAbandoned, throwawayClusterDir } from '../cluster/throwaway.ts';
import { UsageError } from '../errors.ts';
import { FaultyCluster } from '../faults/faulty-cluster.ts';
import { shown } from '../paths.ts';
import { PlaygroundConsole } from '../playground/console.ts';
import { PlaygroundSession } from '../playground/session.ts';
import { resolveConnection } from '../connection/file.ts';
import { resolveTarget } from '../runner/target.ts';
import { command, integer, parseArgv } from './arg-parsers.ts';
import { addConnectionOptions, connectionFlags } from './connection-args.ts';
import { runCli } from './main.ts';
import { style } from '../terminal/style.ts';

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

  let session: PlaygroundSession;
  let faults: FaultyCluster | undefined;
  const out = { print: (line: string) => console.log(line) };
  if (options.faults) {
    await removeAbandoned('playground');
    const base = await freePortBase(options.nodes, 25000);
    const dir = throwawayClusterDir('playground');
    faults = FaultyCluster.create({ dir, size: options.nodes, clientPort: base, peerPort: base + 1000, proxyPort: base + 2000 });
    const cluster = faults;
    teardown = async () => {
      console.log(style.dim(`\nStopping the playground's ${options.nodes} members and removing ${shown(dir)}…`));
      await session?.close();
      await cluster.destroy();
    };
    console.log(style.dim(`Starting ${options.nodes} etcd members behind peer proxies (clients on ports ${base}-${base + options.nodes - 1})…`));
    await faults.start();
    session = new PlaygroundSession({
      connection: { endpoints: faults.endpoints }, namespace: '',
      members: faults.names.map((name) => ({ name, endpoint: faults!.endpoint(name) })),
      faults, print: (line) => out.print(line),
    });
  } else {
    const shared = resolveConnection(flags);
    const target = await resolveTarget({ connection: shared?.connection, connectionSource: shared?.source, namespace: shared?.namespace, log: (line) => console.log(style.dim(line)) });
    const cluster: LocalCluster | undefined = target.cluster;
    const members = cluster
      ? cluster.members.map((m) => ({ name: m.name, endpoint: m.clientUrls[0] }))
      : (await memberList(target)).map((m) => ({ name: m.name, endpoint: m.clientUrls[0] })).sort((a, b) => a.name.localeCompare(b.name));
    session = new PlaygroundSession({
      connection: target, namespace: target.namespace, members,
      processes: cluster ? () => cluster.memberStates() : undefined,
      print: (line) => out.print(line),
    });
    teardown = () => session.close();
  }

  const repl = new PlaygroundConsole({ session, faults: !!faults, prompt: faults ? 'etcd (faults)> ' : 'etcd> ' });
  out.print = (line) => repl.print(line);
  console.log(`${style.bold('etcd playground')}: members ${session.memberNames.join(', ')}. Type ${style.bold('help')} for the commands, Ctrl-C to leave.`);
  if (faults) console.log(faultsIntro(session.memberNames));
  repl.start();
  const end = await repl.ended;
  await teardown();
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
