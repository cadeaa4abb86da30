/**
 * A lab's contract, clause by clause (lib/checks/contracts/NN-slug.yaml).
 *
 * A clause is one thing the stub's doc comments or the LAB.md chapter ask of
 * the student's code: an input case, an error, an ordering, a time limit, a
 * "must not". It quotes the text word for word, names the checks that enforce
 * it, and the wrong implementations (test/fixtures/wrong/NN/<variant>/) that
 * prove those checks catch it. The tests hold the three together: a quote
 * that is no longer in the text, a clause no check enforces or no wrong
 * implementation proves, a stub sentence no clause covers, all fail.
 *
 * ```yaml
 * clauses:
 *   - id: one-commit
 *     from: stub                  # or LAB.md (the lab's chapter)
 *     quote: "Registers every user (/logged_users/<name> = hostname) in ONE transaction"
 *     checks: [atomic-commit]
 * prose:                          # stub sentences that explain and ask nothing
 *   - "Lab 03's registerUsers() sends one request per user"
 * wrong:
 *   - variant: txn-per-user
 *     breaks: [one-commit]
 *     fails:                      # the check that must fail, and what its message says (a regular expression)
 *       atomic-commit: 'written by \d+ separate commits'
 *     timeout: 7                  # optional: seconds per call (--timeout)
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type LabEntry, labFileName } from '../catalog.ts';
import { CatalogError } from '../errors.ts';
import { paths, shown } from '../paths.ts';

export interface Clause {
  id: string;
  from: 'stub' | 'LAB.md';
  quote: string;
  checks: string[];
}

export interface WrongImplementation {
  variant: string;
  breaks: string[];
  /** Check id → what its message (or expected/actual/explanation) must match. */
  fails: Record<string, RegExp>;
  /** Per-call timeout, ms (the run's --timeout). */
  timeoutMs?: number;
}

export interface Contract {
  lab: LabEntry;
  clauses: Clause[];
  prose: string[];
  wrong: WrongImplementation[];
}

export function contractFile(lab: LabEntry): string {
  return join(paths.root, 'lib', 'checks', 'contracts', `${lab.id}-${lab.slug}.yaml`);
}

export function wrongFolder(lab: LabEntry, variant: string): string {
  return join(paths.root, 'test', 'fixtures', 'wrong', lab.id, variant);
}

function list(value: unknown, what: string, file: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new CatalogError(`${shown(file)}: ${what} must be a list of strings`);
  return value as string[];
}

export function loadContract(lab: LabEntry): Contract {
  const file = contractFile(lab);
  if (!existsSync(file)) throw new CatalogError(`lab ${lab.id} has no contract: ${shown(file)} is missing`);
  const data = (parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  const at = (where: string) => `${shown(file)}: ${where}`;
  const clauses = ((data.clauses ?? []) as Record<string, unknown>[]).map((c, i): Clause => {
    if (typeof c.id !== 'string' || typeof c.quote !== 'string' || (c.from !== 'stub' && c.from !== 'LAB.md')) {
      throw new CatalogError(at(`clauses[${i}] needs an id, a quote and from: stub | LAB.md`));
    }
    return { id: c.id, from: c.from, quote: c.quote, checks: list(c.checks, `clause ${c.id}: checks`, file) };
  });
  const wrong = ((data.wrong ?? []) as Record<string, unknown>[]).map((w, i): WrongImplementation => {
    if (typeof w.variant !== 'string' || typeof w.fails !== 'object' || w.fails === null) throw new CatalogError(at(`wrong[${i}] needs a variant and fails`));
    const fails = Object.fromEntries(Object.entries(w.fails as Record<string, unknown>).map(([check, pattern]) => {
      if (typeof pattern !== 'string') throw new CatalogError(at(`wrong ${w.variant}: fails.${check} must be a regular expression in a string`));
      return [check, new RegExp(pattern)];
    }));
    const timeout = w.timeout;
    if (timeout !== undefined && (typeof timeout !== 'number' || timeout <= 0)) throw new CatalogError(at(`wrong ${w.variant}: timeout is in seconds`));
    return { variant: w.variant, breaks: list(w.breaks, `wrong ${w.variant}: breaks`, file), fails, timeoutMs: timeout === undefined ? undefined : (timeout as number) * 1000 };
  });
  return { lab, clauses, prose: list(data.prose ?? [], 'prose', file), wrong };
}

/** Text as the contract compares it: comment markers gone, whitespace collapsed. */
export function normalise(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*(\/\*\*|\*\/|\*|\/\/)\s?/, '').replace(/\*\/\s*$/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The doc comments of the stub's exports: the sentences a student reads as the contract (normalised, one per comment). */
export function stubDocComments(lab: LabEntry): string[] {
  const text = readFileSync(join(paths.stubs, labFileName(lab)), 'utf8');
  // The file's header comment (lab title, how to run) is prose; what follows it is the contract.
  const body = text.slice(text.indexOf('*/') + 2);
  return [...body.matchAll(/\/\*\*([\s\S]*?)\*\//g)].map((m) => normalise(m[1]));
}

/** The lab's chapter of LAB.md, normalised. */
export function chapterText(lab: LabEntry): string {
  const guide = readFileSync(paths.labGuide, 'utf8');
  const start = guide.indexOf(`## ${lab.chapter}`);
  if (start < 0) throw new CatalogError(`LAB.md has no chapter "## ${lab.chapter}"`);
  const end = guide.indexOf('\n## ', start + 3);
  return normalise(guide.slice(start, end < 0 ? undefined : end));
}

/**
 * Stretches of the stub's doc comments that no clause quotes and no prose
 * entry names: a sentence a student reads as the contract and nothing checks.
 * Returns them with at least `minWords` words (shorter leftovers are glue).
 */
export function uncoveredStubText(contract: Contract, minWords = 3): string[] {
  const quotes = [...contract.clauses.filter((c) => c.from === 'stub').map((c) => normalise(c.quote)), ...contract.prose.map(normalise)];
  const gaps: string[] = [];
  for (const comment of stubDocComments(contract.lab)) {
    const covered = new Array<boolean>(comment.length).fill(false);
    for (const quote of quotes) {
      for (let at = comment.indexOf(quote); at >= 0; at = comment.indexOf(quote, at + 1)) covered.fill(true, at, at + quote.length);
    }
    let gap = '';
    for (let i = 0; i <= comment.length; i++) {
      if (i < comment.length && !covered[i]) gap += comment[i];
      else {
        if (gap.trim().split(/\s+/).filter((w) => /\w/.test(w)).length >= minWords) gaps.push(gap.trim());
        gap = '';
      }
    }
  }
  return gaps;
}
