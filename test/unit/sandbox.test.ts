/** The lab process, without etcd: who is blamed when student code ends it. */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { Sandbox } from '../../lib/sandbox/sandbox.ts';
import { StudentCode } from '../../lib/runner/student.ts';
import { fixtures } from '../helpers.ts';

test('process.exit() is blamed on the function that called it, also in the calls pending beside it', async () => {
  const file = join(fixtures, 'sandbox', 'exits.ts');
  const box = Sandbox.spawn();
  try {
    await box.load(file);
    const [waits, exits] = await Promise.all([box.call('waits', [], { timeoutMs: 20_000 }), box.call('exits', [], { timeoutMs: 20_000 })]);
    expect(waits).toMatchObject({ ok: false, kind: 'exited', code: 3, by: 'exits' });
    expect(exits).toMatchObject({ ok: false, kind: 'exited', code: 3, by: 'exits' });
    const student = new StudentCode(box, file, 20_000);
    if (waits.ok) throw new Error('unreachable');
    expect(student.explain('waits()', waits)).toBe('exits() ended the lab process (exit code 3) while waits() was running. Lab functions must return or throw, never call process.exit().');
  } finally {
    box.dispose();
  }
});
