/**
 * `npm run grade [labs...] [options]`: argument declarations only.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { ConnectionFlags } from '../connection/file.ts';
import { command, integer, parseArgv } from './arg-parsers.ts';
import { addConnectionOptions, connectionFlags } from './connection-args.ts';

export interface GradeArgs {
  /** Labs to grade ("4", "4-10", ...); empty: every lab. */
  labs: string[];
  solutions: boolean;
  labsDir?: string;
  submissions?: string;
  /** A class cluster to grade on (flags, ETCD_* variables, a connection file). */
  cluster: ConnectionFlags;
  timeoutMs?: number;
  seed?: number;
  json?: string;
  junit?: string;
  csv?: string;
  markdown?: string;
}


export function gradeProgram(): Command {
  const program = command('grade', 'Run every lab (or the ones named) and print a score table; exit code 0 only when all pass')
    .argument('[labs...]', 'labs to grade: numbers, names, ranges (4-10); default: all')
    .option('--solutions', 'grade the reference solutions (instructor sanity check)', false)
    .option('--labs-dir <path>', 'grade the lab files of another folder (one student\'s labs/)')
    .option('--submissions <dir>', 'batch: every subfolder is one student\'s copy; its labs/ folder is graded')
    .option('--timeout <seconds>', 'per-call time limit for the code under test', integer('--timeout'))
    .option('--seed <n>', 'the same random data for every lab and student', integer('--seed'))
    .option('--json <file>', 'results as JSON (Exercism results.json style; with --submissions: one entry per student)')
    .option('--junit <file>', 'results as JUnit XML, for CI')
    .option('--csv <file>', 'with --submissions: the score table as CSV (default: grades.csv in the submissions folder)')
    .option('--markdown <file>', 'with --submissions: the score table as Markdown (default: grades.md in the submissions folder)');
  return addConnectionOptions(program);
}

export function parseGradeArgs(argv: string[]): GradeArgs {
  const program = gradeProgram();
  parseArgv(program, argv, 'see `npm run grade -- --help`');
  const o = program.opts<{ solutions: boolean; labsDir?: string; submissions?: string; endpoints?: string; connection?: string; ca?: string; cert?: string; key?: string; user?: string; timeout?: number; seed?: number; json?: string; junit?: string; csv?: string; markdown?: string }>();
  const sources = [o.solutions && '--solutions', o.labsDir && '--labs-dir', o.submissions && '--submissions'].filter(Boolean);
  if (sources.length > 1) throw new UsageError(`${sources.join(' and ')} cannot be used together`, 'grade one source at a time');
  if ((o.csv || o.markdown) && !o.submissions) throw new UsageError('--csv and --markdown are score tables of a batch', 'add --submissions <dir>, or use --json / --junit');
  return {
    labs: program.args,
    solutions: o.solutions,
    labsDir: o.labsDir,
    submissions: o.submissions,
    cluster: connectionFlags(o),
    timeoutMs: o.timeout === undefined ? undefined : o.timeout * 1000,
    seed: o.seed,
    json: o.json,
    junit: o.junit,
    csv: o.csv,
    markdown: o.markdown,
  };
}
