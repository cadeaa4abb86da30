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
