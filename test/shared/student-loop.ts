/**
 * The student's loop around a lab: progressive hints, reset without git,
 * `lab next`, and the pristine stubs that reset restores.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { findLab, labFileName, loadCatalog } from '../../lib/catalog.ts';
import { paths, projectRoot } from '../../lib/paths.ts';
import { hintsShown, nextHint } from '../../lib/state/hints.ts';
import { nextLab, readProgress, recordProgress } from '../../lib/state/progress.ts';
import { isModified, resetLab } from '../../lib/state/reset.ts';
import { cli, sandboxProcesses, testCluster } from '../helpers.ts';


test('hints come one more at a time, remembered, then point to the chapter', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'hints-')), 'hints.json');
  const lab = findLab('4');
  const steps = [1, 2, 3, 4].map(() => nextHint(lab, file));
  expect(steps.map((s) => s.hints.length)).toEqual([1, 2, 3, 3]);
  expect(steps.map((s) => s.newest)).toEqual([1, 2, 3, 0]);
  expect(steps.map((s) => s.exhausted)).toEqual([false, false, true, true]);
  expect(steps[2].hints).toEqual(lab.hints);
  expect(hintsShown(lab, file)).toBe(3);
  expect(hintsShown(findLab('5'), file)).toBe(0);
});

test('reset restores the stub without git, keeps the student\'s version and marks the lab as not run since', () => {
  const root = mkdtempSync(join(tmpdir(), 'reset-'));
  const [labsDir, stateDir] = [join(root, 'labs'), join(root, '.workbook')];
  mkdirSync(labsDir);
  const lab = findLab('4');
  const mine = '// my work in progress\nexport const answer = 42;\n';
  writeFileSync(join(labsDir, labFileName(lab)), mine);
  recordProgress(lab.id, { status: 'failed', passed: 2, total: 6, at: 'then', seed: 1 }, join(stateDir, 'progress.json'));
  expect(isModified(lab, labsDir)).toBe(true);

  const outcome = resetLab(lab, { labsDir, stateDir, now: new Date('2026-11-21T10:00:00Z') });
  expect(outcome.status).toBe('restored');
  expect(readFileSync(join(labsDir, labFileName(lab)), 'utf8')).toBe(readFileSync(join(paths.stubs, labFileName(lab)), 'utf8'));
  expect(outcome.backup).toBe(join(stateDir, 'backup', '04-transactions.2026-11-21T10-00-00-000Z.ts'));
  expect(readFileSync(outcome.backup!, 'utf8')).toBe(mine);
  expect(readProgress(join(stateDir, 'progress.json'))).toEqual({ '04': { status: 'reset', passed: 0, total: 6, at: '2026-11-21T10:00:00.000Z', seed: 0 } });
  expect(resetLab(lab, { labsDir, stateDir }).status).toBe('unchanged');

  // A deleted lab file comes back too (nothing to back up).
  const deleted = resetLab(findLab('5'), { labsDir, stateDir });
  expect(deleted).toMatchObject({ status: 'restored', backup: undefined });
  expect(readdirSync(join(stateDir, 'backup'))).toHaveLength(1);
  expect(existsSync(join(labsDir, '05-range-scans.ts'))).toBe(true);
});

test('lab next is the first lab not passed; reset and hint answer bad input in one line', async () => {
  const labs = loadCatalog();
  expect(nextLab(labs, {})?.id).toBe('01');
  expect(nextLab(labs, { '01': { status: 'passed', passed: 4, total: 4, at: '', seed: 1 } })?.id).toBe('02');
  const unchanged = await cli('reset', ['4']);
  expect(unchanged).toMatchObject({ code: 0, stderr: '' });
  expect(unchanged.stdout).toMatch(/labs\/04-transactions\.ts is already the stub: nothing to reset/);
  const none = await cli('reset', []);
  expect(none.stderr.trim().split('\n')).toEqual(['error[USAGE]: which lab?', '  fix: npm run reset 4 (a lab), or npm run reset -- --all']);
  // Without a terminal to ask on, a destructive command wants --yes (and touches nothing).
  const noTty = await cli('cluster', ['reset']);
  expect(noTty.stderr.trim().split('\n')).toEqual(['error[NEEDS_CONFIRMATION]: `npm run cluster -- reset` needs a confirmation and there is no terminal to ask on', '  fix: add --yes']);
  const unknownAction = await cli('class', ['stats']);
  expect(unknownAction.stderr.trim().split('\n')).toEqual(['error[USAGE]: unknown action "stats"', '  fix: use start, setup, status, stop, reset or bundle']);
  const hint = await cli('hint', ['99']);
  expect(hint.stderr).toMatch(/^error\[UNKNOWN_LAB\]: there is no lab "99"/);
});


test('watch mode reruns on save, cancels a run in progress when the file changes again, and leaves nothing behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'watch-'));
  const file = join(dir, '07-leases.ts');
  const wrong = (variant: string) => `export * from '${join(projectRoot, 'test', 'fixtures', 'wrong', '07', variant, '07-leases.ts')}';\n`;
  writeFileSync(file, wrong('timer-delete'));
  const endpoints = testCluster().endpoints.join(',');
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/lab.ts', '7', '--watch', '--labs-dir', dir, '--endpoints', endpoints, '--only', 'lease-granted,expires'], {
    cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const until = async (pattern: RegExp, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!pattern.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(pattern);
  };
  try {
    await until(/\[watch\] .*07-leases\.ts: ✖ 0\/2 checks pass/);
    // A save while the next run is busy (expires waits for the lease) cancels it.
    writeFileSync(file, wrong('auto-keepalive'));
    await until(/Lab 07 [\s\S]*Lab 07 /); // the second run has started
    await new Promise((r) => setTimeout(r, 800));
    writeFileSync(file, `export * from '${join(projectRoot, 'solutions', '07-leases.ts')}';\n`);
    await until(/cancelled \(the file changed\)/);
    await until(/\[watch\] .*07-leases\.ts: ✔ all 2 checks pass/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  // Lab processes left by the watcher's runs would now be orphans (the other test file may run labs meanwhile).
  for (let i = 0; i < 40 && sandboxProcesses({ orphans: true }).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(sandboxProcesses({ orphans: true })).toEqual([]);
}, 60_000);
