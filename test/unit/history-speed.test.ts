/**
 * How long 1,500-operation histories take, recorded (printed), not asserted:
 * machines differ and this one is shared. The target is under 1 s for 5
 * clients per key; 10 clients per key is measured too. The verdicts are
 * asserted: the synthetic histories are correct by construction, and a
 * planted bug makes one key fail.
 */
import { expect, test } from 'vitest';
import { checkHistory } from '../../lib/history/checker.ts';
import { listStore } from '../../lib/history/models/list-store.ts';
import { simulateListHistory } from '../../lib/history/simulate.ts';

for (const clientsPerKey of [5, 10]) {
  test(`1,500 operations, 5 keys, ${clientsPerKey} clients per key`, () => {
    const correct = simulateListHistory({ operations: 1500, keys: 5, clientsPerKey, seed: 7 });
    const buggy = simulateListHistory({ operations: 1500, keys: 5, clientsPerKey, seed: 7, bug: 'stale-read' });
    checkHistory({ model: listStore, operations: correct }); // warm-up
    const began = performance.now();
    const ok = checkHistory({ model: listStore, operations: correct });
    const okMs = performance.now() - began;
    const bad = checkHistory({ model: listStore, operations: buggy });
    console.log(`history check, 1,500 ops, ${clientsPerKey} clients/key: correct ${okMs.toFixed(1)} ms, with a stale read ${bad.ms.toFixed(1)} ms`);
    expect(ok.verdict).toBe('linearizable');
    expect(bad.verdict).toBe('not-linearizable');
    expect(bad.parts.filter((p) => p.verdict === 'not-linearizable').map((p) => p.key)).toEqual(['k0']);
  });
}
