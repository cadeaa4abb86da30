/**
 * Text for a finished lab run: failures with expected/actual, the hint, and
 * how to reproduce. The first failing check comes first.
 */
import { shown } from '../paths.ts';
import { style } from '../terminal/style.ts';
import { show } from '../runner/failure.ts';
import { type LabOutcome, type LabResult, anyFailed, labOutcome } from '../runner/results.ts';

function indent(text: string, pad: string): string {
  return text.split('\n').map((l) => pad + l).join('\n');
}

export function labCommand(labId: string, extra: string | string[] = ''): string {
  const options = typeof extra === 'string' ? extra : extra.map(shellWord).join(' ');
  return `npm run lab ${Number(labId)}${options ? ` -- ${options}` : ''}`;
}

/** An argument as a shell reads it back: quoted when it holds anything but plain path characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function formatLabReport(result: LabResult, notes: { reproduce?: string; hintsShown?: number } = {}): string {
  const { lab, checks } = result;
  const passed = checks.filter((c) => c.status === 'passed').length;
  const failed = checks.filter((c) => c.status === 'failed');
  const skipped = checks.filter((c) => c.status === 'skipped');
  const seconds = (result.ms / 1000).toFixed(1);
  const lines: string[] = [''];
  if (failed.length === 0 && passed === 0) {
    lines.push(style.yellow(`○ Lab ${lab.id} · ${lab.title}: skipped here: ${skipped[0]?.message ?? 'no checks ran'}`));
    return lines.join('\n');
  }
  if (failed.length === 0) {
    const skip = skipped.length ? `, ${skipped.length} skipped` : '';
    lines.push(style.green(`✔ Lab ${lab.id} · ${lab.title}: all ${passed} checks passed${skip} (${seconds} s, seed ${result.seed}).`));
    return lines.join('\n');
  }
  lines.push(style.red(`✖ Lab ${lab.id} · ${lab.title}: ${failed.length} of ${checks.length} checks failed (${seconds} s).`));
  for (const check of failed) {
    lines.push('', style.bold(`✖ ${check.title}`));
    lines.push(indent(check.message ?? 'failed', '  '));
    const d = check.details ?? {};
    if (d.expected !== undefined) lines.push(`    expected: ${typeof d.expected === 'string' ? d.expected : show(d.expected)}`);
    if (d.actual !== undefined) lines.push(`    actual:   ${typeof d.actual === 'string' ? d.actual : show(d.actual)}`);
    if (d.explain) lines.push(indent(d.explain, '  '));
  }
  const allTodo = failed.every((c) => c.todo);
  lines.push('');
  if (allTodo) {
    lines.push(`Start by opening ${shown(result.labFile)}: every ${style.bold('TODO')} marks code to write.`);
  }
  // The newest hint the student asked for (npm run hint), at least the first.
  const shownHints = Math.max(1, Math.min(notes.hintsShown ?? 1, lab.hints.length));
  const more = shownHints < lab.hints.length ? style.dim(` (hint ${shownHints} of ${lab.hints.length}; \`npm run hint ${Number(lab.id)}\` shows the next)`) : '';
  lines.push(`${style.cyan('Hint')}: ${lab.hints[shownHints - 1]}${more}`);
  lines.push(`${style.cyan('Read')}: LAB.md, "${lab.chapter}"`);
  lines.push(`${style.cyan('Reproduce this run')}: ${notes.reproduce ?? labCommand(lab.id, `--seed ${result.seed}`)}`);
  return lines.join('\n');
}

/** ✔ passed, ✖ failed, ○ could not run here. */
export function outcomeMark(outcome: LabOutcome): string {
  return { passed: style.green('✔'), skipped: style.yellow('○'), failed: style.red('✖') }[outcome];
}

/** One line for a finished lab: mark, id, slug, checks passed, time. */
export function formatLabLine(r: LabResult): string {
  const passed = r.checks.filter((c) => c.status === 'passed').length;
  const skipped = r.checks.filter((c) => c.status === 'skipped').length;
  const mark = outcomeMark(labOutcome(r));
  return `${mark} ${r.lab.id} ${r.lab.slug.padEnd(16)} ${String(passed).padStart(2)}/${r.checks.length} checks  ${(r.ms / 1000).toFixed(1).padStart(5)} s${skipped ? style.dim(`  (${skipped} skipped)`) : ''}`;
}

/** One line per lab and a total, after a run of several labs. */
export function formatRunSummary(results: LabResult[], ms: number): string {
  const count = (outcome: LabOutcome) => results.filter((r) => labOutcome(r) === outcome).length;
  const skipped = count('skipped');
  const total = `${count('passed')} of ${results.length} labs passed${skipped ? `, ${skipped} could not run here (○, the reason is above)` : ''} in ${(ms / 1000).toFixed(1)} s`;
  return [...results.map(formatLabLine), anyFailed(results) ? style.red(total) : style.green(total)].join('\n');
}
