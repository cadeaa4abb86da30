/**
 * `npm run grade` (options: lib/cli/grade-args.ts).
 *
 *   npm run grade                        every lab of labs/, score table, exit 0 only when all pass
 *   npm run grade -- --solutions         the reference solutions (instructor sanity check)
 *   npm run grade -- --submissions dir   a batch: one subfolder per student, CSV + Markdown table
 */
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type LabEntry, loadCatalog, selectLabs } from '../catalog.ts';
import { UsageError } from '../errors.ts';
import { type Grade, gradeLabs } from '../grading/grade.ts';
import { classroomResults } from '../reporters/classroom.ts';
import { junitXml } from '../reporters/junit.ts';
import { resultsJson } from '../reporters/results-json.ts';
import { type ScoreRow, failuresMarkdown, scoreCsv, scoreMarkdown, tallyCsv } from '../reporters/score-tables.ts';
import { defaultJobs, findSubmissions, gradeBatch, gradedBefore } from '../grading/batch.ts';
import { JobCluster } from '../grading/job-cluster.ts';
import { shown } from '../paths.ts';
import { formatLabLine } from '../reporters/lab-report.ts';
import { type LabResult, labOutcome, passedChecks } from '../runner/results.ts';
import { type GradeArgs, parseGradeArgs } from './grade-args.ts';
import { runCli } from './main.ts';
import { resolveConnection } from '../connection/file.ts';
import { style } from '../terminal/style.ts';

function failedLines(result: LabResult): string[] {
  const failed = result.checks.filter((c) => c.status === 'failed');
  const lines = failed.slice(0, 3).map((c) => style.dim(`      ${c.id}: ${(c.message ?? '').split('\n')[0].slice(0, 140)}`));
  if (failed.length > 3) lines.push(style.dim(`      … and ${failed.length - 3} more`));
  return lines;
}

/** A class cluster, when the flags or a connection file name one (otherwise the local cluster). */
function sharedCluster(args: GradeArgs) {
  const shared = resolveConnection(args.cluster);
  return { connection: shared?.connection, connectionSource: shared?.source, namespace: shared?.namespace };
}

async function gradeOne(labs: LabEntry[], args: GradeArgs): Promise<number> {
  const source = args.solutions ? 'the reference solutions (solutions/)' : shown(args.labsDir ? resolve(args.labsDir) : 'labs');
  console.log(style.bold(`Grading ${labs.length} lab${labs.length === 1 ? '' : 's'}: ${source}`));
  const grade = await gradeLabs(labs, {
    solution: args.solutions,
    labsDir: args.labsDir ? resolve(args.labsDir) : undefined,
    ...sharedCluster(args),
    timeoutMs: args.timeoutMs,
    seed: args.seed,
    log: (line) => console.log(style.dim(line)),
    onLab: (r) => console.log([formatLabLine(r), ...(labOutcome(r) === 'failed' ? failedLines(r) : [])].join('\n')),
  });
  summary(grade);
  if (args.json) writeFileSync(args.json, JSON.stringify(resultsJson(grade.results), null, 2) + '\n');
  if (args.junit) writeFileSync(args.junit, junitXml(grade.results));
  if (args.classroom) writeFileSync(args.classroom, JSON.stringify(classroomResults(grade.results)) + '\n');
  return grade.passed ? 0 : 1;
}

function summary(grade: Grade): void {
  const labs = grade.results.filter((r) => r.passed).length;
  const skipped = grade.results.filter((r) => labOutcome(r) === 'skipped').length;
  const checks = grade.results.reduce((t, r) => t + passedChecks(r), 0);
  const total = grade.results.reduce((t, r) => t + r.checks.length, 0);
  const line = `${labs} of ${grade.results.length} labs pass${skipped ? ` (${skipped} could not run on this cluster)` : ''}, ${checks} of ${total} checks (${(grade.ms / 1000).toFixed(1)} s)`;
  console.log('\n' + (grade.passed ? style.green(line) : style.red(line)));
  const failing = grade.results.find((r) => labOutcome(r) === 'failed');
  if (failing) console.log(`Details and hints: ${style.bold(`npm run lab ${Number(failing.lab.id)}`)}`);
}

/** The live line of a batch on a terminal: done / running / left, and an estimate of the time left. */
function progressLine(done: number, running: string[], left: number, began: number): string {
  const elapsed = (performance.now() - began) / 1000;
  const perStudent = done ? elapsed / done : 0;
  const eta = done && left + running.length ? ` · about ${Math.ceil((perStudent * (left + running.length)) / 60)} min left` : '';
  return `graded ${done} · running ${running.length} (${running.join(', ')}) · left ${left}${eta}`;
}

function writeGrades(rows: ScoreRow[], labs: LabEntry[], dir: string, args: GradeArgs): void {
  const ids = labs.map((l) => l.id);
  const sorted = [...rows].sort((a, b) => a.student.localeCompare(b.student));
  const csv = args.csv ?? join(dir, 'grades.csv');
  const markdown = args.markdown ?? join(dir, 'grades.md');
  writeFileSync(csv, scoreCsv(sorted, ids));
  writeFileSync(join(dirname(csv), 'checks.csv'), tallyCsv(sorted));
  writeFileSync(markdown, scoreMarkdown(sorted, ids) + failuresMarkdown(sorted));
  if (args.json) writeFileSync(args.json, JSON.stringify(sorted.map((r) => ({ student: r.student, ...resultsJson(r.results, r.error) })), null, 2) + '\n');
  if (args.junit) writeFileSync(args.junit, junitXml(sorted.flatMap((r) => r.results), `submissions in ${shown(dir)}`));
  console.log(`\nScore table: ${shown(csv)}, ${shown(markdown)} (what each student failed, and the checks the class failed most); per check: ${shown(join(dirname(csv), 'checks.csv'))}`);
}

/** The batch being graded, for Ctrl-C: what is graded so far is written before the command ends. */
let batch: { rows: ScoreRow[]; labs: LabEntry[]; dir: string; args: GradeArgs; stopping: boolean } | undefined;

async function gradeSubmissions(labs: LabEntry[], args: GradeArgs): Promise<number> {
  const dir = resolve(args.submissions!);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--submissions ${args.submissions}: no such folder`, 'give the folder that holds one subfolder per student');
  const submissions = findSubmissions(dir);
  if (submissions.length === 0) throw new UsageError(`${shown(dir)} has no student folders`, 'put each student\'s copy of the workbook (with its labs/ folder) in a subfolder');
  const stateDir = join(dir, '.grading');
  const before = args.resume ? gradedBefore(stateDir, labs) : new Map<string, ScoreRow>();
  if (!args.resume) rmSync(stateDir, { recursive: true, force: true });
  const todo = submissions.filter((s) => !before.has(s.student));
  const shared = resolveConnection(args.cluster)?.connection;
  const auto = defaultJobs();
  const jobs = args.jobs ?? auto.jobs;
  console.log(style.bold(`Grading ${submissions.length} submission${submissions.length === 1 ? '' : 's'} × ${labs.length} labs from ${shown(dir)}`) + (before.size ? style.dim(` (${before.size} graded before, --resume)`) : ''));
  console.log(style.dim(`${jobs} at a time${args.jobs ? '' : ` (default for ${auto.why}; --jobs N to choose)`}, ${shared ? `on ${shared.endpoints.join(', ')}, each submission as a user of its own` : 'each job on a cluster of its own'}. Only each student's labs/ folder is used; checks and runner come from this checkout.`));
  if (shared && !shared.auth) console.log(style.yellow('This cluster has no users: only namespaces keep submissions apart, so they are graded one at a time. Grade without --endpoints (clusters of their own) or on a class cluster as root.'));
  const tty = process.stdout.isTTY;
  const began = performance.now();
  const running = new Set<string>();
  let done = 0;
  const status = () => tty && process.stdout.write(`\r${progressLine(done, [...running], todo.length - done - running.size, began)}\x1b[K`);
  const clear = () => tty && process.stdout.write('\r\x1b[K');
  batch = { rows: [...before.values()], labs, dir, args, stopping: false };
  const state = batch;
  const interval = setInterval(status, 1000);
  try {
    await gradeBatch({
      labs, submissions: todo, jobs, shared, seed: args.seed, timeoutMs: args.timeoutMs, stateDir,
      stopping: () => state.stopping,
      onStart: (student) => { running.add(student); status(); },
      onDone: (row) => {
        running.delete(row.student);
        done++;
        state.rows.push(row);
        const passed = row.results.filter((r) => r.passed).length;
        const checks = row.results.reduce((t, r) => t + passedChecks(r), 0);
        const total = row.results.reduce((t, r) => t + r.checks.length, 0);
        clear();
        console.log(`${passed === labs.length ? style.green('✔') : style.red('✖')} ${row.student.padEnd(20)} ${passed}/${labs.length} labs, ${checks}/${total} checks${row.error ? style.red(`  (${row.error})`) : ''}`);
        status();
      },
    });
  } finally {
    clearInterval(interval);
    clear();
  }
  const minutes = (performance.now() - began) / 60_000;
  if (done) console.log(style.dim(`${done} student${done === 1 ? '' : 's'} in ${(minutes * 60).toFixed(0)} s: ${(done / minutes).toFixed(1)} per minute with ${jobs} at a time`));
  writeGrades(state.rows, labs, dir, args);
  batch = undefined;
  return 0;
}

/** Ctrl-C during a batch: no new student, and the table of those graded so far (`--resume` goes on from there). */
async function interrupted(): Promise<void> {
  if (!batch) return;
  batch.stopping = true;
  console.log(style.yellow(`\nInterrupted: writing the ${batch.rows.length} student${batch.rows.length === 1 ? '' : 's'} graded so far; \`npm run grade -- … --resume\` grades the rest.`));
  writeGrades(batch.rows, batch.labs, batch.dir, batch.args);
  await JobCluster.stopAll();
}

await runCli(async () => {
  const args = parseGradeArgs(process.argv.slice(2));
  const labs = args.labs.length ? selectLabs(args.labs) : loadCatalog();
  return args.submissions ? gradeSubmissions(labs, args) : gradeOne(labs, args);
}, { onSignal: interrupted });
