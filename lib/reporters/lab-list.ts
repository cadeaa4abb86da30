/**
 * The lab list (`npm run lab` with no argument): every lab with its state.
 */
import { type LabEntry, labFileName } from '../catalog.ts';
import { style } from '../terminal/style.ts';
import { type Progress, nextLab } from '../state/progress.ts';
import { labCommand } from './lab-report.ts';

export function formatLabList(labs: LabEntry[], progress: Progress): string {
  const width = Math.max(...labs.map((l) => l.title.length));
  const lines = [style.bold('The etcd lab workbook'), ''];
  for (const lab of labs) {
    const p = progress[lab.id];
    const state = !p
      ? style.dim('· not started')
      : p.status === 'passed'
        ? style.green('✔ passed')
        : p.status === 'reset'
          ? style.dim('· not run since reset')
          : style.red(`✖ failed (${p.passed}/${p.total} checks)`);
    lines.push(`  ${lab.id}  ${lab.title.padEnd(width)}  ${state}`);
  }
  const next = nextLab(labs, progress);
  lines.push('');
  lines.push(next ? `Next: ${style.bold(labCommand(next.id))}   (lab file: labs/${labFileName(next)}, chapter: LAB.md "${next.chapter}")` : style.green('Every lab passes. Well done.'));
  return lines.join('\n');
}
