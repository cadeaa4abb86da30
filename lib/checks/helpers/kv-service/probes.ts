/**
 * Lab 16's probes: short scripted sequences, woven into the random traffic,
 * that make each classic mistake of a replicated service show in the history
 * every run instead of when a race happens to go that way. Each uses a key of
 * its own and values no one else writes.
 *
 * - burst: five APPENDs to one key, their writes held back by the kv-writes
 *   adversary until all five are waiting, then let go together. Code that
 *   reads the list and writes it back loses four of them; a 200 that arrives
 *   before its write was let go was answered before the write was committed.
 * - lose: an APPEND whose write is applied but answered with a deadline
 *   error: "not applied" is then a lie, and the client's retry (to the next
 *   member's service) must find the write already there.
 * - retry: an APPEND answered 200 whose answer the client throws away, as
 *   if it was lost on the network, and sends again to another member's
 *   service: it must not be applied twice.
 * - neighbours: each service reads a key, one writes it, the others read it
 *   again: a service that answers from a copy of its own is caught.
 * - crash: an APPEND whose service is killed right after its write is
 *   committed; the retry goes to the next member's service.
 *
 * A busy machine can spoil a probe (an election right then: the service
 * answers "not applied" before its write was even sent). A spoiled probe is
 * played again, on a new key, up to 3 times; what each round wrote stays in
 * the history, where it is judged like everything else.
 */
import { waitFor } from '../time.ts';
import { type Endpoint, type KvClient, type OpOptions, read, write } from './clients.ts';
import type { KvOperation, Recorder } from './recorder.ts';
import type { Service } from './services.ts';

type Mode = 'hold' | 'lose' | 'crash';

const ROUNDS = 3;
/** How long, once every APPEND of a burst is answered, the burst waits for writes still to come (a server that answered first). */
const GRACE_MS = 15_000;

/** Arms markers on one service's client (lib/sandbox/adversaries/kv-writes.ts). */
export async function arm(service: Service, markers: Record<string, Mode>): Promise<void> {
  const armed = await service.probe('kvWrites', [service.client(), 'arm', markers]);
  if (!armed.ok) throw new Error(`could not arm the writes of ${service.member}'s service (${armed.kind})`);
}

/** Forgets markers whose write never came (a probe played again uses new ones). */
async function disarm(services: Service[]): Promise<void> {
  await Promise.all(services.filter((s) => s.alive()).map((s) => s.probe('kvWrites', [s.client(), 'disarm'])));
}

async function writesState(service: Service): Promise<{ held: string[]; met: string[] }> {
  const state = await service.probe<{ held: string[]; met: string[] }>('kvWrites', [service.client(), 'state']);
  return state.ok ? state.value : { held: [], met: [] };
}

async function metEverywhere(services: Service[]): Promise<Set<string>> {
  return new Set((await Promise.all(services.map(writesState))).flatMap((s) => s.met));
}

/** A client of the probes: one operation each, a client_id of its own. */
export function probeClient(runId: string, name: string): KvClient {
  return { name, id: `${runId}-${name}`, home: 0, keys: [], seq: 0, written: 0 };
}

/** Plays `round` (1, 2, …) until it says it was not spoiled, at most ROUNDS times; returns its last result. */
async function rounds<T extends { spoiled: boolean }>(services: Service[], play: (round: number) => Promise<T>): Promise<T & { rounds: number }> {
  for (let round = 1; ; round++) {
    const result = await play(round);
    if (!result.spoiled || round === ROUNDS) return { ...result, rounds: round };
    await disarm(services);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** An APPEND answered 200 before its write had even left the service. */
export interface EarlyAck {
  value: string;
  member: string;
  op: KvOperation;
  /** ms between the 200 and the moment the harness let the write go (Infinity: never let go). */
  earlyByMs: number;
}

export interface BurstResult {
  earlyAcks: EarlyAck[];
  /** Values whose write never carried them as given (stored encoded?): the probe cannot judge those. */
  unseen: string[];
  /** How many writes were held at once. */
  heldTogether: number;
  count: number;
  keys: string[];
  spoiled: boolean;
  rounds: number;
}

/** Five APPENDs to a key, held back until all wait, let go together (see the file's comment). */
export async function burst(rec: Recorder, services: Service[], runId: string, key: string, count = 5): Promise<BurstResult> {
  const keys: string[] = [];
  const result = await rounds(services, async (round) => {
    const k = round === 1 ? key : `${key}-${round}`;
    keys.push(k);
    return burstOnce(rec, services, runId, k, round, count);
  });
  return { ...result, keys };
}

async function burstOnce(rec: Recorder, services: Service[], runId: string, key: string, round: number, count: number): Promise<Omit<BurstResult, 'rounds' | 'keys'>> {
  const values = Array.from({ length: count }, (_, i) => `burst.${round}.${i + 1}`);
  const targets = values.map((_, i) => services[i % services.length]);
  await Promise.all(values.map((v, i) => arm(targets[i], { [v]: 'hold' })));
  const ackedAt = new Map<string, number>();
  const releaseAskedAt = new Map<string, number>();
  let finished = false;
  const ops = Promise.all(values.map((v, i) => write(rec, services, probeClient(runId, `b${round}.${i + 1}`), key, 'APPEND', v, {
    first: i % services.length,
    giveUpMs: 20_000,
    onReply: (reply) => {
      if (reply.kind === 'answer' && reply.status === 200 && !ackedAt.has(v)) ackedAt.set(v, reply.at);
    },
  })));
  void ops.then(() => (finished = true));

  const allHeld = async () => (await Promise.all(services.map(writesState))).flatMap((s) => s.held).filter((m) => values.includes(m));
  let heldTogether = 0;
  await waitFor(async () => {
    heldTogether = (await allHeld()).length;
    return heldTogether === count || finished;
  }, 8000, 100);

  const releaseAll = async () => {
    await Promise.all(services.map(async (s) => {
      const asked = performance.now();
      const released = await s.probe<string[]>('kvWrites', [s.client(), 'release']);
      if (released.ok) for (const m of released.value) if (!releaseAskedAt.has(m)) releaseAskedAt.set(m, asked);
    }));
  };
  // Let go of whatever waits until every APPEND is answered and every write has come and been let go: a write
  // that a 200 came before is sent after it, seconds later on a busy machine.
  let graceUntil: number | undefined;
  for (;;) {
    await releaseAll();
    if (finished) {
      graceUntil ??= performance.now() + GRACE_MS;
      const met = await metEverywhere(services);
      if (values.every((v) => met.has(v) && releaseAskedAt.has(v)) || performance.now() > graceUntil) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await disarm(services);
  const done = await ops;
  const met = await metEverywhere(services);
  const earlyAcks: EarlyAck[] = [];
  values.forEach((v, i) => {
    const acked = ackedAt.get(v);
    const released = releaseAskedAt.get(v);
    if (acked !== undefined && met.has(v) && (released === undefined || released > acked)) {
      earlyAcks.push({ value: v, member: targets[i].member, op: done[i], earlyByMs: released === undefined ? Number.POSITIVE_INFINITY : released - acked });
    }
  });
  rec.event('note', `${heldTogether} of ${count} APPENDs to ${key} held back, then let go together`);
  // Spoiled: fewer than all were held, and an APPEND failed or went unanswered (an election, not the code).
  const spoiled = heldTogether < count && done.some((o) => o.outcome !== 'ok') && earlyAcks.length === 0;
  return { earlyAcks, unseen: values.filter((v) => !met.has(v)), heldTogether, count, spoiled };
}

/** Reads `key` once on every service (one attempt each). */
export function readEverywhere(rec: Recorder, services: readonly Endpoint[], runId: string, key: string, options: OpOptions = {}): Promise<KvOperation[]> {
  return Promise.all(services.map((s, i) => read(rec, services, probeClient(runId, `r-${s.member}`), key, { first: i, attempts: 1, ...options })));
}

/** An APPEND applied, then answered with a deadline error (see the file's comment); then reads everywhere. */
export async function lose(rec: Recorder, services: Service[], runId: string, key: string, at: number): Promise<{ keys: string[]; rounds: number }> {
  const keys: string[] = [];
  const result = await rounds(services, async (round) => {
    const k = round === 1 ? key : `${key}-${round}`;
    keys.push(k);
    const value = `lose.${round}`;
    await arm(services[at], { [value]: 'lose' });
    await write(rec, services, probeClient(runId, `lose${round}`), k, 'APPEND', value, { first: at });
    await readEverywhere(rec, services, runId, k);
    // Spoiled when the write never came (a read before it failed): there was nothing to lose.
    return { spoiled: !(await metEverywhere(services)).has(value) };
  });
  return { keys, rounds: result.rounds };
}

/** An APPEND whose 200 is thrown away and sent again to the next service; then reads everywhere. */
export async function retry(rec: Recorder, services: Service[], runId: string, key: string, at: number): Promise<{ keys: string[]; rounds: number }> {
  const keys: string[] = [];
  const result = await rounds(services, async (round) => {
    const k = round === 1 ? key : `${key}-${round}`;
    keys.push(k);
    const op = await write(rec, services, probeClient(runId, `retry${round}`), k, 'APPEND', `retry.${round}`, { first: at, dropFirstAnswer: true });
    await readEverywhere(rec, services, runId, k);
    return { spoiled: !op.attempts[0]?.reply.startsWith('200') };
  });
  return { keys, rounds: result.rounds };
}

/** Every service reads; one appends; the others read again; another appends; all read. */
export async function neighbours(rec: Recorder, services: Service[], runId: string, key: string): Promise<{ keys: string[]; rounds: number }> {
  const keys: string[] = [];
  const result = await rounds(services, async (round) => {
    const k = round === 1 ? key : `${key}-${round}`;
    keys.push(k);
    const writer = probeClient(runId, `nb${round}`);
    await readEverywhere(rec, services, runId, k);
    const first = await write(rec, services, writer, k, 'APPEND', `nb.${round}.1`, { first: 0, attempts: 1 });
    await readEverywhere(rec, services, runId, k);
    const second = await write(rec, services, writer, k, 'APPEND', `nb.${round}.2`, { first: 1 % services.length, attempts: 1 });
    await readEverywhere(rec, services, runId, k);
    return { spoiled: first.outcome !== 'ok' || second.outcome !== 'ok' };
  });
  return { keys, rounds: result.rounds };
}

/**
 * An APPEND through `services[at]`, whose process is killed right after the
 * write is committed; the client sends it again to the next service. Resolves
 * with whether the crash happened (a write that does not carry its value as
 * given is not recognised), once the service runs again.
 */
export async function crash(rec: Recorder, services: Service[], runId: string, key: string, at: number): Promise<{ keys: string[]; crashed: boolean; rounds: number }> {
  const service = services[at];
  const keys: string[] = [];
  let crashed = false;
  const result = await rounds(services, async (round) => {
    const k = round === 1 ? key : `${key}-${round}`;
    keys.push(k);
    const value = `crash.${round}`;
    await arm(service, { [value]: 'crash' });
    let brokeAt: number | undefined;
    const op = await write(rec, services, probeClient(runId, `crash${round}`), k, 'APPEND', value, {
      first: at,
      giveUpMs: 8000,
      onReply: (reply, target) => {
        if (target.member === service.member && reply.kind !== 'answer') brokeAt ??= reply.at;
      },
    });
    // The process is gone once the kernel says so (a process killed a moment ago may not be reaped yet).
    crashed = brokeAt !== undefined && (await waitFor(() => !service.alive(), 3000)) !== undefined;
    if (crashed) {
      rec.event('kill', `${service.member}'s service died right after its write was committed`, brokeAt);
      service.killed++;
      await service.start();
      rec.event('restart', `${service.member}'s service started again`);
    }
    await readEverywhere(rec, services, runId, k);
    // Spoiled when its first attempt was answered with an error, or not at all: the write did not go through.
    return { spoiled: !crashed && !op.attempts[0]?.reply.startsWith('200') };
  });
  return { keys, crashed, rounds: result.rounds };
}
