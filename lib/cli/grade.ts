/**
 * `npm run grade` (options: lib/cli/grade-args.ts).
 *
 *   npm run grade                        every lab of labs/, score table, exit 0 only when all pass
 *   npm run grade -- --solutions         the reference solutions (instructor sanity check)
 *   npm run grade -- --submissions dir   a batch: one subfolder per student, CSV + Markdown table
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LabEntry, loadCatalog, selectLabs } from '../catalog.ts';
import { UsageError } from '../errors.ts';
import { type Grade, gradeLabs } from '../grading/grade.ts';
import { junitXml } from '../reporters/junit.ts';
import { resultsJson } from '../reporters/results-json.ts';
import { type ScoreRow, scoreCsv, scoreMarkdown } from '../reporters/score-tables.ts';
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

/** "[#####.....] 3/10" on a terminal; nothing otherwise (a line per student is printed anyway). */
function progressBar(done: number, total: number): string {
  const width = 24;
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} students`;
}

async function gradeSubmissions(labs: LabEntry[], args: GradeArgs): Promise<number> {
  const dir = resolve(args.submissions!);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--submissions ${args.submissions}: no such folder`, 'give the folder that holds one subfolder per student');
  const students = readdirSync(dir).filter((d) => !d.startsWith('.') && statSync(join(dir, d)).isDirectory()).sort();
  if (students.length === 0) throw new UsageError(`${shown(dir)} has no student folders`, 'put each student\'s copy of the workbook (with its labs/ folder) in a subfolder');
  console.log(style.bold(`Grading ${students.length} submission${students.length === 1 ? '' : 's'} × ${labs.length} labs from ${shown(dir)}`));
  console.log(style.dim('Only each student\'s labs/ folder is used; checks and runner come from this checkout.'));
  const tty = process.stdout.isTTY;
  const rows: ScoreRow[] = [];
  for (const [i, student] of students.entries()) {
    if (tty) process.stdout.write(`\r${progressBar(i, students.length)}  ${student}…\x1b[K`);
    const labsDir = join(dir, student, 'labs');
    let row: ScoreRow;
    if (!existsSync(labsDir)) {
      row = { student, results: [], error: 'no labs/ folder' };
    } else {
      const grade = await gradeLabs(labs, { labsDir, ...sharedCluster(args), timeoutMs: args.timeoutMs, seed: args.seed });
      row = { student, results: grade.results };
    }
    rows.push(row);
    const passed = row.results.filter((r) => r.passed).length;
    const checks = row.results.reduce((t, r) => t + passedChecks(r), 0);
    const total = row.results.reduce((t, r) => t + r.checks.length, 0);
    if (tty) process.stdout.write('\r\x1b[K');
    console.log(`${passed === labs.length ? style.green('✔') : style.red('✖')} ${student.padEnd(20)} ${passed}/${labs.length} labs, ${checks}/${total} checks${row.error ? style.red(`  (${row.error})`) : ''}`);
  }
  const ids = labs.map((l) => l.id);
  const csv = args.csv ?? join(dir, 'grades.csv');
  const markdown = args.markdown ?? join(dir, 'grades.md');
  writeFileSync(csv, scoreCsv(rows, ids));
  writeFileSync(markdown, scoreMarkdown(rows, ids));
  if (args.json) writeFileSync(args.json, JSON.stringify(rows.map((r) => ({ student: r.student, ...resultsJson(r.results, r.error) })), null, 2) + '\n');
  if (args.junit) writeFileSync(args.junit, junitXml(rows.flatMap((r) => r.results), `submissions in ${shown(dir)}`));
  console.log(`\nScore table: ${shown(csv)}, ${shown(markdown)}`);
  return 0;
}

await runCli(async () => {
  const args = parseGradeArgs(process.argv.slice(2));
  const labs = args.labs.length ? selectLabs(args.labs) : loadCatalog();
  return args.submissions ? gradeSubmissions(labs, args) : gradeOne(labs, args);
});
