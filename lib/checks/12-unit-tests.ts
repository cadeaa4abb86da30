/**
 * Lab 12 checks: the student's tests are the thing under test.
 *
 * Their test file runs (vitest, a process of its own) against the reference
 * solution of lab 02, where every test must pass, and then against broken
 * versions, each of which at least one test must fail. A test that always
 * fails would "catch" everything: so the broken versions only count once the
 * tests pass on the reference.
 */
import { join } from 'node:path';
import { paths, shown } from '../paths.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, todoFailure } from '../runner/failure.ts';
import { type TestRun, runStudentTests } from './helpers/unit-tests/run-tests.ts';

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

interface Runs {
  reference: TestRun;
  broken: Record<string, TestRun>;
}

/** One round of vitest runs per lab run, shared by its checks. */
function runs(ctx: CheckContext): Promise<Runs> {
  return ctx.once('test-runs', () => runAll(ctx));
}

async function runAll(ctx: CheckContext): Promise<Runs> {
  const timeoutMs = Math.max(ctx.timeoutMs, 30_000);
  const run = (subject: string) => runStudentTests(ctx.student.labFile, { subject, connection: { endpoints: ctx.target.endpoints, auth: ctx.target.auth, tls: ctx.target.tls }, namespace: ctx.target.namespace }, timeoutMs);
  const reference = await run(join(paths.solutions, '02-kv-basics.ts'));
  const broken: Record<string, TestRun> = {};
  if (!reference.error && reference.total > 0 && reference.failed.length === 0) {
    // Two at a time: each vitest run is a node process with workers of its own.
    const names = Object.keys(BROKEN);
    for (let i = 0; i < names.length; i += 2) {
      const pair = names.slice(i, i + 2);
      const results = await Promise.all(pair.map((name) => run(join(paths.root, 'lib', 'checks', 'helpers', 'unit-tests', 'broken', `${name}.ts`))));
      pair.forEach((name, j) => (broken[name] = results[j]));
    }
  }
  return { reference, broken };
}

function expectReferencePasses(ctx: CheckContext, reference: TestRun): void {
  const file = shown(ctx.student.labFile);
  if (reference.error) throw new CheckFailure(`${file}: ${reference.error}`);
  if (reference.total === 0) throw todoFailure('tests', file);
  expect(reference.failed.length === 0, `${reference.failed.length} of your ${reference.total} tests fail on the reference implementation of lab 02`, {
    expected: 'every test passes on a correct implementation',
    actual: reference.failed.slice(0, 3).map((f) => `${f.name}: ${f.message}`).join('\n'),
    explain: 'A test that fails on correct code tests the wrong thing (or needs a clean namespace: freshClient()). Until they pass here, catching broken versions proves nothing.',
  });
}

function catches(name: string) {
  return async (ctx: CheckContext) => {
    const { reference, broken } = await runs(ctx);
    if (reference.error || reference.total === 0) expectReferencePasses(ctx, reference);
    if (reference.failed.length) {
      throw new CheckFailure('your tests fail on the reference implementation, so failing on a broken one proves nothing', {
        explain: 'Make every test pass on the reference first (the check "your tests pass on the reference implementation").',
      });
    }
    const run = broken[name];
    const { what, test } = BROKEN[name];
    if (run.error) throw new CheckFailure(`against the version where ${what}: ${run.error}`);
    expect(run.failed.length > 0, `your ${run.total} tests all pass on a broken version: ${what}`, {
      expected: 'at least one test fails on it',
      explain: `A test that would catch it: ${test}.`,
    });
    ctx.note(`caught by: ${run.failed.slice(0, 2).map((f) => f.name).join('; ')}${run.failed.length > 2 ? ` (+${run.failed.length - 2})` : ''}`);
  };
}

const checks: LabChecks = {
  async 'passes-reference'(ctx) {
    const { reference } = await runs(ctx);
    expectReferencePasses(ctx, reference);
    ctx.note(`${reference.total} tests pass on the reference implementation`);
  },
  ...Object.fromEntries(Object.keys(BROKEN).map((name) => [`catches-${name}`, catches(name)])),
};

export default checks;
