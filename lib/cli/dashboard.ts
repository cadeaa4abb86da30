/**
 * `npm run dashboard`: the cluster in a browser, on 127.0.0.1 (the local
 * cluster, or a class cluster inside your namespace). `-- --faults
 * [--nodes 5]`: members of its own behind peer proxies, with fault buttons.
 * `--port` chooses the port (0: any free one), `--open` opens a browser.
 * Ctrl-C (or SIGTERM, or a closed terminal) stops the server and, with
 * --faults, the members and their folder.
 */
import { spawn } from 'node:child_process';
import { startDashboard } from '../dashboard/server.ts';
import { UsageError } from '../errors.ts';
import { openOperations } from '../playground/open.ts';
import { style } from '../terminal/style.ts';
import { command, integer, parseArgv } from './arg-parsers.ts';
import { addConnectionOptions, connectionFlags } from './connection-args.ts';
import { runCli } from './main.ts';

const USAGE = 'usage: npm run dashboard [-- --faults [--nodes 5]] [--port 8379] [--open] (or -- --connection <file> for a class cluster)';
const DEFAULT_PORT = 8379;

let teardown: (() => Promise<void>) | undefined;

await runCli(async () => {
  const program = addConnectionOptions(command('dashboard', 'The cluster in a browser: members, keys, replication, a timeline; with --faults, on members of its own that you can kill, pause and partition'))
    .option('--faults', 'start a cluster of its own behind peer proxies, with fault controls', false)
    .option('--nodes <n>', 'members of the fault cluster (1 to 7)', integer('--nodes', '5'), 5)
    .option('--port <port>', `the port on 127.0.0.1 (0: any free one; default ${DEFAULT_PORT})`, integer('--port', String(DEFAULT_PORT)), DEFAULT_PORT)
    .option('--open', 'open the page in a browser', false);
  parseArgv(program, process.argv.slice(2), USAGE);
  const options = program.opts<{ faults: boolean; nodes: number; port: number; open: boolean; connection?: string; endpoints?: string; ca?: string; cert?: string; key?: string; user?: string }>();
  const flags = connectionFlags(options);
  if (options.faults && (flags.connection || flags.endpoints)) {
    throw new UsageError('--faults starts a cluster of its own; it cannot hurt one given by --connection or --endpoints', USAGE);
  }
  if (options.nodes < 1 || options.nodes > 7) throw new UsageError(`--nodes must be between 1 and 7, got ${options.nodes}`, 'e.g. --nodes 5 (a {3 | 2} partition needs 5)');
  if (options.port > 65535) throw new UsageError(`--port must be at most 65535, got ${options.port}`, `e.g. --port ${DEFAULT_PORT}, or --port 0 for any free port`);

  const stops: Array<() => Promise<void>> = [];
  teardown = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  let ops: Awaited<ReturnType<typeof openOperations>>;
  let dashboard: Awaited<ReturnType<typeof startDashboard>>;
  try {
    ops = await openOperations({
      owner: 'dashboard', faults: options.faults, nodes: options.nodes, flags,
      log: (line) => console.log(style.dim(line)),
      onTeardown: (stop) => stops.push(stop),
    });
    dashboard = await startDashboard({ ops, port: options.port, onError: (error) => { if (process.env.DEBUG) console.error(error); } });
    stops.push(() => dashboard.close());
  } catch (error) {
    // Whatever started (members of its own) stops again before the message.
    await teardown();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${options.port} on 127.0.0.1 is taken (another program, or a dashboard already running)`, 'npm run dashboard -- --port 0 (any free port), or another --port');
    throw error;
  }

  const what = ops.kind === 'faults' ? `${ops.memberNames.length} members of its own (${ops.memberNames.join(', ')}), with fault controls`
    : ops.kind === 'local' ? `the local cluster (${ops.memberNames.join(', ')})`
      : `the cluster at ${ops.members.map((m) => m.endpoint).join(', ')}, keys under ${ops.namespace}`;
  console.log(`${style.bold('etcd dashboard')} on ${what}: ${style.bold(dashboard.url)}`);
  console.log(style.dim('Ctrl-C stops it.'));
  if (options.open) openBrowser(dashboard.url);
  // Runs until a signal: runCli calls the teardown, then exits.
  return new Promise<number>(() => {});
}, { onSignal: async () => { await teardown?.(); } });

/** The system's way to open a URL; a failure is one line, the URL is printed above anyway. */
function openBrowser(url: string): void {
  const [program, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(program, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => console.log(style.yellow(`Could not open a browser (${program}): open ${url} yourself.`)));
  child.unref();
}
