/**
 * Progressive hints: each `npm run hint N` shows one more of the lab's hints
 * (from lib/catalog.yaml), remembered in .workbook/hints.json; after the last
 * one, the LAB.md chapter is the place to read.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LabEntry } from '../catalog.ts';
import { paths } from '../paths.ts';

export function hintsFile(stateDir = paths.workbookState): string {
  return join(stateDir, 'hints.json');
}

function readShown(file: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

export interface HintStep {
  /** Every hint shown so far, the new one last. */
  hints: string[];
  /** 1-based number of the newest hint; 0 when none was left to show. */
  newest: number;
  total: number;
  /** All hints have been shown now. */
  exhausted: boolean;
}

/** Reveals the next hint of `lab` and remembers it. */
export function nextHint(lab: LabEntry, file = hintsFile()): HintStep {
  const shown = readShown(file);
  const before = Math.min(shown[lab.id] ?? 0, lab.hints.length);
  const now = Math.min(before + 1, lab.hints.length);
  shown[lab.id] = now;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(shown, null, 2) + '\n');
  return { hints: lab.hints.slice(0, now), newest: now > before ? now : 0, total: lab.hints.length, exhausted: now === lab.hints.length };
}

/** The report showed hint `n` of the lab: `npm run hint` then goes on from there, not from hint 1 again. */
export function markHintShown(lab: LabEntry, n: number, file = hintsFile()): void {
  const shown = readShown(file);
  if ((shown[lab.id] ?? 0) >= n) return;
  shown[lab.id] = n;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(shown, null, 2) + '\n');
}

/** How many hints of the lab have been shown (the lab report shows that many, at least one). */
export function hintsShown(lab: LabEntry, file = hintsFile()): number {
  return Math.min(readShown(file)[lab.id] ?? 0, lab.hints.length);
}
