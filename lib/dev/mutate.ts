/**
 * Mutation testing of a lab's checks (`npm run mutate`, maintainers).
 *
 * StrykerJS mutates the lab's reference solution (solutions/NN-slug.ts) one
 * small change at a time (a condition inverted, a string emptied, an `await`
 * removed …) and runs the lab's own checks on each mutant
 * (`npm run lab NN -- --solution`, its exit code the verdict). A mutant the
 * checks let pass "survived": either the checks are blind there, or the
 * change does not alter behaviour (an equivalent mutant). Each survivor must
 * be killed by a better check or listed under `equivalent:` in the lab's
 * contract (lib/checks/contracts/NN-slug.yaml) with the reason:
 *
 * ```yaml
 * equivalent:
 *   - mutator: StringLiteral
 *     original: "'lab'"
 *     replacement: '""'
 *     why: the label only names the client in logs
 * ```
 *
 * The mutated file is written in place (Stryker's --inPlace: the lab runner
 * needs this checkout's cluster and paths) and restored at the end; each
 * Stryker worker runs in a namespace of its own. The mutant reaches the lab
 * process through Stryker's __STRYKER_ACTIVE_MUTANT__ variable, which the lab
 * process inherits.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LabEntry, labFileName } from '../catalog.ts';
import { contractFile } from '../checks/contract.ts';
import { UsageError } from '../errors.ts';
import { paths, shown } from '../paths.ts';
import { parse } from 'yaml';

export interface MutateOptions {
  /** Stryker workers (lab runs side by side). Labs that start clusters of their own want 1. */
  concurrency?: number;
  /** Only mutants on these lines of the solution ("12-20"). */
  lines?: string;
}

export interface Equivalent {
  mutator: string;
  original: string;
  replacement: string;
  why: string;
}

export interface MutantOutcome {
  id: string;
  mutator: string;
  status: string;
  line: number;
  original: string;
  replacement: string;
  /** Listed as equivalent in the contract (with its reason). */
  equivalent?: string;
}

export interface MutationScore {
  lab: LabEntry;
  mutants: MutantOutcome[];
  killed: number;
  survived: MutantOutcome[];
  /** Survivors the contract explains as equivalent. */
  explained: MutantOutcome[];
  /** Killed / (all - equivalent), in percent. */
  score: number;
  reportHtml: string;
}

export function reportDir(): string {
  return join(paths.root, 'reports', 'mutation');
}

function equivalents(lab: LabEntry): Equivalent[] {
  const data = (parse(readFileSync(contractFile(lab), 'utf8')) ?? {}) as { equivalent?: Equivalent[] };
  return data.equivalent ?? [];
}

/** The Stryker configuration for one lab (a plain object: written as JSON next to the report). */
export function strykerConfig(lab: LabEntry, options: MutateOptions = {}) {
  const solution = `solutions/${labFileName(lab)}`;
  const concurrency = options.concurrency ?? (lab.localOnly ? 1 : 2);
  return {
    mutate: [options.lines ? `${solution}:${options.lines}` : solution],
    testRunner: 'command',
    commandRunner: {
      // Each Stryker worker in a namespace of its own: two runs in one namespace refuse to run at once.
      command: `node --import tsx lib/cli/lab.ts ${Number(lab.id)} --solution --namespace /mutate-$STRYKER_MUTATOR_WORKER/`,
    },
    inPlace: true,
    concurrency,
    coverageAnalysis: 'off',
    // Nothing type-checks a run (tsx and esbuild only strip types), so nothing needs disabling: and with
    // inPlace, Stryker would otherwise rewrite (and later restore) every file of lib/ and test/.
    disableTypeChecks: false,
    checkers: [],
    // A mutant that makes the lab hang: the runner's per-call timeouts end it, give it room.
    timeoutMS: 120_000,
    timeoutFactor: 2,
    reporters: ['json', 'html', 'progress'],
    jsonReporter: { fileName: `reports/mutation/${lab.id}-${lab.slug}.json` },
    htmlReporter: { fileName: `reports/mutation/${lab.id}-${lab.slug}.html` },
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    plugins: [],
  };
}

/**
 * One mutation run at a time in a checkout: Stryker writes the mutated
 * solution in place, and two runs would restore each other's files. Returns
 * the release, or throws when another run holds the lock.
 */
export function lockMutation(): () => void {
  mkdirSync(reportDir(), { recursive: true });
  const lock = join(reportDir(), 'running.lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      // a run that died: take over
    }
    if (alive) throw new UsageError(`another npm run mutate (pid ${pid}) is running in this checkout: it writes solutions in place`, 'wait for it to finish; one mutation run at a time');
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

export function writeStrykerConfig(lab: LabEntry, options: MutateOptions = {}): string {
  mkdirSync(reportDir(), { recursive: true });
  const file = join(reportDir(), `${lab.id}-${lab.slug}.stryker.json`);
  writeFileSync(file, JSON.stringify(strykerConfig(lab, options), null, 2) + '\n');
  return file;
}

interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

/** The code a mutant replaced, from its location (1-based lines, 1-based columns in Stryker's report). */
function originalText(source: string, m: ReportMutant): string {
  const lines = source.split('\n');
  const { start, end } = m.location;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  return [lines[start.line - 1].slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1].slice(0, end.column - 1)].join('\n');
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Reads Stryker's JSON report of a lab and weighs its survivors against the contract's equivalents. */
export function readScore(lab: LabEntry): MutationScore {
  const file = join(reportDir(), `${lab.id}-${lab.slug}.json`);
  if (!existsSync(file)) throw new Error(`${shown(file)} is missing: run npm run mutate -- ${Number(lab.id)} first`);
  const report = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, { source: string; mutants: ReportMutant[] }> };
  const known = equivalents(lab);
  const mutants: MutantOutcome[] = Object.values(report.files).flatMap(({ source, mutants }) => mutants.map((m) => {
    const original = originalText(source, m);
    const replacement = m.replacement ?? '';
    const match = known.find((e) => e.mutator === m.mutatorName && squash(e.original) === squash(original) && squash(e.replacement) === squash(replacement));
    return { id: m.id, mutator: m.mutatorName, status: m.status, line: m.location.start.line, original, replacement, equivalent: match?.why };
  }));
  const killed = mutants.filter((m) => m.status === 'Killed' || m.status === 'Timeout').length;
  const alive = mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage');
  const explained = alive.filter((m) => m.equivalent !== undefined);
  const survived = alive.filter((m) => m.equivalent === undefined);
  const counted = mutants.filter((m) => m.status !== 'CompileError' && m.status !== 'RuntimeError' && m.status !== 'Ignored').length - explained.length;
  return { lab, mutants, killed, survived, explained, score: counted ? Math.round((killed / counted) * 1000) / 10 : 100, reportHtml: join(reportDir(), `${lab.id}-${lab.slug}.html`) };
}
