/**
 * Results for GitHub Classroom's autograding reporter
 * (classroom-resources/autograding-grading-reporter): one test per check,
 * a point each, skipped checks (not runnable on that cluster) left out.
 * The workflow base64-encodes this file into the reporter's
 * <RUNNER>_RESULTS variable (lib/grading/ci/github-classroom.yml).
 */
import type { LabResult } from '../runner/results.ts';

export function classroomResults(results: LabResult[]) {
  const tests = results.flatMap((r) => r.checks.filter((c) => c.status !== 'skipped').map((c) => ({
    name: `lab ${r.lab.id} ${r.lab.slug}: ${c.title}`,
    status: c.status === 'passed' ? 'pass' : c.error ? 'error' : 'fail',
    message: c.status === 'passed' ? '' : (c.message ?? 'failed').split('\n')[0],
    test_code: `npm run lab ${Number(r.lab.id)} -- --only ${c.id} --seed ${r.seed}`,
    filename: `labs/${r.labFile.split('/').pop()}`,
    line_no: 0,
    execution_time: `${(c.ms / 1000).toFixed(1)}s`,
    score: c.status === 'passed' ? 1 : 0,
  })));
  const status = tests.some((t) => t.status === 'error') ? 'error' : tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
  return { version: 1, status, max_score: tests.length, tests };
}
