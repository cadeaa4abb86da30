/**
 * The lab catalog (lib/catalog.yaml), loaded and checked.
 *
 * Labs are data: the runner derives every path from an entry. Adding a lab:
 * CONTRIBUTING.md, or `npm run new-lab <slug>`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CatalogError, UnknownLabError, UsageError } from './errors.ts';
import { paths } from './paths.ts';

export interface CheckEntry {
  id: string;
  title: string;
  /** Per-call timeout for this check's calls into student code, in seconds. */
  timeout?: number;
  /** A hint for this check alone: shown, instead of the lab's progressive hints, when it is the check that failed. */
  hint?: string;
}

export interface LabEntry {
  id: string;
  slug: string;
  title: string;
  /** The lab's row in README.md's lab table. */
  summary: string;
  chapter: string;
  from: string;
  owns: string[];
  hints: string[];
  checks: CheckEntry[];
  /** Extra lab processes its checks start (ctx.spawn()): the runner keeps that many warm. */
  workers: number;
  /**
   * 'code' (default): the lab file exports functions the checks call in a lab process.
   * 'tests': the lab file is a vitest test file the checks run themselves (lab 12).
   */
  kind: 'code' | 'tests';
  /**
   * Why the lab runs only on a cluster the workbook manages on this machine
   * (it starts its own members, kills them, ...); undefined: it runs anywhere,
   * a shared class cluster included.
   */
  localOnly?: string;
  /**
   * Lab 14: the claims a student marks true or false before the run; the
   * checks show each next to what happened, with `why`.
   */
  predictions: PredictionEntry[];
}

export interface PredictionEntry {
  id: string;
  claim: string;
  why: string;
}

/** labs/01-connect.ts → "01-connect.ts"; a tests lab's file is "12-unit-tests.test.ts". */
export function labFileName(lab: LabEntry): string {
  return `${lab.id}-${lab.slug}${lab.kind === 'tests' ? '.test' : ''}.ts`;
}

export function labPath(lab: LabEntry, folder: string): string {
  return join(folder, labFileName(lab));
}

export function checksModulePath(lab: LabEntry): string {
  return join(paths.root, 'lib', 'checks', `${lab.id}-${lab.slug}.ts`);
}

function fail(problem: string): never {
  throw new CatalogError(problem);
}

export function parseCatalog(text: string): LabEntry[] {
  const data = parse(text) as { labs?: unknown };
  if (!data || !Array.isArray(data.labs)) fail('expected a top-level `labs:` list');
  const seen = new Set<string>();
  return data.labs.map((raw: Record<string, unknown>, index: number) => {
    const where = `labs[${index}]`;
    for (const key of ['id', 'slug', 'title', 'summary', 'chapter', 'from']) {
      if (typeof raw[key] !== 'string' || !raw[key]) fail(`${where}: \`${key}\` must be a non-empty string`);
    }
    const id = raw.id as string;
    if (!/^\d{2}$/.test(id)) fail(`${where}: id "${id}" must be two digits`);
    if (seen.has(id)) fail(`${where}: id ${id} is used twice`);
    seen.add(id);
    if (!/^[a-z0-9-]+$/.test(raw.slug as string)) fail(`lab ${id}: slug must be lowercase words joined by dashes`);
    const hints = raw.hints;
    if (!Array.isArray(hints) || hints.length < 2 || hints.length > 3 || hints.some((h) => typeof h !== 'string')) fail(`lab ${id}: give 2 or 3 hints`);
    const owns = raw.owns;
    if (!Array.isArray(owns) || owns.length === 0 || owns.some((p) => typeof p !== 'string' || !p.startsWith('/'))) {
      fail(`lab ${id}: \`owns\` must list the key prefixes the lab writes, each starting with /`);
    }
    const checks = raw.checks;
    if (!Array.isArray(checks) || checks.length === 0) fail(`lab ${id}: list its checks`);
    const checkIds = new Set<string>();
    for (const c of checks as Record<string, unknown>[]) {
      if (typeof c.id !== 'string' || typeof c.title !== 'string') fail(`lab ${id}: every check needs an id and a title`);
      if (checkIds.has(c.id)) fail(`lab ${id}: check ${c.id} is listed twice`);
      checkIds.add(c.id);
      if (c.timeout !== undefined && (typeof c.timeout !== 'number' || c.timeout <= 0)) fail(`lab ${id}: check ${c.id}: timeout is in seconds, a positive number`);
      if (c.hint !== undefined && (typeof c.hint !== 'string' || !c.hint)) fail(`lab ${id}: check ${c.id}: hint is a sentence`);
    }
    const kind = raw.kind ?? 'code';
    if (kind !== 'code' && kind !== 'tests') fail(`lab ${id}: \`kind\` is "code" (the default) or "tests"`);
    const workers = raw.workers ?? 0;
    if (!Number.isInteger(workers) || (workers as number) < 0 || (workers as number) > 8) fail(`lab ${id}: \`workers\` is how many extra lab processes its checks use at once (0 to 8)`);
    const localOnly = raw['local-only'];
    if (localOnly !== undefined && (typeof localOnly !== 'string' || !localOnly)) fail(`lab ${id}: \`local-only\` says why the lab needs the local cluster`);
    const predictions = raw.predictions ?? [];
    const predictionIds = new Set<string>();
    if (!Array.isArray(predictions)) fail(`lab ${id}: \`predictions\` is a list of { id, claim, why }`);
    for (const p of predictions as Record<string, unknown>[]) {
      if (typeof p.id !== 'string' || !/^[a-z][A-Za-z]+$/.test(p.id) || typeof p.claim !== 'string' || typeof p.why !== 'string') {
        fail(`lab ${id}: every prediction needs a camelCase id, a claim and a why`);
      }
      if (predictionIds.has(p.id)) fail(`lab ${id}: prediction ${p.id} is listed twice`);
      predictionIds.add(p.id);
    }
    return {
      localOnly: localOnly as string | undefined,
      predictions: predictions as PredictionEntry[],
      id,
      slug: raw.slug as string,
      title: raw.title as string,
      summary: raw.summary as string,
      chapter: raw.chapter as string,
      from: raw.from as string,
      owns: owns as string[],
      hints: hints as string[],
      checks: checks as CheckEntry[],
      workers: workers as number,
      kind: kind as 'code' | 'tests',
    };
  });
}

let cached: LabEntry[] | undefined;

export function loadCatalog(file = paths.catalog): LabEntry[] {
  if (file === paths.catalog && cached) return cached;
  const labs = parseCatalog(readFileSync(file, 'utf8'));
  if (file === paths.catalog) cached = labs;
  return labs;
}

/**
 * The labs a command line names, in catalog order: "4", "4-10" (a range),
 * "all", several of those. Unknown names fail like findLab.
 */
export function selectLabs(asked: string[], labs = loadCatalog()): LabEntry[] {
  const chosen = new Set<LabEntry>();
  for (const word of asked) {
    const range = /^(\d+)\s*(?:-|\.\.)\s*(\d+)$/.exec(word.trim());
    if (word.trim().toLowerCase() === 'all') labs.forEach((l) => chosen.add(l));
    else if (range) {
      const [from, to] = [findLab(range[1], labs), findLab(range[2], labs)];
      if (Number(from.id) > Number(to.id)) throw new UsageError(`the range ${word.trim()} is empty: it runs backwards`, `write the lower lab first: ${Number(to.id)}-${Number(from.id)}`);
      labs.filter((l) => Number(l.id) >= Number(from.id) && Number(l.id) <= Number(to.id)).forEach((l) => chosen.add(l));
    } else chosen.add(findLab(word, labs));
  }
  return labs.filter((l) => chosen.has(l));
}

/** Finds a lab by "4", "04", "04-transactions" or "transactions". */
export function findLab(asked: string, labs = loadCatalog()): LabEntry {
  const wanted = asked.trim().toLowerCase();
  const found = labs.find((lab) =>
    lab.id === wanted || (/^\d+$/.test(wanted) && Number(lab.id) === Number(wanted)) || lab.slug === wanted || `${lab.id}-${lab.slug}` === wanted,
  );
  if (!found) throw new UnknownLabError(asked, labs.map((l) => `${Number(l.id)} (${l.slug})`));
  return found;
}
