/**
 * Restoring a lab file to its stub (`npm run reset`). The student's version
 * is never thrown away: it is copied to .workbook/backup/ first.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LabEntry, labFileName, labPath } from '../catalog.ts';
import { CatalogError } from '../errors.ts';
import { paths, shown } from '../paths.ts';
import { markReset } from './progress.ts';

export interface ResetOutcome {
  lab: LabEntry;
  /** 'unchanged': the file already is the stub. */
  status: 'restored' | 'unchanged';
  /** Where the student's version went. */
  backup?: string;
}

/** Whether the lab file differs from its stub (missing counts as different). */
export function isModified(lab: LabEntry, labsDir = paths.labs, stubsDir = paths.stubs): boolean {
  const file = labPath(lab, labsDir);
  return !existsSync(file) || !readFileSync(file).equals(readFileSync(stubFile(lab, stubsDir)));
}

function stubFile(lab: LabEntry, stubsDir: string): string {
  const file = join(stubsDir, labFileName(lab));
  if (!existsSync(file)) throw new CatalogError(`lab ${lab.id} has no pristine stub ${shown(file)}`);
  return file;
}

export function resetLab(lab: LabEntry, options: { labsDir?: string; stubsDir?: string; stateDir?: string; now?: Date } = {}): ResetOutcome {
  const labsDir = options.labsDir ?? paths.labs;
  const stubsDir = options.stubsDir ?? paths.stubs;
  const stateDir = options.stateDir ?? paths.workbookState;
  const file = labPath(lab, labsDir);
  if (!isModified(lab, labsDir, stubsDir)) return { lab, status: 'unchanged' };
  let backup: string | undefined;
  if (existsSync(file)) {
    const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
    const dir = join(stateDir, 'backup');
    mkdirSync(dir, { recursive: true });
    backup = join(dir, `${labFileName(lab).replace(/\.ts$/, '')}.${stamp}.ts`);
    copyFileSync(file, backup);
  }
  mkdirSync(labsDir, { recursive: true });
  copyFileSync(stubFile(lab, stubsDir), file);
  markReset(lab.id, join(stateDir, 'progress.json'), options.now);
  return { lab, status: 'restored', backup };
}
