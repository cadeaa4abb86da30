/**
 * The linearizability checker for operation histories: the public API.
 *
 *     import { checkHistoryFile, formatSummary } from '../history/index.ts';
 *     const result = await checkHistoryFile('history.json', { reportDir: 'out' });
 *     for (const line of formatSummary(result)) console.log(line);
 *     process.exitCode = result.verdict === 'linearizable' ? 0 : 1;
 *
 * README.md beside this file explains the method, the file format and the
 * models; each file opens with the concept it implements.
 */
export { checkHistoryFile, readHistoryFile, type CheckFileOptions } from './check-file.ts';
export { checkHistory, type CheckOptions } from './checker.ts';
export { formatSummary } from './summary.ts';
export { writeReport } from './report/write.ts';
export { parseHistory, type History } from './history.ts';
export type { HistoryEvent, EventKind, Operation, Outcome } from './operation.ts';
export { HistoryError, HistoryFileMissingError, HistoryJsonError, InvalidHistoryError, UnknownModelError } from './errors.ts';
export type { Model, AnyModel, Part, StepResult } from './model.ts';
export { listStore } from './models/list-store.ts';
export { casRegister } from './models/cas-register.ts';
export { modelNamed, modelNames } from './models/registry.ts';
export type { Anomaly, AnomalyKind } from './anomaly.ts';
export type { CheckResult, PartResult, Evidence, Blocked, JustifiedStep, Verdict } from './result.ts';
export { benchHistoryChecker, type BenchCase, type BenchOptions } from './bench.ts';
