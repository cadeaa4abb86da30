/**
 * Synthetic list-store histories: clients run against a correct store, with
 * random overlapping timing, and optionally one bug is planted.
 *
 * Per key, `clientsPerKey` clients each issue operations one after another
 * (a client's next call comes after its previous return). Each operation
 * takes effect at a random instant between its call and its return, and the
 * outputs are computed by applying the operations to the model in the order
 * of those instants, so the history is linearizable by construction. Some
 * operations time out (`unknown`: applied or not, at any instant after the
 * call) or are refused (`fail`: not applied).
 *
 * A planted bug breaks one key's history the way a broken service would:
 * a GET answered from an old copy (stale-read), an APPEND applied twice
 * (duplicate-append), an acknowledged APPEND never applied (lost-update), or
 * an element that no one wrote (garbage-read), where the direct checks see
 * it. For benchmarks and tests; the same seed gives the same history.
 */
import { findListAnomalies } from './anomalies.ts';
import type { Operation } from './operation.ts';
import type { ListInput, ListOutput } from './models/list-operations.ts';

export type PlantedBug = 'stale-read' | 'duplicate-append' | 'lost-update' | 'garbage-read';

export type SimulationOptions = {
  operations: number;
  keys: number;
  clientsPerKey: number;
  seed?: number;
  /** Share of operations that time out (outcome unknown). Default 0.01. */
  unknownRate?: number;
  /** Share of writes refused (outcome fail). Default 0.01. */
  failRate?: number;
  /** One bug, planted in the first key, about 70% of the way through. */
  bug?: PlantedBug;
};

type ListOp = Operation<ListInput, ListOutput>;
/** An operation, the instant it takes effect, whether it does; a hidden one is not recorded (a bug's second application). */
type Planned = { op: ListOp; at: number; applied: boolean; hidden?: boolean; frozen?: boolean };

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function simulateListHistory(options: SimulationOptions): ListOp[] {
  const random = randomSource(options.seed ?? 1);
  const unknownRate = options.unknownRate ?? 0.01;
  const failRate = options.failRate ?? 0.01;
  const history: ListOp[] = [];
  let nextId = 1;
  let nextValue = 1;
  const perKey = Math.floor(options.operations / options.keys);

  for (let k = 0; k < options.keys; k++) {
    const key = `k${k}`;
    const count = k === options.keys - 1 ? options.operations - perKey * (options.keys - 1) : perKey;
    const planned: Planned[] = [];
    const clock = Array.from({ length: options.clientsPerKey }, () => random() * 2);
    for (let i = 0; i < count; i++) {
      // The client that is free first issues the next operation.
      const c = clock.indexOf(Math.min(...clock));
      const call = clock[c];
      const duration = 0.5 + random() * 8;
      const roll = random();
      const input: ListInput = roll < 0.45 ? { op: 'GET' } : { op: roll < 0.9 ? 'APPEND' : 'PUT', value: `v${nextValue++}` };
      const client = `c${k}.${c}`;
      const fate = random();
      if (fate < unknownRate) {
        const applied = random() < 0.5;
        planned.push({ op: { id: nextId++, client, key, input, call, outcome: 'unknown' }, at: call + random() * duration * 3, applied });
      } else if (input.op !== 'GET' && fate < unknownRate + failRate) {
        planned.push({ op: { id: nextId++, client, key, input, call, return: call + duration, outcome: 'fail' }, at: call, applied: false });
      } else {
        planned.push({ op: { id: nextId++, client, key, input, call, return: call + duration, outcome: 'ok' }, at: call + random() * duration, applied: true });
      }
      clock[c] = call + duration + random() * 1.5;
    }
    if (k === 0 && options.bug) plant(options.bug, planned, random);
    else run(planned);
    history.push(...planned.filter((p) => !p.hidden).map((p) => p.op));
  }
  return history.sort((a, b) => a.call - b.call);
}

/** Applies the operations in the order of the instants they take effect, filling in the GETs' outputs. */
function run(planned: Planned[]): void {
  let list: string[] = [];
  for (const p of [...planned].sort((a, b) => a.at - b.at)) {
    if (!p.applied) continue;
    const { input } = p.op;
    if (input.op === 'PUT') list = [input.value];
    else if (input.op === 'APPEND') list = [...list, input.value];
    else if (p.op.outcome === 'ok' && !p.frozen) p.op.output = list;
  }
}

/**
 * Plants the bug on the first operation after 70% of the key's history where
 * it shows: where the direct checks (anomalies.ts) find it, so the history is
 * surely not linearizable (a lost append that a PUT wipes before anyone reads
 * is no bug one can see).
 */
function plant(bug: PlantedBug, planned: Planned[], random: () => number): void {
  const targets = planned.slice(Math.floor(planned.length * 0.7)).filter((p) => p.op.outcome === 'ok' && p.op.input.op === (bug === 'lost-update' || bug === 'duplicate-append' ? 'APPEND' : 'GET'));
  for (const target of targets) {
    const undo = breakOne(bug, target, planned, random);
    run(planned);
    const ops = planned.filter((p) => !p.hidden).map((p) => p.op);
    if (findListAnomalies({ key: target.op.key, operations: ops }).length) return;
    undo();
  }
  run(planned);
}

/** Breaks the store at one operation; returns how to undo it. */
function breakOne(bug: PlantedBug, target: Planned, planned: Planned[], random: () => number): () => void {
  switch (bug) {
    case 'lost-update':
      target.applied = false;
      return () => void (target.applied = true);
    case 'duplicate-append': {
      // The retry of a request whose first attempt was applied after all: the same element once more, a little later.
      planned.push({ op: target.op, at: target.at + 2 + random() * 3, applied: true, hidden: true });
      return () => void planned.pop();
    }
    case 'stale-read': {
      // A GET answered from the state of some 40 ms earlier (an old copy).
      const at = target.at;
      target.at -= 40 + random() * 10;
      return () => void (target.at = at);
    }
    case 'garbage-read': {
      run(planned);
      const output = target.op.output;
      target.op.output = [...(output ?? []), `never-written-${target.op.id}`];
      target.frozen = true;
      return () => {
        target.op.output = output;
        target.frozen = false;
      };
    }
  }
}
