/**
 * Running a student's test file (lab 12) against one implementation of lab 02:
 * vitest in a child process of its own (the student's tests are student code:
 * they may hang), killed with its workers when it takes too long.
 */
import { spawn } from 'node:child_process';
import type { Connection } from '../../../connection/connection.ts';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { paths } from '../../../paths.ts';
import { labEnvironment } from '../../../sandbox/box.ts';

export interface TestRun {
  /** Tests that ran (todo and skipped ones are not counted). */
  total: number;
  passed: string[];
  /** Names of the failed tests, with their first failure line. */
  failed: { name: string; message: string }[];
  /** The file could not run at all: it did not load, or the run timed out. */
  error?: string;
}

const vitest = join(paths.root, 'node_modules', 'vitest', 'vitest.mjs');
const config = join(paths.root, 'lib', 'checks', 'helpers', 'unit-tests', 'vitest.config.ts');
let runs = 0;

interface JsonReport {
  testResults: { message?: string; status: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

/**
 * The implementation the tests run against: a lab 02 file as it is (the
 * reference), or a broken version built on a base (`broken/*.ts` re-export
 * `./base.ts`): copied beside a `base.ts` that re-exports the base.
 */
export type Subject = { file: string } | { broken: string; base: string };

const KIT = join(paths.root, 'lib', 'kit.ts');

function placeSubject(subject: Subject, dir: string): string {
  if ('file' in subject) return subject.file;
  writeFileSync(join(dir, 'base.ts'), `export * from ${JSON.stringify(subject.base)};\n`);
  const copy = join(dir, `broken-${basename(subject.broken)}`);
  writeFileSync(copy, readFileSync(subject.broken, 'utf8').replaceAll("'../../../../kit.ts'", JSON.stringify(KIT)));
  return copy;
}

export async function runStudentTests(file: string, env: { subject: Subject; connection: Connection; namespace: string }, timeoutMs: number): Promise<TestRun> {
  const dir = join(paths.root, `.lab12-run-${process.pid}-${++runs}`);
  mkdirSync(dir, { recursive: true });
  const copy = join(dir, basename(file));
  copyFileSync(file, copy);
  const subject = placeSubject(env.subject, dir);
  const output = join(dir, 'report.json');
  try {
    const child = spawn(process.execPath, [vitest, 'run', '--config', config, '--root', paths.root, '--reporter=json', `--outputFile=${output}`, copy], {
      cwd: paths.root,
      detached: true, // its own process group: a timeout kills vitest and its workers together
      stdio: ['ignore', 'pipe', 'pipe'],
      // Like a lab process, the student's tests get none of the runner's secrets (ETCD_PASSWORD …).
      env: { ...labEnvironment(), LAB12_SUBJECT: subject, LAB12_CONNECTION: JSON.stringify(env.connection), LAB12_NAMESPACE: env.namespace, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.stdout.on('data', () => {});
    const timedOut = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        resolve(true);
      }, timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (timedOut) return { total: 0, passed: [], failed: [], error: `the tests did not finish within ${timeoutMs / 1000} s (a test that never ends?)` };
    let report: JsonReport;
    try {
      report = JSON.parse(readFileSync(output, 'utf8')) as JsonReport;
    } catch {
      const line = stderr.split('\n').find((l) => /Error|error/.test(l)) ?? stderr.trim().split('\n').pop() ?? 'no output';
      return { total: 0, passed: [], failed: [], error: `vitest could not run the file: ${line.trim()}` };
    }
    const suiteError = report.testResults.find((r) => r.status === 'failed' && r.assertionResults.length === 0);
    // A file without a single test (an empty one) has nothing to run: that is "no tests yet", not a broken file.
    if (suiteError && /No test suite found/.test(suiteError.message ?? '')) return { total: 0, passed: [], failed: [] };
    if (suiteError) return { total: 0, passed: [], failed: [], error: `the file failed to load: ${(suiteError.message ?? '').split('\n')[0]}` };
    const results = report.testResults.flatMap((r) => r.assertionResults).filter((a) => a.status === 'passed' || a.status === 'failed');
    return {
      total: results.length,
      passed: results.filter((a) => a.status === 'passed').map((a) => a.fullName),
      failed: results.filter((a) => a.status === 'failed').map((a) => ({ name: a.fullName, message: (a.failureMessages[0] ?? '').split('\n')[0] })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
