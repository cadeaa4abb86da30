/**
 * Writes the HTML report of a check to a file (its folder is created).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CheckResult } from '../result.ts';
import { renderReport } from './page.ts';

/** Writes the report and returns its absolute path. */
export function writeReport(result: CheckResult, file: string): string {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderReport(result));
  return path;
}
