/**
 * Progress of this checkout: the last result of each lab, in a small state
 * file the student never edits (.workbook/progress.json, gitignored).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LabEntry } from '../catalog.ts';
import { paths } from '../paths.ts';

export interface LabProgress {
  /** 'reset': put back to the stub (npm run reset) and not run since. */
  status: 'passed' | 'failed' | 'reset';
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

/** After a reset: the lab's result no longer says anything about the file; the list says "not run since reset". */
export function markReset(labId: string, file = progressFile(), at = new Date()): void {
  const progress = readProgress(file);
  if (!(labId in progress)) return;
  progress[labId] = { status: 'reset', passed: 0, total: progress[labId].total, at: at.toISOString(), seed: 0 };
  writeFileSync(file, JSON.stringify(progress, null, 2) + '\n');
}

/** The first lab that has not passed yet (undefined when every lab passes). */
export function nextLab(labs: LabEntry[], progress: Progress): LabEntry | undefined {
  return labs.find((l) => progress[l.id]?.status !== 'passed');
}

/**
 * Records a finished run of the student's own lab file. A run where no
 * check could run here (skipped on a class cluster) says nothing about the
 * student's code and is not recorded, nor is one the cluster broke (it went
 * away mid-run). The caller decides whether the run was
 * the student's own (not --solution, --labs-dir or --only).
 */
export function recordRun(result: { lab: LabEntry; checks: { status: string; environment?: boolean }[]; passed: boolean; seed: number }, file = progressFile()): void {
  if (!result.checks.some((c) => c.status !== 'skipped')) return;
  // A run the cluster broke says nothing about the code either: a lab that passed stays passed.
  if (result.checks.some((c) => c.environment)) return;
  recordProgress(result.lab.id, {
    status: result.passed ? 'passed' : 'failed',
    passed: result.checks.filter((c) => c.status === 'passed').length,
    total: result.checks.length,
    at: new Date().toISOString(),
    seed: result.seed,
  }, file);
}
