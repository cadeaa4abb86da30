/**
 * The student edition (`npm run student-edition`): built from this checkout,
 * it holds no solutions, tests or contract tables, and runs as written: set
 * up, a stub fails with its TODO, labs a student solved pass (lab 12 with the
 * student's own lab 02 as its reference), `--solution` says there is none,
 * and `npm run grade` grades there.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { writeStudentEdition } from '../../lib/dev/student-edition.ts';
import { paths } from '../../lib/paths.ts';
import { cli, testCluster } from '../helpers.ts';

test('the student edition: no answers in it, and it runs as written', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'edition-')), 'workbook');
  try {
    const edition = writeStudentEdition(out);
    expect(edition.files).toBeGreaterThan(100);
    for (const gone of ['solutions', 'test', 'lib/checks/contracts', 'CONTRIBUTING.md', 'lib/cli/prove.ts']) expect(existsSync(join(out, gone)), gone).toBe(false);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('## Quick start');
    expect(readme).not.toMatch(/## Instructors|instructor:start|npm run prove/);
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['setup', 'lab', 'grade', 'typecheck', 'test-lab12']));
    expect(Object.keys(pkg.scripts)).not.toEqual(expect.arrayContaining(['prove']));

    // Set up (the dependencies of this checkout stand in for npm install).
    symlinkSync(join(paths.root, 'node_modules'), join(out, 'node_modules'));
    const setup = await cli('setup', [], { cwd: out });
    expect(setup.code, setup.stdout + setup.stderr).toBe(0);

    // A student who solved labs 02, 03 and 12 (lab 12's reference is their own lab 02 here).
    for (const file of ['02-kv-basics.ts', '03-logged-users.ts', '12-unit-tests.test.ts']) copyFileSync(join(paths.solutions, file), join(out, 'labs', file));
    const on = ['--endpoints', testCluster().endpoints.join(','), '--namespace', '/students/edition/'];
    const solved = await cli('lab', ['2', '3', '12', ...on], { cwd: out });
    expect(solved.code, solved.stdout + solved.stderr).toBe(0);
    expect(solved.stdout).toMatch(/Lab 12[\s\S]*tests pass on the reference implementation/);

    const stub = await cli('lab', ['4', ...on], { cwd: out });
    expect(stub.code).toBe(1);
    expect(stub.stdout).toContain('TODO: implement');

    const noSolution = await cli('lab', ['4', '--solution', ...on], { cwd: out });
    expect(noSolution.stderr.trim()).toMatch(/^error\[USAGE\]: this copy of the workbook has no solutions\//);

    const grade = await cli('grade', ['2', '3', '4', '--json', join(out, 'results.json'), '--endpoints', testCluster().endpoints.join(',')], { cwd: out });
    expect(grade.code).toBe(1);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { tests: { name: string; status: string }[] };
    expect(results.tests.filter((t) => t.status === 'pass').length).toBeGreaterThan(5);
    expect(results.tests.some((t) => t.status === 'fail')).toBe(true);
  } finally {
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
}, 240_000);
