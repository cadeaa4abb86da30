/**
 * Progress of this checkout: the last result of each lab, in a small state
 * file the student never edits (.workbook/progress.json, gitignored).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { paths } from '../paths.ts';

export interface LabProgress {
  status: 'passed' | 'failed';
  passed: number;
  total: number;
  at: string;
  seed: number;
}

export type Progress = Record<string, LabProgress>;

export function progressFile(stateDir = paths.workbookState): string {
  return join(stateDir, 'progress.json');
}

export function readProgress(file = progressFile()): Progress {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Progress;
  } catch {
    return {};
  }
}

export function recordProgress(labId: string, entry: LabProgress, file = progressFile()): void {
  const progress = readProgress(file);
  progress[labId] = entry;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(progress, null, 2) + '\n');
}
