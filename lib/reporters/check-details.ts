/**
 * A failed check's details (expected, actual, explanation) as plain text, for
 * report files (results JSON, JUnit).
 */
import { show } from '../runner/failure.ts';
import type { CheckResult } from '../runner/results.ts';

const OUTPUT_CAP = 500;

export function cap(text: string): string {
  return text.length > OUTPUT_CAP ? `${text.slice(0, OUTPUT_CAP - 20)}… (output truncated)` : text;
}

export function detailsText(check: CheckResult): string {
  const d = check.details ?? {};
  return [
    d.expected !== undefined ? `expected: ${typeof d.expected === 'string' ? d.expected : show(d.expected)}` : '',
    d.actual !== undefined ? `actual: ${typeof d.actual === 'string' ? d.actual : show(d.actual)}` : '',
    d.explain ?? '',
  ].filter(Boolean).join('\n');
}
