/**
 * `npm run student-edition -- --out <dir>` (instructors): the copy of the
 * workbook to hand out, without solutions, tests or contract tables
 * (lib/dev/student-edition.ts says what stays behind and why).
 */
import { resolve } from 'node:path';
import { LEFT_OUT, writeStudentEdition } from '../dev/student-edition.ts';
import { UsageError } from '../errors.ts';
import { shown } from '../paths.ts';
import { style } from '../terminal/style.ts';
import { command, parseArgv } from './arg-parsers.ts';
import { runCli } from './main.ts';

await runCli(async () => {
  const program = command('student-edition', 'Write the copy of the workbook students get: no solutions, no tests, no contract tables').option('--out <dir>', 'a new folder outside this checkout');
  parseArgv(program, process.argv.slice(2), 'usage: npm run student-edition -- --out ../workbook-student');
  const { out } = program.opts<{ out?: string }>();
  if (!out) throw new UsageError('--out is missing', 'npm run student-edition -- --out ../workbook-student');
  const edition = writeStudentEdition(resolve(out));
  console.log(`${style.green('✔')} ${shown(edition.out)}: ${edition.files} files (${edition.leftOut} left out: ${[...new Set(LEFT_OUT.map((l) => l.why))].slice(0, 3).join('; ')} …)`);
  console.log(`Hand it out as a repository of its own (git init there). Students run ${style.bold('npm run setup')}, then ${style.bold('npm run lab 1')}.`);
  console.log(style.dim('Lab 12 uses the student\'s own lab 02 as its reference there; grade with this checkout (npm run grade -- --submissions …).'));
  return 0;
});
