/**
 * Grading: running many labs (and many students) without a task list,
 * collecting results for score tables and report files.
 *
 * The checks, the runner and the catalog always come from this checkout:
 * only the lab files are taken from the folder being graded.
 */
import { type LabEntry, labPath } from '../catalog.ts';
import { LabFileMissingError } from '../errors.ts';
import { labsFolder, shown } from '../paths.ts';
import { type RunLabOptions, runLab } from '../runner/run-lab.ts';
import { type LabResult, anyFailed } from '../runner/results.ts';

/** A lab whose file is not there: every check fails, saying so (a batch goes on). */
function missingFile(lab: LabEntry, folder: string): LabResult {
  const file = labPath(lab, folder);
  return {
    lab,
    labFile: file,
    seed: 0,
    passed: false,
    ms: 0,
    checks: lab.checks.map((c) => ({ id: c.id, title: c.title, status: 'failed', message: `${shown(file)} is missing`, notes: [], ms: 0 })),
  };
}

export interface GradeOptions extends Pick<RunLabOptions, 'endpoints' | 'connection' | 'connectionSource' | 'namespace' | 'cluster' | 'studentConnection' | 'seed' | 'timeoutMs' | 'solution' | 'labsDir' | 'log'> {
  /** Called after each lab, e.g. to print a line. */
  onLab?: (result: LabResult) => void;
}

export interface Grade {
  results: LabResult[];
  /** No lab failed (labs that could not run on this cluster are skipped, not failed). */
  passed: boolean;
  ms: number;
}

export async function gradeLabs(labs: LabEntry[], options: GradeOptions): Promise<Grade> {
  const began = performance.now();
  const results: LabResult[] = [];
  for (const lab of labs) {
    let result: LabResult;
    try {
      result = await runLab(lab.id, { ...options, renderer: 'silent' });
    } catch (error) {
      if (!(error instanceof LabFileMissingError)) throw error;
      result = missingFile(lab, labsFolder(options));
    }
    results.push(result);
    options.onLab?.(result);
  }
  return { results, passed: !anyFailed(results), ms: Math.round(performance.now() - began) };
}
