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
  /** Students graded side by side (default: what the machine holds). */
  jobs?: number;
  /** GitHub Classroom's autograding results (one student). */
  classroom?: string;
  /** Grade only the students an interrupted batch did not finish. */
  resume: boolean;
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
    .option('--classroom <file>', 'results for GitHub Classroom\'s autograding reporter (one student)')
    .option('--csv <file>', 'with --submissions: the score table as CSV (default: grades.csv in the submissions folder)')
    .option('--markdown <file>', 'with --submissions: the score table as Markdown (default: grades.md in the submissions folder)')
    .option('--jobs <n>', 'with --submissions: students graded side by side (default: what this machine holds, printed)', integer('--jobs', '3'))
    .option('--resume', 'with --submissions: grade only the students an interrupted batch did not finish', false);
  return addConnectionOptions(program);
}

export function parseGradeArgs(argv: string[]): GradeArgs {
  const program = gradeProgram();
  parseArgv(program, argv, 'see `npm run grade -- --help`');
  const o = program.opts<{ classroom?: string; jobs?: number; resume: boolean; solutions: boolean; labsDir?: string; submissions?: string; endpoints?: string; connection?: string; ca?: string; cert?: string; key?: string; user?: string; timeout?: number; seed?: number; json?: string; junit?: string; csv?: string; markdown?: string }>();
  const sources = [o.solutions && '--solutions', o.labsDir && '--labs-dir', o.submissions && '--submissions'].filter(Boolean);
  if (sources.length > 1) throw new UsageError(`${sources.join(' and ')} cannot be used together`, 'grade one source at a time');
  if ((o.csv || o.markdown) && !o.submissions) throw new UsageError('--csv and --markdown are score tables of a batch', 'add --submissions <dir>, or use --json / --junit');
  if (o.classroom && o.submissions) throw new UsageError('--classroom reports one student', 'grade one student\'s labs (--labs-dir) in that student\'s CI; --json for a batch');
  if ((o.jobs !== undefined || o.resume) && !o.submissions) throw new UsageError('--jobs and --resume are about a batch of students', 'add --submissions <dir>');
  if (o.jobs !== undefined && o.jobs < 1) throw new UsageError('--jobs must be 1 or more', 'e.g. --jobs 3');
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
    jobs: o.jobs,
    resume: o.resume,
    classroom: o.classroom,
  };
}
