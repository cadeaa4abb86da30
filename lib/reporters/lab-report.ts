/**
 * Text for a finished lab run: failures with expected/actual, the hint, and
 * how to reproduce. The first failing check comes first.
 */
import { type LabEntry, labFileName } from '../catalog.ts';
import { shown } from '../paths.ts';
import { style } from '../terminal/style.ts';
import { show } from '../runner/failure.ts';
import { type CheckResult, type LabOutcome, type LabResult, anyFailed, labOutcome } from '../runner/results.ts';

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

/** What the report's footer shows as its hint. */
export type ShownHint =
  /** The lab's progressive hint number `n` (the CLI remembers it as seen). */
  | { kind: 'lab'; n: number }
  /** The hint of the check that failed (catalog `hint` of that check). */
  | { kind: 'check'; check: string }
  /** None: the failure is not about the lab's subject (the file does not load). */
  | { kind: 'none' };

/**
 * The hint that fits a failed run: the failed check's own hint when it has
 * one, else the newest of the lab's hints the student has seen (at least the
 * first); none when the file did not even load.
 */
export function hintFor(result: LabResult, hintsShown = 0): ShownHint {
  const failed = result.checks.filter((c) => c.status === 'failed');
  // Not about the lab's subject: the file does not load, or the cluster went away.
  if (failed.length && failed.every((c) => c.notRun || c.environment || /does not load/.test(c.message ?? ''))) return { kind: 'none' };
  const withHint = failed.find((c) => !c.todo && !c.notRun && result.lab.checks.find((k) => k.id === c.id)?.hint);
  if (withHint) return { kind: 'check', check: withHint.id };
  return { kind: 'lab', n: Math.max(1, Math.min(hintsShown, result.lab.hints.length)) };
}

export interface ReportNotes {
  /** The command that replays this run. */
  reproduce?: string;
  /** What hintFor() chose. */
  hint?: ShownHint;
  /** After a pass: the lab to do next. */
  next?: LabEntry;
}

export function formatLabReport(result: LabResult, notes: ReportNotes = {}): string {
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
    if (notes.next) lines.push(`${style.cyan('Next')}: ${style.bold(labCommand(notes.next.id))}  (labs/${labFileName(notes.next)}; read LAB.md, "${notes.next.chapter}")`);
    return lines.join('\n');
  }
  lines.push(style.red(`✖ Lab ${lab.id} · ${lab.title}: ${failed.length} of ${checks.length} checks failed (${seconds} s).`));
  const notRun = failed.filter((c) => c.notRun);
  for (const check of failed.filter((c) => !c.notRun)) {
    lines.push('', style.bold(`✖ ${check.title}`));
    lines.push(indent(check.message ?? 'failed', '  '));
    const d = check.details ?? {};
    if (d.expected !== undefined) lines.push(`    expected: ${typeof d.expected === 'string' ? d.expected : show(d.expected)}`);
    if (d.actual !== undefined) lines.push(`    actual:   ${typeof d.actual === 'string' ? d.actual : show(d.actual)}`);
    if (d.explain) lines.push(indent(d.explain, '  '));
  }
  if (notRun.length) lines.push('', style.dim(`${notRun.length} more check${notRun.length === 1 ? '' : 's'} did not run: ${notRun.map((c) => c.id).join(', ')}.`));
  lines.push('');
  if (failed.every((c) => c.todo)) lines.push(`Start by opening ${shown(result.labFile)}: every ${style.bold('TODO')} marks code to write.`);
  const hint = notes.hint ?? hintFor(result);
  if (hint.kind === 'check') {
    const check = lab.checks.find((k) => k.id === hint.check)!;
    lines.push(`${style.cyan('Hint')} ${style.dim(`(${check.id})`)}: ${check.hint}`);
  } else if (hint.kind === 'lab') {
    const more = hint.n < lab.hints.length ? style.dim(` (hint ${hint.n} of ${lab.hints.length}; \`npm run hint ${Number(lab.id)}\` shows the next)`) : '';
    lines.push(`${style.cyan('Hint')}: ${lab.hints[hint.n - 1]}${more}`);
  }
  lines.push(`${style.cyan('Read')}: LAB.md, "${lab.chapter}"`);
  lines.push(`${style.cyan('Reproduce this run')}: ${notes.reproduce ?? labCommand(lab.id, `--seed ${result.seed}`)}`);
  return lines.join('\n');
}

/**
 * One line for a check that just ended, where there is no task list (not a
 * terminal, or one of unknown width): each check once, its failure told
 * once in the report after.
 */
export function formatCheckLine(check: CheckResult): string {
  if (check.status === 'passed') return `${style.green('✔')} ${check.title} ${style.dim(`(${(check.ms / 1000).toFixed(1)} s)`)}`;
  if (check.status === 'skipped') return `${style.yellow('○')} ${check.title} ${style.dim(`(skipped: ${check.message})`)}`;
  return `${style.red('✖')} ${check.title}`;
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
