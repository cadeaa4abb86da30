/**
 * Lab 12 checks: the student's tests are the thing under test.
 *
 * Their test file runs (vitest, a process of its own) against the reference
 * solution of lab 02, where every test must pass, and then against broken
 * versions, each of which at least one test must fail. A test that always
 * fails would "catch" everything: so the broken versions only count once the
 * tests pass on the reference.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths, shown } from '../paths.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, todoFailure } from '../runner/failure.ts';
import { lab02Reference } from './helpers/unit-tests/reference.ts';
import { type Subject, type TestRun, runStudentTests } from './helpers/unit-tests/run-tests.ts';

/** The broken versions of lab 02, what is wrong with each, and the test that would catch it. */
export const BROKEN: Record<string, { what: string; test: string }> = {
  'missing-is-empty': { what: 'getValue() returns \'\' for a key that does not exist', test: 'getValue() of a key never written rejects with KeyNotFoundError' },
  'empty-is-missing': { what: 'getValue() throws KeyNotFoundError for a key whose value is \'\'', test: 'a key put with the value \'\' reads back as \'\'' },
  'generic-error': { what: 'getValue() throws a plain Error for a missing key', test: 'check the class of the error: rejects.toBeInstanceOf(KeyNotFoundError)' },
  'silent-delete': { what: 'deleteKey() of a missing key succeeds silently', test: 'deleteKey() of a key that does not exist rejects with KeyNotFoundError' },
  'locale-sort': { what: 'listKeys() sorts with localeCompare, not by bytes', test: 'listKeys() returns keys like "Zebra", "apple", "ｚ", "😀" in byte order' },
  'truncated-list': { what: 'listKeys() stops after 10 keys', test: 'put more than 10 keys and expect every one of them back' },
  'put-latin1': { what: 'putValue() stores text as Latin-1', test: 'a value like "zażółć 😀" reads back unchanged' },
  'put-if-absent': { what: 'putValue() does not overwrite an existing value', test: 'a second put of the same key wins' },
};

/**
 * Patterns in the student's file that explain why a broken version got
 * through: read from the file, so the message says what the file shows.
 */
const GAPS: { broken: string[]; pattern: RegExp; say: string }[] = [
  {
    broken: ['missing-is-empty', 'silent-delete', 'generic-error'],
    pattern: /catch\s*(\([^)]*\))?\s*\{[^}]*expect\s*\(/,
    say: 'Your file has an expect inside a catch block: it runs only when something is thrown, so a version that throws nothing passes. Use await expect(promise).rejects.toBeInstanceOf(KeyNotFoundError).',
  },
  {
    broken: ['generic-error'],
    pattern: /\.rejects\.toThrow\(\s*(\)|['"`/])/,
    say: 'rejects.toThrow() (with no class, or with a message) passes for any error, a plain Error too: check the class with rejects.toBeInstanceOf(KeyNotFoundError).',
  },
  {
    broken: ['missing-is-empty', 'generic-error'],
    pattern: /\.toBeFalsy\(\)/,
    say: 'toBeFalsy() passes for \'\' as well as for a failure turned into undefined: for a key never written, expect a rejection with KeyNotFoundError.',
  },
];

/** What the student's file shows about a broken version that got through ('' when nothing). */
function gapsIn(file: string, broken: string): string {
  let source = '';
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  return GAPS.filter((g) => g.broken.includes(broken) && g.pattern.test(source)).map((g) => ` ${g.say}`).join('');
}

/** The student's test file run against one implementation of lab 02 (vitest, a process of its own). */
function runAgainst(ctx: CheckContext, subject: Subject): Promise<TestRun> {
  const timeoutMs = Math.max(ctx.timeoutMs, 30_000);
  return runStudentTests(ctx.student.labFile, { subject, connection: ctx.studentConnection(), namespace: ctx.target.namespace }, timeoutMs);
}

/** The run against the reference solution: once per lab run, shared by its checks. */
function reference(ctx: CheckContext): Promise<TestRun> {
  return ctx.once('reference', () => runAgainst(ctx, { file: lab02Reference(ctx.student.labFile).file }));
}

/**
 * The run against one broken version. Two at a time (each vitest run is a node
 * process with workers of its own), in pairs shared by the checks that need
 * them: a run of some checks only (prove, the tests of a wrong implementation)
 * runs the pairs those checks need, not all eight versions.
 */
async function brokenRun(ctx: CheckContext, name: string): Promise<TestRun> {
  const names = Object.keys(BROKEN);
  const first = names.indexOf(name) - (names.indexOf(name) % 2);
  const pair = names.slice(first, first + 2);
  const runs = await ctx.once(`broken-${pair.join('+')}`, () => Promise.all(pair.map((n) => runAgainst(ctx, { broken: join(paths.root, 'lib', 'checks', 'helpers', 'unit-tests', 'broken', `${n}.ts`), base: lab02Reference(ctx.student.labFile).file }))));
  return runs[pair.indexOf(name)];
}

function expectReferencePasses(ctx: CheckContext, reference: TestRun): void {
  const file = shown(ctx.student.labFile);
  if (reference.error) throw new CheckFailure(`${file}: ${reference.error}`);
  if (reference.total === 0) throw todoFailure('tests', file);
  // The student edition has no solutions: the reference is the student's own lab 02, which must pass its checks first.
  const own = lab02Reference(ctx.student.labFile);
  const which = own.own ? ` (here: your own ${shown(own.file)}, as this edition has no solutions)` : '';
  expect(reference.failed.length === 0, `${reference.failed.length} of your ${reference.total} tests fail on the reference implementation of lab 02${which}`, {
    expected: 'every test passes on a correct implementation',
    actual: reference.failed.slice(0, 3).map((f) => `${f.name}: ${f.message}`).join('\n'),
    explain: `A test that fails on correct code tests the wrong thing (or needs a clean namespace: freshClient()). Until they pass here, catching broken versions proves nothing.${own.own ? ' Make lab 02 pass first (npm run lab 2): its checks decide what correct is.' : ''}`,
  });
}

function catches(name: string) {
  return async (ctx: CheckContext) => {
    const ref = await reference(ctx);
    if (ref.error || ref.total === 0) expectReferencePasses(ctx, ref);
    if (ref.failed.length) {
      throw new CheckFailure('your tests fail on the reference implementation, so failing on a broken one proves nothing', {
        explain: 'Make every test pass on the reference first (the check "your tests pass on the reference implementation").',
      });
    }
    // Only once the tests pass on the reference do the broken versions count.
    const run = await brokenRun(ctx, name);
    const { what, test } = BROKEN[name];
    if (run.error) throw new CheckFailure(`against the version where ${what}: ${run.error}`);
    expect(run.failed.length > 0, `your ${run.total} tests all pass on a broken version: ${what}`, {
      expected: 'at least one test fails on it',
      explain: `A test that would catch it: ${test}.${gapsIn(ctx.student.labFile, name)}`,
    });
    ctx.note(`caught by: ${run.failed.slice(0, 2).map((f) => f.name).join('; ')}${run.failed.length > 2 ? ` (+${run.failed.length - 2})` : ''}`);
  };
}

const checks: LabChecks = {
  async 'passes-reference'(ctx) {
    const ref = await reference(ctx);
    expectReferencePasses(ctx, ref);
    ctx.note(`${ref.total} tests pass on the reference implementation`);
  },
  ...Object.fromEntries(Object.keys(BROKEN).map((name) => [`catches-${name}`, catches(name)])),
};

export default checks;
