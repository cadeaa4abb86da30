/**
 * Files derived from others, never edited by hand (`npm run sync` writes
 * them; a unit test fails when they drift):
 *
 * - lib/stubs/NN-slug.ts: the pristine copy of labs/NN-slug.ts that
 *   `npm run reset` puts back (works without git);
 * - README.md's lab table, between `<!-- labs:start -->` and
 *   `<!-- labs:end -->`: one row per catalog entry, from its `summary`.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LabEntry, labFileName, labPath, loadCatalog } from '../catalog.ts';
import { paths } from '../paths.ts';

const START = '<!-- labs:start -->';
const END = '<!-- labs:end -->';

export function readmeFile(): string {
  return join(paths.root, 'README.md');
}

/** The README's lab table, as the catalog says it. */
export function labTable(labs: LabEntry[] = loadCatalog()): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return ['| Lab | Topic |', '| --- | --- |', ...labs.map((l) => `| ${l.id} | ${cell(l.summary)} |`)].join('\n');
}

/** README.md with its lab table replaced by the catalog's. */
export function readmeWithTable(readme: string, labs: LabEntry[] = loadCatalog()): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} markers around its lab table`);
  return `${readme.slice(0, start + START.length)}\n${labTable(labs)}\n${readme.slice(end)}`;
}

export interface Drift {
  file: string;
  /** What `npm run sync` would do. */
  action: string;
}

/** What is out of date: a stub that differs from its lab file, a README table that differs from the catalog. */
export function drift(labs: LabEntry[] = loadCatalog()): Drift[] {
  const found: Drift[] = [];
  for (const lab of labs) {
    const source = labPath(lab, paths.labs);
    const stub = join(paths.stubs, labFileName(lab));
    if (!existsSync(stub) || !readFileSync(stub).equals(readFileSync(source))) found.push({ file: `lib/stubs/${labFileName(lab)}`, action: `copy labs/${labFileName(lab)}` });
  }
  const readme = readFileSync(readmeFile(), 'utf8');
  if (readmeWithTable(readme, labs) !== readme) found.push({ file: 'README.md', action: 'write the lab table from lib/catalog.yaml' });
  return found;
}

/** Writes every derived file; returns what changed. */
export function sync(labs: LabEntry[] = loadCatalog()): Drift[] {
  const changed = drift(labs);
  for (const lab of labs) {
    const stub = join(paths.stubs, labFileName(lab));
    const source = labPath(lab, paths.labs);
    if (!existsSync(stub) || !readFileSync(stub).equals(readFileSync(source))) copyFileSync(source, stub);
  }
  const readme = readFileSync(readmeFile(), 'utf8');
  const next = readmeWithTable(readme, labs);
  if (next !== readme) writeFileSync(readmeFile(), next);
  return changed;
}
