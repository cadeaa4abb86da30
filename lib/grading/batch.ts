/**
 * Grading a class (`npm run grade -- --submissions <dir> --jobs N`): students
 * side by side, each kept apart by etcd itself.
 *
 * - On this machine, each job has a cluster of its own (job-cluster.ts) and
 *   grades its students one after another on it, wiped between them: a
 *   submission can reach no other's keys, whatever its code does.
 * - On a shared cluster (--connection with root's file), each submission
 *   gets a user of its own for the time it is graded (enrolment.ts); the
 *   runner keeps root's credentials to itself.
 *
 * Each submission's lab files run in lab processes in their box
 * (lib/sandbox/box.ts). A student whose code hangs or crashes costs only
 * that student's checks. Every graded student is saved at once
 * (<dir>/.grading/<student>.json), so an interrupted batch resumes where it
 * stopped.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';
import { join } from 'node:path';
import { type LabEntry, findLab } from '../catalog.ts';
import type { Connection } from '../connection/connection.ts';
import type { ScoreRow } from '../reporters/score-tables.ts';
import type { LabResult } from '../runner/results.ts';
import { SharedEnrolment } from './enrolment.ts';
import { gradeLabs } from './grade.ts';
import { JobCluster } from './job-cluster.ts';

export interface Submission {
  student: string;
  /** Its labs/ folder; undefined when it has none. */
  labsDir?: string;
}

/** Memory one job needs at its peak (a lab 09 run: ~760 MB across its processes), with room. */
const MEMORY_PER_JOB = 900 * 1024 * 1024;

/** Jobs that fit this machine: a little more than its cores (most of a run is waiting on etcd), as memory allows. */
export function defaultJobs(): { jobs: number; why: string } {
  const cores = availableParallelism();
  const byMemory = Math.max(1, Math.floor(freemem() / MEMORY_PER_JOB));
  const jobs = Math.max(1, Math.min(cores + 1, byMemory));
  return { jobs, why: `${cores} cores, ${(freemem() / 2 ** 30).toFixed(1)} GiB free` };
}

/** One subfolder per student; its labs/ folder is what is graded. */
export function findSubmissions(dir: string): Submission[] {
  return readdirSync(dir)
    .filter((d) => !d.startsWith('.') && statSync(join(dir, d)).isDirectory())
    .sort()
    .map((student) => ({ student, labsDir: existsSync(join(dir, student, 'labs')) ? join(dir, student, 'labs') : undefined }));
}

export interface BatchOptions {
  labs: LabEntry[];
  submissions: Submission[];
  jobs: number;
  /** Grade on this shared cluster, as root; absent: a cluster of its own per job. */
  shared?: Connection;
  seed?: number;
  timeoutMs?: number;
  /** Where each graded student is saved (and read back by a resumed batch). */
  stateDir: string;
  onStart?: (student: string) => void;
  onDone?: (row: ScoreRow) => void;
  /** Set: take no new student (the batch ends after the ones running). */
  stopping?: () => boolean;
}

interface SavedRow {
  student: string;
  error?: string;
  results: (Omit<LabResult, 'lab'> & { lab: string })[];
}

function save(stateDir: string, row: ScoreRow): void {
  mkdirSync(stateDir, { recursive: true });
  const saved: SavedRow = { student: row.student, error: row.error, results: row.results.map((r) => ({ ...r, lab: r.lab.id })) };
  writeFileSync(join(stateDir, `${encodeURIComponent(row.student)}.json`), JSON.stringify(saved));
}

/** Students an earlier, interrupted run of the same batch graded already. */
export function gradedBefore(stateDir: string, labs: LabEntry[]): Map<string, ScoreRow> {
  const rows = new Map<string, ScoreRow>();
  if (!existsSync(stateDir)) return rows;
  const wanted = new Set(labs.map((l) => l.id));
  for (const file of readdirSync(stateDir).filter((f) => f.endsWith('.json'))) {
    try {
      const saved = JSON.parse(readFileSync(join(stateDir, file), 'utf8')) as SavedRow;
      // Only a student graded on the same labs counts as done.
      if (saved.results.length && !saved.results.every((r) => wanted.has(r.lab))) continue;
      if (saved.results.length !== wanted.size && !saved.error) continue;
      rows.set(saved.student, { student: saved.student, error: saved.error, results: saved.results.map((r) => ({ ...r, lab: findLab(r.lab) })) });
    } catch {
      // a half-written file: grade that student again
    }
  }
  return rows;
}

/** Grades every submission with `jobs` side by side; resolves to the rows of the students graded now. */
export async function gradeBatch(options: BatchOptions): Promise<ScoreRow[]> {
  const queue = [...options.submissions];
  const rows: ScoreRow[] = [];
  const enrolment = options.shared ? await SharedEnrolment.open(options.shared) : undefined;
  // Without users on a shared cluster, only namespaces keep submissions apart: one at a time.
  const jobs = enrolment && !enrolment.isolated ? 1 : options.jobs;
  const common = { seed: options.seed, timeoutMs: options.timeoutMs };

  /** One student, on the job's own cluster or with a seat on the shared one. */
  async function gradeOne(next: Submission, own: () => Promise<JobCluster>): Promise<ScoreRow> {
    if (!next.labsDir) return { student: next.student, results: [], error: 'no labs/ folder' };
    if (enrolment) {
      const seat = await enrolment.enrol(next.student);
      try {
        const grade = await gradeLabs(options.labs, { ...common, labsDir: next.labsDir, connection: options.shared, namespace: seat.namespace, studentConnection: enrolment.isolated ? seat.credentials : undefined });
        return { student: next.student, results: grade.results };
      } finally {
        await enrolment.withdraw(next.student).catch(() => {});
      }
    }
    const cluster = await own();
    await cluster.wipe();
    const grade = await gradeLabs(options.labs, { ...common, labsDir: next.labsDir, cluster: cluster.cluster, connection: cluster.root });
    return { student: next.student, results: grade.results };
  }

  async function job(): Promise<void> {
    let cluster: JobCluster | undefined;
    const own = async () => (cluster ??= await JobCluster.start());
    try {
      for (let next = queue.shift(); next && !options.stopping?.(); next = queue.shift()) {
        options.onStart?.(next.student);
        let row: ScoreRow;
        try {
          row = await gradeOne(next, own);
        } catch (error) {
          // This student could not be graded (its cluster, its enrolment): the batch goes on.
          row = { student: next.student, results: [], error: `could not be graded: ${(error as Error).message.split('\n')[0]}` };
        }
        rows.push(row);
        save(options.stateDir, row);
        options.onDone?.(row);
      }
    } finally {
      await cluster?.stop();
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, queue.length)) }, job));
  return rows;
}
