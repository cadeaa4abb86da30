/**
 * `npm run check-history`: the exit code tells the verdict apart from a file
 * that cannot be checked, the verdict comes first, and a bad file gets one
 * line and its fix, never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'histories');
const scratch = mkdtempSync(join(tmpdir(), 'check-history-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function checkHistory(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'lib', 'cli', 'check-history.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, out: run.stdout + run.stderr };
}

describe('npm run check-history', () => {
  test('a linearizable history: exit 0', () => {
    const { code, out } = checkHistory(join(fixtures, 'list-ok.json'));
    expect(out).toMatch(/^linearizable:/m);
    expect(code).toBe(0);
  });

  test('a lost update: exit 1, the anomaly named, a report written beside a copy of the file', () => {
    const file = join(scratch, 'lost.json');
    cpSync(join(fixtures, 'list-lost-update.json'), file);
    const { code, out } = checkHistory(file, '--report', join(scratch, 'report'));
    expect(out).toMatch(/^not linearizable:/m);
    expect(out).toMatch(/^report: /m);
    expect(existsSync(join(scratch, 'report'))).toBe(true);
    expect(code).toBe(1);
  });

  test('a file that is not a history: exit 3, one line and the fix', () => {
    const file = join(scratch, 'bad.json');
    writeFileSync(file, '{"model": "list-store", "operations": [');
    const { code, out } = checkHistory(file);
    expect(code).toBe(3);
    expect(out).not.toMatch(/\n\s+at /);
    expect(out.trim().split('\n').length).toBeLessThanOrEqual(3);
  });

  test('a bad --time-limit: exit 3, with an example', () => {
    const { code, out } = checkHistory(join(fixtures, 'list-ok.json'), '--time-limit', 'soon');
    expect(code).toBe(3);
    expect(out).toMatch(/--time-limit must be a number of seconds[\s\S]*--time-limit 30/);
  });
});
