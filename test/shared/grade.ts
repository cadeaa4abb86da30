/**
 * Grading: report formats (JSON shaped like Exercism's results.json, JUnit
 * XML that parses), the score table of a batch of submissions (one correct,
 * one wrong, one that hangs, one without a workbook), and argument errors.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { expect, test } from 'vitest';
import { selectLabs } from '../../lib/catalog.ts';
import { junitXml } from '../../lib/reporters/junit.ts';
import { resultsJson } from '../../lib/reporters/results-json.ts';
import { gradeLabs } from '../../lib/grading/grade.ts';
import { formatRunSummary } from '../../lib/reporters/lab-report.ts';
import { statusWord } from '../../lib/reporters/json.ts';
import { etcdProcessesMentioning } from '../../lib/cluster/processes.ts';
import { paths, projectRoot } from '../../lib/paths.ts';
import { cli, fixtures, noSandboxLeft, testCluster, wrongDir } from '../helpers.ts';


test('a grade writes results JSON like Exercism\'s and JUnit XML that parses', async () => {
  const grade = await gradeLabs(selectLabs(['3', '5']), { labsDir: join(fixtures, 'submissions', 'ben', 'labs'), cluster: testCluster() });
  expect(grade.passed).toBe(false);
  const json = resultsJson(grade.results);
  expect(json).toMatchObject({ version: 2, status: 'fail', message: null });
  expect(json.tests).toHaveLength(7);
  for (const t of json.tests) {
    expect(t).toEqual(expect.objectContaining({ name: expect.any(String), status: expect.stringMatching(/^(pass|fail|error|skip)$/) }));
    expect((t.output ?? '').length).toBeLessThanOrEqual(500);
  }
  const failed = json.tests.filter((t) => t.status === 'fail').map((t) => t.check);
  expect(failed).toEqual(['register-users', 'sorted-by-value']);
  expect(json.tests.find((t) => t.check === 'sorted-by-value')?.message).toMatch(/not sorted by hostname/);

  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junitXml(grade.results));
  expect(parsed.testsuites).toMatchObject({ tests: '7', failures: '2' });
  const suites = parsed.testsuites.testsuite;
  expect(suites.map((s: { name: string }) => s.name)).toEqual(['lab 03 logged-users', 'lab 05 range-scans']);
  const failures = suites.flatMap((s: { testcase: { failure?: { message: string } }[] }) => s.testcase.filter((c) => c.failure).map((c) => c.failure!.message));
  expect(failures).toEqual([expect.stringMatching(/did not register 1 of/), expect.stringMatching(/not sorted by hostname/)]);
});

test('a lab that cannot run on the cluster is skipped, not failed: the grade passes and every summary says so', async () => {
  const grade = await gradeLabs(selectLabs(['3', '11']), { solution: true, endpoints: testCluster().endpoints, namespace: '/students/skip-grade/' });
  expect(grade.passed).toBe(true);
  expect(grade.results.map(statusWord)).toEqual(['pass', 'skip']);
  expect(resultsJson(grade.results)).toMatchObject({ status: 'pass', labs: [{ status: 'pass' }, { status: 'skip' }] });
  expect(formatRunSummary(grade.results, 1000)).toMatch(/\n1 of 2 labs passed, 1 could not run here \(○, the reason is above\) in 1\.0 s$/);
});

test('batch grading: correct, wrong, hanging and empty submissions give the expected score table', async () => {
  const out = mkdtempSync(join(tmpdir(), 'grades-'));
  const endpoints = testCluster().endpoints.join(',');
  const run = await cli('grade', ['3', '5', '--submissions', join(fixtures, 'submissions'), '--endpoints', endpoints, '--timeout', '8',
    '--csv', join(out, 'grades.csv'), '--markdown', join(out, 'grades.md'), '--json', join(out, 'grades.json')]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const csv = readFileSync(join(out, 'grades.csv'), 'utf8').trim().split('\n');
  expect(csv[0]).toBe('student,lab 03,lab 05,labs passed,checks passed,checks total,error,failed checks');
  expect(csv[1]).toBe('ana,4/4,3/3,2,7,7,,');
  // Each failed check with its one-line reason, for the instructor to act on.
  expect(csv[2]).toMatch(/^ben,3\/4,2\/3,0,5,7,,"lab 03 register-users: registerUsers\(\) did not register 1 of \d+ users[^;]*; lab 05 sorted-by-value: .*not sorted by hostname/);
  expect(csv[3]).toMatch(/^cy,0\/4,0\/3,0,0,7,,"lab 03 current-user: currentUser\(\) did not finish within 8 s/);
  expect(csv[4]).toBe('dee,,,0,0,0,no labs/ folder,');
  expect(readFileSync(join(out, 'checks.csv'), 'utf8')).toMatch(/^lab,check,failed,graded\n03,register-users,2,3\n/);
  const md = readFileSync(join(out, 'grades.md'), 'utf8');
  expect(md).toContain('| ana | ✔ 4/4 | ✔ 3/3 | 2/2 |');
  expect(md).toContain('| dee (no labs/ folder) | – | – | 0/2 |');
  expect(md).toMatch(/## What each student failed\n\n### ben\n\n- lab 03 register-users: /);
  expect(md).toMatch(/## Checks by how many students failed them\n[\s\S]*\| 03 \| registerUsers\(\) registers every user of a list \| 2 \| 3 \|/);
  const json = JSON.parse(readFileSync(join(out, 'grades.json'), 'utf8'));
  expect(json.map((s: { student: string; status: string }) => [s.student, s.status])).toEqual([['ana', 'pass'], ['ben', 'fail'], ['cy', 'fail'], ['dee', 'error']]);
  const cy = json[2].tests;
  expect(cy.find((t: { check: string }) => t.check === 'current-user').message).toMatch(/did not finish within 8 s/);
  expect(cy.find((t: { check: string }) => t.check === 'range-bounds').message).toMatch(/05-range-scans\.ts is missing/);
  expect(await noSandboxLeft()).toEqual([]);
});

test('grade exits 1 when a lab fails, and bad arguments are one line plus the fix', async () => {
  const endpoints = testCluster().endpoints.join(',');
  const failing = await cli('grade', ['5', '--labs-dir', wrongDir('05', 'ascending'), '--endpoints', endpoints]);
  expect(failing.code).toBe(1);
  expect(failing.stdout).toMatch(/✖ 05 range-scans\s+2\/3 checks/);
  expect(failing.stdout).toMatch(/sorted-by-value: usersInRange\(\) is not sorted by hostname/);
  expect(failing.stdout).toMatch(/0 of 1 labs pass, 2 of 3 checks/);

  const both = await cli('grade', ['--solutions', '--labs-dir', 'x']);
  expect(both.code).toBe(1);
  expect(both.stderr.trim().split('\n')).toEqual(['error[USAGE]: --solutions and --labs-dir cannot be used together', '  fix: grade one source at a time']);
  const checkLabs = await cli('check-labs', ['--fast']);
  expect(checkLabs.stderr.trim().split('\n')).toEqual(["error[USAGE]: unknown option '--fast'", '  fix: usage: npm run check-labs [-- 4-10]']);
  const help = await cli('grade', ['--help']);
  expect(help).toMatchObject({ code: 0, stderr: '' });
  expect(help.stdout).toMatch(/--submissions <dir>/);
  const csv = await cli('grade', ['--csv', 'x.csv']);
  expect(csv.stderr).toMatch(/^error\[USAGE\]: --csv and --markdown are score tables of a batch/);
});

test('batch grading side by side: each job on a cluster of its own with a password, an attacker reaches no one, the grades equal a serial run\'s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'side-by-side-'));
  const solution = readFileSync(join(projectRoot, 'solutions', '03-logged-users.ts'), 'utf8');
  for (const student of ['ana', 'bob', 'cy']) {
    mkdirSync(join(dir, student, 'labs'), { recursive: true });
    writeFileSync(join(dir, student, 'labs', '03-logged-users.ts'), solution);
  }
  // eve leaves her namespace and tries every grading port, with her credentials and without.
  mkdirSync(join(dir, 'eve', 'labs'), { recursive: true });
  for (const file of ['03-logged-users.ts', 'honest.ts']) copyFileSync(join(fixtures, 'malicious', 'escapes', file), join(dir, 'eve', 'labs', file));
  const grade = async (jobs: number) => {
    const out = join(dir, `grades-${jobs}.json`);
    const run = await cli('grade', ['3', '--submissions', dir, '--jobs', String(jobs), '--seed', '4242', '--json', out, '--csv', join(dir, `grades-${jobs}.csv`), '--markdown', join(dir, `grades-${jobs}.md`)]);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8')) as { student: string; status: string; tests: { check: string; status: string; message: string | null }[] }[];
  };
  const serial = await grade(1);
  const parallel = await grade(3);
  for (const student of ['ana', 'bob', 'cy']) {
    const mine = (rows: typeof serial) => rows.find((r) => r.student === student)!;
    expect(mine(parallel).status, `${student} beside eve`).toBe('pass');
    expect(mine(parallel).tests.map((t) => [t.check, t.status, t.message])).toEqual(mine(serial).tests.map((t) => [t.check, t.status, t.message]));
  }
  expect(etcdProcessesMentioning(join(paths.clusterState, 'grading-'))).toEqual([]);
  expect(await noSandboxLeft()).toEqual([]);
}, 240_000);
