/**
 * The loop around a lab, without etcd: what a run says at its end (the hint
 * that fits, the next lab), the lab list after a reset, a file that does not
 * load, a range that runs backwards.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { type LabEntry, findLab, loadCatalog, selectLabs } from '../../lib/catalog.ts';
import { formatLabList } from '../../lib/reporters/lab-list.ts';
import { formatCheckLine, formatLabReport, hintFor } from '../../lib/reporters/lab-report.ts';
import { loadFailure } from '../../lib/runner/load-failure.ts';
import type { CheckResult, LabResult } from '../../lib/runner/results.ts';
import { hintsShown, markHintShown, nextHint } from '../../lib/state/hints.ts';

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

function result(lab: LabEntry, checks: Partial<CheckResult>[]): LabResult {
  const full = checks.map((c, i) => ({ id: lab.checks[i].id, title: lab.checks[i].title, status: 'passed' as const, notes: [], ms: 100, ...c }));
  return { lab, labFile: `/x/labs/${lab.id}.ts`, seed: 7, checks: full, passed: full.every((c) => c.status !== 'failed'), ms: 900 };
}

test('a range that runs backwards is a usage error with the fix, not an empty run', () => {
  expect(() => selectLabs(['2-1'])).toThrow(/the range 2-1 is empty: it runs backwards/);
  expect(selectLabs(['1-2']).map((l) => l.id)).toEqual(['01', '02']);
});

test('the hint shown at the end of a run counts as seen: `npm run hint` goes on from the next one', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'hints-')), 'hints.json');
  const lab = findLab('3');
  const failed = result(lab, [{ status: 'failed', message: 'wrong' }]);
  const hint = hintFor(failed, hintsShown(lab, file));
  expect(hint).toEqual({ kind: 'lab', n: 1 });
  markHintShown(lab, 1, file);
  expect(nextHint(lab, file).newest).toBe(2);
  expect(plain(formatLabReport(failed, { hint: hintFor(failed, hintsShown(lab, file)) }))).toMatch(/Hint: .*\(hint 2 of 3; `npm run hint 3` shows the next\)/);
});

test('a check with a hint of its own gets that hint when it fails; a file that does not load gets none', () => {
  const lab: LabEntry = { ...findLab('3') };
  lab.checks = lab.checks.map((c, i) => (i === 1 ? { ...c, hint: 'Keys end with a slash.' } : c));
  const failed = result(lab, [{}, { status: 'failed', message: 'wrong key' }]);
  expect(hintFor(failed)).toEqual({ kind: 'check', check: lab.checks[1].id });
  expect(plain(formatLabReport(failed))).toMatch(new RegExp(`Hint \\(${lab.checks[1].id}\\): Keys end with a slash\\.`));
  const unloadable = result(lab, [{ status: 'failed', message: 'labs/03-logged-users.ts does not load: syntax error at 1:2: x' }, { status: 'failed', notRun: true, message: 'not run' }]);
  expect(hintFor(unloadable)).toEqual({ kind: 'none' });
  const report = plain(formatLabReport(unloadable));
  expect(report).not.toMatch(/Hint/);
  expect(report).toMatch(/1 more check did not run: register-user\./);
});

test('a passing run says which lab comes next and where to read about it', () => {
  const report = plain(formatLabReport(result(findLab('3'), [{}, {}, {}, {}]), { next: findLab('4') }));
  expect(report).toMatch(/Next: npm run lab 4 {2}\(labs\/04-transactions\.ts; read LAB\.md, "Lab 04 · Transactions"\)/);
});

test('after a reset the list says "not run since reset"; without a terminal each check is one line', () => {
  const list = plain(formatLabList(loadCatalog(), { '04': { status: 'reset', passed: 0, total: 6, at: '', seed: 0 } }));
  expect(list).toMatch(/04 {2}Transactions.* · not run since reset/);
  expect(plain(formatCheckLine({ id: 'a', title: 'does a thing', status: 'passed', notes: [], ms: 1234 }))).toBe('✔ does a thing (1.2 s)');
  expect(plain(formatCheckLine({ id: 'a', title: 'does a thing', status: 'failed', notes: [], ms: 1 }))).toBe('✖ does a thing');
});

test('a syntax error is told once, with file:line:column and a code frame', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'syntax-')), '03-logged-users.ts');
  writeFileSync(file, "import x from 'y';\n\nexport const ROOT = = '/logged_users/';\n");
  const { message, details } = loadFailure({ name: 'TransformError', message: `Transform failed with 1 error:\n${file}:3:20: ERROR: Unexpected "="` }, file);
  expect(message).toMatch(/03-logged-users\.ts does not load: syntax error at 3:21: Unexpected "="$/);
  expect(details.explain).toBe([
    '  1 | import x from \'y\';',
    '  2 | ',
    '> 3 | export const ROOT = = \'/logged_users/\';',
    '    |                     ^',
    'Fix it and run again; `npm run typecheck` lists every error of your file at once.',
  ].join('\n'));
});
