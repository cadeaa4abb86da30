/**
 * `npm run lab [N] [options]`: argument declarations only. Parsing returns a
 * plain object; nothing here runs a lab.
 */
import { type Command, Option } from 'commander';
import { UsageError } from '../errors.ts';
import type { ConnectionFlags } from '../connection/file.ts';
import { command, integer, parseArgv } from './arg-parsers.ts';
import { addConnectionOptions, connectionArgv, connectionFlags } from './connection-args.ts';

export interface LabArgs {
  /** The labs asked for ("4", "4-10", "all", ...); empty: list the labs. */
  labs: string[];
  solution: boolean;
  labsDir?: string;
  seed?: number;
  /** A class cluster (flags, ETCD_* variables, a connection file): resolved by the command, not here. */
  cluster: ConnectionFlags;
  namespace?: string;
  timeoutMs?: number;
  only?: string[];
  json?: string;
  watch: boolean;
  /**
   * Watch mode's runner, started ahead: it loads everything, then waits for
   * the watcher's go (an IPC message) before it runs (hidden).
   */
  warm: boolean;
  /** Lab 16: run the lab file's server in front of each local member (ports 8080…) instead of the checks. */
  serve: boolean;
}


export function labProgram(): Command {
  const program = command('lab', 'Run a lab\'s checks against your code (no argument: list the labs and your progress)')
    .argument('[labs...]', 'lab number or name (4, transactions), a range (4-10) or all')
    .option('--solution', 'run the reference solution instead of labs/ (instructors)', false)
    .option('--labs-dir <path>', 'run the lab files of another folder, e.g. a student\'s submission')
    .option('--seed <n>', 'replay the random data of an earlier run', integer('--seed'))
    .option('--namespace <prefix>', 'prefix every key of this run (default on a shared cluster: /students/<user>/)')
    .option('--timeout <seconds>', 'per-call time limit for your code (default: 10 s, some checks more)', integer('--timeout'))
    .option('--only <check-ids>', 'run only these checks (comma-separated ids, see lib/catalog.yaml)')
    .option('--json <file>', 'also write the results as JSON (graders, CI)')
    .option('--watch', 'rerun the checks every time the lab file is saved', false)
    .option('--serve', 'lab 16: run your server in front of each member of the local cluster (ports 8080, 8081, 8082) until Ctrl-C', false)
    .addOption(new Option('--warm', 'load, then run when the watcher says so (watch mode\'s runners)').default(false).hideHelp());
  return addConnectionOptions(program);
}

/** The options of a parsed command line, as arguments again (watch mode passes them on to each run). */
export function forwardedOptions(args: LabArgs): string[] {
  return [
    args.solution ? ['--solution'] : [],
    args.labsDir ? ['--labs-dir', args.labsDir] : [],
    args.seed !== undefined ? ['--seed', String(args.seed)] : [],
    connectionArgv(args.cluster),
    args.namespace ? ['--namespace', args.namespace] : [],
    args.timeoutMs !== undefined ? ['--timeout', String(args.timeoutMs / 1000)] : [],
    args.only ? ['--only', args.only.join(',')] : [],
  ].flat();
}

/** Parses argv (without node and script). Throws UsageError, or CommanderError for --help. */
export function parseLabArgs(argv: string[]): LabArgs {
  const program = labProgram();
  parseArgv(program, argv, 'see `npm run lab -- --help`');
  const o = program.opts<{ watch: boolean; warm: boolean; serve: boolean; solution: boolean; labsDir?: string; seed?: number; endpoints?: string; connection?: string; ca?: string; cert?: string; key?: string; user?: string; namespace?: string; timeout?: number; only?: string; json?: string }>();
  if (o.solution && o.labsDir) throw new UsageError('--solution and --labs-dir cannot be used together', 'pick one');
  if (o.watch && (program.args.length !== 1 || /^all$|\d\s*(-|\.\.)\s*\d/.test(program.args[0]))) {
    throw new UsageError('--watch follows one lab', 'e.g. npm run lab 4 -- --watch (or npm run lab next -- --watch)');
  }
  if (o.watch && o.json) throw new UsageError('--watch and --json cannot be used together', 'run without --watch to write a JSON report');
  if (o.serve && (program.args.length !== 1 || o.watch || o.json || o.only)) throw new UsageError('--serve runs one lab\'s server, and no checks', 'npm run lab 16 -- --serve');
  return {
    labs: program.args,
    solution: o.solution,
    labsDir: o.labsDir,
    seed: o.seed,
    cluster: connectionFlags(o),
    namespace: o.namespace,
    timeoutMs: o.timeout === undefined ? undefined : o.timeout * 1000,
    only: o.only?.split(',').map((c) => c.trim()).filter(Boolean),
    json: o.json,
    watch: o.watch,
    warm: o.warm,
    serve: o.serve,
  };
}
