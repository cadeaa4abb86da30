/**
 * Lab 14's predictions count as first made. The first run that finds every
 * prediction marked records them beside the lab file
 * (`labs/14-partitions.predictions.json`, to commit with the lab); later runs
 * compare, and predictions changed since are named (the check fails until
 * the recorded ones are back). Runs of the reference solution and of the
 * project's fixtures record nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../../paths.ts';

export interface Recorded {
  /** When the first complete predictions were run (ISO time). */
  recorded: string;
  predictions: Record<string, boolean>;
}

export interface Change {
  id: string;
  was: boolean;
  now: boolean;
}

export function predictionsFile(labFile: string): string {
  return labFile.replace(/\.ts$/, '.predictions.json');
}

function recordable(labFile: string): boolean {
  return !labFile.startsWith(paths.solutions + '/') && !labFile.startsWith(join(paths.root, 'test') + '/');
}

function read(file: string): Recorded | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Recorded;
    if (typeof data.recorded === 'string' && data.predictions && typeof data.predictions === 'object') return data;
  } catch {
    // unreadable: as if there were none (recorded again)
  }
  return undefined;
}

/** The predictions that count (the first recorded), and what changed since. */
export function freeze(labFile: string, given: Record<string, boolean>, now = new Date()): { first: Recorded; changes: Change[]; recordedNow: boolean } {
  const file = predictionsFile(labFile);
  const first = existsSync(file) ? read(file) : undefined;
  if (!first) {
    const record: Recorded = { recorded: now.toISOString(), predictions: given };
    if (recordable(labFile)) writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    return { first: record, changes: [], recordedNow: recordable(labFile) };
  }
  const changes = Object.keys(given)
    .filter((id) => typeof first.predictions[id] === 'boolean' && first.predictions[id] !== given[id])
    .map((id) => ({ id, was: first.predictions[id], now: given[id] }));
  return { first, changes, recordedNow: false };
}
