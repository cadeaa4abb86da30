/**
 * Results JSON in the shape of Exercism's test runner (results.json v2):
 * version, status pass/fail/error, and one entry per check with name,
 * status, message and output (capped at 500 characters).
 */
import { type LabResult, passedChecks } from '../runner/results.ts';
import { cap, detailsText } from './check-details.ts';
import { statusWord } from './json.ts';

export function resultsJson(results: LabResult[], error?: string) {
  const tests = results.flatMap((r) => r.checks.map((c) => ({
    name: `lab ${r.lab.id} ${r.lab.slug} › ${c.title}`,
    lab: r.lab.id,
    check: c.id,
    status: c.status === 'passed' ? 'pass' : c.error ? 'error' : c.status === 'skipped' ? 'skip' : 'fail',
    message: c.status === 'passed' ? null : (c.message ?? null),
    output: c.status === 'failed' ? cap(detailsText(c)) || null : null,
    duration_ms: c.ms,
  })));
  const status = error || tests.some((t) => t.status === 'error') ? 'error' : tests.every((t) => t.status === 'pass' || t.status === 'skip') ? 'pass' : 'fail';
  return {
    version: 2,
    status,
    message: error ?? null,
    labs: results.map((r) => ({ lab: r.lab.id, slug: r.lab.slug, status: statusWord(r), passed: passedChecks(r), total: r.checks.length, seed: r.seed, duration_ms: r.ms })),
    tests,
  };
}
