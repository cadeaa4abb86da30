/**
 * Checks a history: partition it (per key), find the named anomalies, search
 * each part for a linearization within a time limit, and put what the search
 * found into evidence a person can read (result.ts says what each field is).
 *
 * Operations answered `fail` are dropped before the search (they did not take
 * effect); those whose outcome is `unknown` may be linearized or left out.
 */
import type { Anomaly } from './anomaly.ts';
import { evidence } from './evidence.ts';
import type { AnyModel, Part } from './model.ts';
import type { HistoryEvent, Operation } from './operation.ts';
import { overallVerdict, type CheckResult, type PartResult } from './result.ts';
import { searchLinearization } from './search.ts';

export type CheckOptions = {
  /** Search time per part (key), ms; a part that needs more is `unknown`. Default 10 s. */
  timeLimitMs?: number;
};

export const DEFAULT_TIME_LIMIT_MS = 10_000;
export const EVIDENCE_LIMIT_MS = 500;

export function checkHistory(history: { model: AnyModel; operations: Operation[]; events?: HistoryEvent[] }, options: CheckOptions = {}): CheckResult {
  const began = performance.now();
  const { model } = history;
  const parts = model.partition(history.operations).map((part) => checkPart(model, part, options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS, history.operations));
  return {
    verdict: overallVerdict(parts),
    model,
    parts,
    anomalies: orderAnomalies(parts.flatMap((p) => p.anomalies)),
    events: history.events ?? [],
    ms: performance.now() - began,
  };
}

/**
 * A part with an anomaly is not linearizable whatever the search says in its
 * time (the direct checks are sound); the search then only looks for
 * evidence, for at most `EVIDENCE_LIMIT_MS`.
 */
export function checkPart(model: AnyModel, part: Part, timeLimitMs: number, history: readonly Operation[] = part.operations): PartResult {
  const anomalies = model.anomalies?.(part, history) ?? [];
  // Failed operations did not happen; a read whose outcome is unknown constrains nothing.
  const considered = part.operations.filter((o) => o.outcome === 'ok' || (o.outcome === 'unknown' && !model.readOnly?.(o.input, undefined)));
  const began = performance.now();
  const limit = anomalies.length ? Math.min(timeLimitMs, EVIDENCE_LIMIT_MS) : timeLimitMs;
  const found = searchLinearization(model, considered, began + limit);
  const ms = performance.now() - began;
  const verdict = found.verdict === 'unknown' && anomalies.length ? 'not-linearizable' : found.verdict;
  const base = { key: part.key, verdict, operations: part.operations, anomalies, ms, configurations: found.configurations };
  if (verdict === 'linearizable') return { ...base, linearization: found.order.map((i) => considered[i].id) };
  return { ...base, evidence: evidence(model, considered, found, anomalies[0]) };
}

const kindRank: Record<Anomaly['kind'], number> = {
  'duplicate-append': 0,
  'garbage-read': 1,
  'failed-but-applied': 2,
  'lost-update': 3,
  'stale-read': 4,
};

/** The most telling first (an element applied twice, a value never written), then by time. */
function orderAnomalies(anomalies: Anomaly[]): Anomaly[] {
  return anomalies.sort((a, b) => kindRank[a.kind] - kindRank[b.kind] || a.at - b.at);
}
