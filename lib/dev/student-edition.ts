/**
 * The student edition: the copy of the workbook an instructor hands out.
 *
 * Every file git tracks, as it is in the working tree, except what gives an
 * answer away or only serves maintainers: the reference solutions, the
 * project's tests and their fixtures (wrong implementations, graded
 * submissions), the labs' contract tables, the maintainers' commands. README
 * loses its instructor sections (between `<!-- instructor:start -->` and
 * `<!-- instructor:end -->`), package.json the scripts that need what was
 * left out. Lab 12 then takes the student's own lab 02 as its reference
 * (lib/checks/helpers/unit-tests/reference.ts).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { UsageError } from '../errors.ts';
import { paths, shown } from '../paths.ts';

/** Paths (prefixes) that stay behind, and why. */
export const LEFT_OUT: { prefix: string; why: string }[] = [
  { prefix: 'solutions/', why: 'the reference solutions' },
  { prefix: 'test/', why: 'the project\'s tests: wrong implementations, graded submissions, solutions run' },
  { prefix: 'lib/checks/contracts/', why: 'the contract tables name every wrong implementation' },
  { prefix: 'lib/dev/', why: 'maintainers\' tools' },
  { prefix: 'lib/cli/prove.ts', why: 'runs the wrong implementations' },
  { prefix: 'lib/cli/mutate.ts', why: 'mutates the solutions' },
  { prefix: 'lib/cli/sync.ts', why: 'maintainers\' tool' },
  { prefix: 'lib/cli/new-lab.ts', why: 'maintainers\' tool' },
  { prefix: 'lib/cli/check-labs.ts', why: 'runs the solutions' },
  { prefix: 'lib/cli/bench.ts', why: 'maintainers\' tool' },
  { prefix: 'lib/cli/student-edition.ts', why: 'this command' },
  { prefix: 'lib/cli/test-ci-templates.ts', why: 'maintainers\' tool' },
  { prefix: 'CONTRIBUTING.md', why: 'maintainers\' guide' },
  { prefix: 'vitest.config.ts', why: 'the project\'s test tiers' },
  { prefix: 'stryker.config.', why: 'mutation testing' },
  { prefix: '.ci/', why: 'the project\'s CI' },
];

/** Scripts of package.json that need what was left out. */
const DROPPED_SCRIPTS = ['check-labs', 'bench', 'test', 'test:unit', 'test:faults', 'sync', 'new-lab', 'prove', 'mutate', 'student-edition', 'test-ci-templates', 'lint'];

export const EDITION_FILE = '.workbook-edition.json';

export function leftOut(file: string): boolean {
  return LEFT_OUT.some((l) => file === l.prefix || file.startsWith(l.prefix));
}

/** README without the instructor sections. */
export function studentReadme(text: string): string {
  const stripped = text.replace(/\n?<!-- instructor:start -->[\s\S]*?<!-- instructor:end -->\n?/g, '\n');
  if (/<!-- instructor:(start|end) -->/.test(stripped)) throw new UsageError('README.md has an unbalanced <!-- instructor:start/end --> marker', 'every start needs its end');
  return stripped.replace(/\n{3,}/g, '\n\n');
}

function studentPackage(text: string): string {
  const pkg = JSON.parse(text) as { scripts: Record<string, string> };
  for (const s of DROPPED_SCRIPTS) delete pkg.scripts[s];
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function trackedFiles(root: string): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    throw new UsageError(`${shown(root)} is not a git checkout`, 'build the edition from a clone of the workbook (it copies the files git tracks)');
  }
}

export interface Edition {
  out: string;
  files: number;
  leftOut: number;
}

export function writeStudentEdition(out: string, root = paths.root): Edition {
  if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`${shown(out)} is not empty`, 'give a new folder to --out');
  if (relative(root, out) === '' || !relative(root, out).startsWith('..')) throw new UsageError(`${shown(out)} is inside the workbook`, 'write the edition outside this checkout, e.g. --out ../workbook-student');
  const files = trackedFiles(root).filter((f) => existsSync(join(root, f)) && statSync(join(root, f)).isFile());
  const kept = files.filter((f) => !leftOut(f));
  for (const file of kept) {
    const target = join(out, file);
    mkdirSync(dirname(target), { recursive: true });
    if (file === 'README.md') writeFileSync(target, studentReadme(readFileSync(join(root, file), 'utf8')));
    else if (file === 'package.json') writeFileSync(target, studentPackage(readFileSync(join(root, file), 'utf8')));
    else copyFileSync(join(root, file), target);
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // not a commit yet
  }
  writeFileSync(join(out, EDITION_FILE), `${JSON.stringify({ edition: 'student', from: commit }, null, 2)}\n`);
  return { out, files: kept.length, leftOut: files.length - kept.length };
}
