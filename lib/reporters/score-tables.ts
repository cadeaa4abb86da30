/** CSV and Markdown score tables for a batch of students (`npm run grade -- --submissions`). */
import { type LabResult, passedChecks } from '../runner/results.ts';

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
  const header = ['student', ...labIds.map((id) => `lab ${id}`), 'labs passed', 'checks passed', 'checks total', 'error', 'failed checks'];
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) {
    const byLab = new Map(row.results.map((r) => [r.lab.id, r]));
    const cells = labIds.map((id) => {
      const r = byLab.get(id);
      return r ? `${passedChecks(r)}/${r.checks.length}` : '';
    });
    const passed = row.results.reduce((t, r) => t + passedChecks(r), 0);
    const total = row.results.reduce((t, r) => t + r.checks.length, 0);
    lines.push([row.student, ...cells, String(row.results.filter((r) => r.passed).length), String(passed), String(total), row.error ?? '', failureLines(row).join('; ')].map(csvCell).join(','));
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

/** A student's failed checks, one line each: "lab 04 race: 3 of 4 clients returned true …". */
export function failureLines(row: ScoreRow, width = 160): string[] {
  return row.results.flatMap((r) => r.checks.filter((c) => c.status === 'failed' && !c.notRun).map((c) => {
    const line = `lab ${r.lab.id} ${c.id}: ${(c.message ?? 'failed').split('\n')[0]}`;
    return line.length > width ? `${line.slice(0, width - 1)}…` : line;
  }));
}

export interface CheckTally {
  lab: string;
  check: string;
  title: string;
  failed: number;
  graded: number;
}

/** Per check, how many students failed it (most first): which lesson did not land. */
export function checkTallies(rows: ScoreRow[]): CheckTally[] {
  const tallies = new Map<string, CheckTally>();
  for (const row of rows) {
    for (const r of row.results) {
      for (const c of r.checks) {
        if (c.status === 'skipped') continue;
        const key = `${r.lab.id}/${c.id}`;
        const tally = tallies.get(key) ?? { lab: r.lab.id, check: c.id, title: c.title, failed: 0, graded: 0 };
        tally.graded++;
        if (c.status === 'failed') tally.failed++;
        tallies.set(key, tally);
      }
    }
  }
  return [...tallies.values()].sort((a, b) => b.failed - a.failed || a.lab.localeCompare(b.lab) || a.check.localeCompare(b.check));
}

/** grades.md's second and third parts: what each student failed, and the checks the class failed most. */
export function failuresMarkdown(rows: ScoreRow[]): string {
  const md = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = ['', '## What each student failed', ''];
  for (const row of rows) {
    const failures = failureLines(row);
    if (!failures.length && !row.error) continue;
    lines.push(`### ${md(row.student)}`, '');
    if (row.error) lines.push(`- ${md(row.error)}`);
    for (const f of failures) lines.push(`- ${md(f)}`);
    lines.push('');
  }
  const tallies = checkTallies(rows).filter((t) => t.failed > 0);
  lines.push('## Checks by how many students failed them', '', '| lab | check | failed | of |', '| --- | --- | ---: | ---: |');
  for (const t of tallies) lines.push(`| ${t.lab} | ${md(t.title)} | ${t.failed} | ${t.graded} |`);
  return lines.join('\n') + '\n';
}

/** The same tallies as CSV (checks.csv beside grades.csv). */
export function tallyCsv(rows: ScoreRow[]): string {
  return ['lab,check,failed,graded', ...checkTallies(rows).map((t) => [t.lab, t.check, t.failed, t.graded].map((v) => csvCell(String(v))).join(','))].join('\n') + '\n';
}
