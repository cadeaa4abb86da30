/**
 * Report files for graders and CI:
 *
 * - results JSON in the shape of Exercism's test runner (results.json v2):
 *   version, status pass/fail/error, and one entry per check with name,
 *   status, message and output (capped at 500 characters);
 * - JUnit XML, which every CI system can show;
 * - CSV and Markdown score tables for a batch of students.
 */
import { type LabResult, statusWord } from '../runner/run-lab.ts';
import { show } from '../runner/failure.ts';
import { passedChecks } from './grade.ts';

const OUTPUT_CAP = 500;

function cap(text: string): string {
  return text.length > OUTPUT_CAP ? `${text.slice(0, OUTPUT_CAP - 20)}… (output truncated)` : text;
}

function detailsText(check: LabResult['checks'][number]): string {
  const d = check.details ?? {};
  return [
    d.expected !== undefined ? `expected: ${typeof d.expected === 'string' ? d.expected : show(d.expected)}` : '',
    d.actual !== undefined ? `actual: ${typeof d.actual === 'string' ? d.actual : show(d.actual)}` : '',
    d.explain ?? '',
  ].filter(Boolean).join('\n');
}


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

function xml(text: string): string {
  // XML 1.0 forbids most control characters, even escaped.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function junitXml(results: LabResult[], name = 'etcd lab workbook'): string {
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const count = (r: LabResult, s: string) => r.checks.filter((c) => c.status === s).length;
  const all = results.flatMap((r) => r.checks);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(name)}" tests="${all.length}" failures="${all.filter((c) => c.status === 'failed').length}" time="${secs(results.reduce((t, r) => t + r.ms, 0))}">`,
  ];
  for (const r of results) {
    lines.push(`  <testsuite name="lab ${r.lab.id} ${xml(r.lab.slug)}" tests="${r.checks.length}" failures="${count(r, 'failed')}" skipped="${count(r, 'skipped')}" time="${secs(r.ms)}">`);
    lines.push(`    <properties><property name="seed" value="${r.seed}"/></properties>`);
    for (const c of r.checks) {
      const open = `    <testcase classname="lab${r.lab.id}.${xml(r.lab.slug)}" name="${xml(`${c.id}: ${c.title}`)}" time="${secs(c.ms)}"`;
      if (c.status === 'passed') lines.push(`${open}/>`);
      else if (c.status === 'skipped') lines.push(`${open}><skipped message="${xml(c.message ?? '')}"/></testcase>`);
      else lines.push(`${open}><failure message="${xml(c.message ?? 'failed')}">${xml(detailsText(c))}</failure></testcase>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/** One row per student, one column per lab: "passed/total". */
export interface ScoreRow {
  student: string;
  results: LabResult[];
  /** Set when the student's folder could not be graded at all. */
  error?: string;
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function scoreCsv(rows: ScoreRow[], labIds: string[]): string {
  const header = ['student', ...labIds.map((id) => `lab ${id}`), 'labs passed', 'checks passed', 'checks total', 'error'];
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) {
    const byLab = new Map(row.results.map((r) => [r.lab.id, r]));
    const cells = labIds.map((id) => {
      const r = byLab.get(id);
      return r ? `${passedChecks(r)}/${r.checks.length}` : '';
    });
    const passed = row.results.reduce((t, r) => t + passedChecks(r), 0);
    const total = row.results.reduce((t, r) => t + r.checks.length, 0);
    lines.push([row.student, ...cells, String(row.results.filter((r) => r.passed).length), String(passed), String(total), row.error ?? ''].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

export function scoreMarkdown(rows: ScoreRow[], labIds: string[]): string {
  const lines = [
    `| student | ${labIds.map((id) => `lab ${id}`).join(' | ')} | labs passed |`,
    `| --- | ${labIds.map(() => '---:').join(' | ')} | ---: |`,
  ];
  for (const row of rows) {
    const byLab = new Map(row.results.map((r) => [r.lab.id, r]));
    const cells = labIds.map((id) => {
      const r = byLab.get(id);
      return !r ? '–' : r.passed ? `✔ ${r.checks.length}/${r.checks.length}` : `${passedChecks(r)}/${r.checks.length}`;
    });
    const name = row.student.replace(/\|/g, '\\|');
    lines.push(`| ${name}${row.error ? ` (${row.error.replace(/\|/g, '\\|')})` : ''} | ${cells.join(' | ')} | ${row.results.filter((r) => r.passed).length}/${labIds.length} |`);
  }
  return lines.join('\n') + '\n';
}
