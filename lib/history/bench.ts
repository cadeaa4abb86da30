/**
 * How fast the checker is, on synthetic list-store histories of 1,500
 * operations over 5 keys (simulate.ts): a correct one, and one per planted
 * bug, with 5 and with 10 concurrent clients per key. Target: a correct
 * history with 5 clients per key checks in under 1 s on a 2-core machine.
 *
 * Each case is checked `runs` times after one warm-up; the median is the
 * figure. A buggy history's key is not linearizable by the direct checks,
 * so its search only looks for evidence, for at most EVIDENCE_LIMIT_MS
 * (checker.ts): its time is bounded by that.
 */
import { checkHistory } from './checker.ts';
import { listStore } from './models/list-store.ts';
import type { Verdict } from './result.ts';
import { simulateListHistory, type PlantedBug } from './simulate.ts';

export type BenchCase = {
  name: string;
  operations: number;
  keys: number;
  clientsPerKey: number;
  bug: PlantedBug | 'none';
  verdict: Verdict;
  /** Median check time, ms. */
  ms: number;
  /** Every run's time, ms. */
  runs: number[];
};

export type BenchOptions = { operations?: number; keys?: number; clients?: number[]; bugs?: (PlantedBug | 'none')[]; runs?: number; seed?: number };

export function benchHistoryChecker(options: BenchOptions = {}): BenchCase[] {
  const operations = options.operations ?? 1500;
  const keys = options.keys ?? 5;
  const runs = options.runs ?? 3;
  const cases: BenchCase[] = [];
  for (const clientsPerKey of options.clients ?? [5, 10]) {
    for (const bug of options.bugs ?? ['none', 'stale-read', 'lost-update', 'duplicate-append', 'garbage-read']) {
      const history = simulateListHistory({ operations, keys, clientsPerKey, seed: options.seed ?? 1, bug: bug === 'none' ? undefined : bug });
      let verdict = checkHistory({ model: listStore, operations: history }).verdict;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const began = performance.now();
        verdict = checkHistory({ model: listStore, operations: history }).verdict;
        times.push(performance.now() - began);
      }
      const sorted = [...times].sort((a, b) => a - b);
      cases.push({
        name: `${operations} ops, ${keys} keys, ${clientsPerKey} clients/key, ${bug === 'none' ? 'correct' : bug}`,
        operations,
        keys,
        clientsPerKey,
        bug,
        verdict,
        ms: sorted[Math.floor(sorted.length / 2)],
        runs: times,
      });
    }
  }
  return cases;
}
