/**
 * Lab 16's clients: logical operations (a PUT, an APPEND, a GET) sent over
 * HTTP to the members' services, with the retries a careful client makes,
 * recorded as one operation each in the phase's history.
 *
 * A write carries the client's `client_id` and a `seq` of its own; when an
 * attempt gets no answer it may or may not have been applied, so the client
 * sends the same pair to the next member's service. Its outcome:
 *
 * - ok: an attempt was answered 200 (it took effect once, between the first
 *   call and that answer);
 * - fail: definitely not applied: answered "not applied" (503 with
 *   `applied: false`, or a 4xx), after attempts that were all refused (no
 *   server listened, so nothing was received). A client believes that answer
 *   and does not retry;
 * - unknown: no attempt was answered 200, and one at least may have been
 *   received (a timeout, a broken connection, any other answer).
 *
 * A GET is retried elsewhere when it fails; its call and return are those of
 * the attempt that answered (a GET changes nothing, so the attempts before
 * it do not matter), and a GET no service answered is unknown (the checker
 * drops it).
 */
import type { Random } from '../../../runner/random.ts';
import { type Reply, send } from './http.ts';
import type { Attempt, KvOperation, Recorder } from './recorder.ts';

/** Where a request goes: a member's service, by its port. */
export interface Endpoint {
  member: string;
  port: number;
}

export interface KvClient {
  /** The name in the history and the report: c1, c2, … */
  name: string;
  /** The client_id it sends: unique in the run. */
  id: string;
  /** Index of the service it sends to first. */
  home: number;
  keys: string[];
  seq: number;
  /** Elements written so far (values are `<name>.<n>`). */
  written: number;
}

/** A client stops waiting for an attempt after this, and tries the next service. */
export const GIVE_UP_MS = 4000;
/** A request with no answer at all after this hangs (the stub promises an answer within 10 s). */
export const HANG_MS = 10_000;

export interface OpOptions {
  /** Service index of the first attempt (default: the client's home). */
  first?: number;
  attempts?: number;
  giveUpMs?: number;
  /** The first attempt's answer is thrown away, as if lost on the network: the client must send again. */
  dropFirstAnswer?: boolean;
  /** Called with each reply as it comes (probes look at them). */
  onReply?: (reply: Reply, service: Endpoint) => void;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A definite "not applied": 503 with applied: false, or a 4xx refusal (a bad request changes nothing). */
function definite(reply: Reply): boolean {
  if (reply.kind !== 'answer') return false;
  if (reply.status >= 400 && reply.status < 500) return true;
  const json = reply.json as { applied?: unknown } | undefined;
  return reply.status === 503 && json?.applied === false;
}

/** A PUT (of a one-element list) or an APPEND of `value`, as a logical operation with retries. */
export async function write(rec: Recorder, services: readonly Endpoint[], client: KvClient, key: string, type: 'PUT' | 'APPEND', value: string, options: OpOptions = {}): Promise<KvOperation> {
  const seq = ++client.seq;
  const body = { type, value: type === 'PUT' ? [value] : value, client_id: client.id, seq };
  const request = `POST /keys/${key} ${JSON.stringify({ type, value: body.value })}`;
  const attempts: Attempt[] = [];
  const call = rec.time();
  const op: KvOperation = rec.add({ id: rec.id(), client: client.name, key, input: { op: type, value }, call, outcome: 'unknown', attempts });
  let received = false;
  const count = options.attempts ?? 3;
  for (let k = 0; k < count; k++) {
    const service = services[((options.first ?? client.home) + k) % services.length];
    const sent = send(service.port, 'POST', `/keys/${key}`, { body, giveUpMs: options.giveUpMs ?? GIVE_UP_MS, hangMs: HANG_MS });
    rec.track(sent, request, service.member);
    const reply = await sent.reply;
    options.onReply?.(reply, service);
    attempts.push(rec.attempt(service.member, reply));
    if (options.dropFirstAnswer && k === 0 && reply.kind === 'answer') {
      attempts[0].reply += ' (thrown away: as if lost on the network)';
      received = true;
      continue;
    }
    if (reply.kind === 'refused') continue;
    if (reply.kind === 'answer' && reply.status === 200) {
      Object.assign(op, { outcome: 'ok', return: rec.time(reply.at), via: service.member });
      return op;
    }
    if (definite(reply)) {
      if (reply.kind === 'answer' && reply.status !== 503) {
        rec.problem({ request, service: service.member, reply: attempts.at(-1)!.reply, expected: '200, or 503/504 when etcd could not be reached: the request is valid' });
      }
      // Believed, not retried: "not applied" is final. Unless an earlier attempt may have been applied.
      if (!received) Object.assign(op, { outcome: 'fail', return: rec.time(reply.at), via: service.member });
      return op;
    }
    received = true;
    await pause(20);
  }
  if (!received) {
    const last = attempts.at(-1);
    Object.assign(op, { outcome: 'fail', return: last ? last.at : call });
  }
  return op;
}

/** A GET, retried on the next services until one answers a list. */
export async function read(rec: Recorder, services: readonly Endpoint[], client: KvClient, key: string, options: OpOptions = {}): Promise<KvOperation> {
  const attempts: Attempt[] = [];
  const request = `GET /keys/${key}`;
  const op: KvOperation = rec.add({ id: rec.id(), client: client.name, key, input: { op: 'GET' }, call: rec.time(), outcome: 'unknown', attempts });
  const count = options.attempts ?? 3;
  for (let k = 0; k < count; k++) {
    const service = services[((options.first ?? client.home) + k) % services.length];
    const sent = send(service.port, 'GET', `/keys/${key}`, { giveUpMs: options.giveUpMs ?? GIVE_UP_MS, hangMs: HANG_MS });
    rec.track(sent, request, service.member);
    const reply = await sent.reply;
    options.onReply?.(reply, service);
    attempts.push(rec.attempt(service.member, reply));
    if (reply.kind === 'answer' && reply.status === 200) {
      const value = (reply.json as { value?: unknown } | undefined)?.value;
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        // The attempt that answered is the read: its own call and return.
        Object.assign(op, { outcome: 'ok', call: rec.time(reply.sentAt), return: rec.time(reply.at), output: value, via: service.member });
        return op;
      }
      rec.problem({ request, service: service.member, reply: attempts.at(-1)!.reply, expected: '200 {"value": [...]}, a list of strings' });
    }
    await pause(20);
  }
  return op;
}

export interface Workload {
  clients: KvClient[];
  /** Resolves when every client has finished its last operation. */
  done: Promise<void>;
  stop(): void;
}

/**
 * The clients' random traffic until `stop()`: each client, one operation at
 * a time, picks one of its keys and a GET (45%), an APPEND (45%) or a PUT
 * (10%) of a value of its own.
 */
export function runWorkload(rec: Recorder, services: readonly Endpoint[], clients: KvClient[], rng: Random, options: { maxOps?: number } = {}): Workload {
  let stopped = false;
  const loops = clients.map(async (client) => {
    for (let n = 0; !stopped && n < (options.maxOps ?? 200); n++) {
      const key = rng.pick(client.keys);
      const roll = rng.next();
      if (roll < 0.45) await read(rec, services, client, key);
      else await write(rec, services, client, key, roll < 0.9 ? 'APPEND' : 'PUT', `${client.name}.${++client.written}`);
      await pause(rng.int(10, 60));
    }
  });
  return { clients, done: Promise.all(loops).then(() => undefined), stop: () => void (stopped = true) };
}

/**
 * `count` clients named from `first` (c1, c2, …), about two per service, each
 * on two neighbouring keys of `keys`, so that no key has more than 4 clients.
 */
export function makeClients(runId: string, keys: string[], serviceCount: number, count: number, first = 1): KvClient[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `c${first + i}`;
    return { name, id: `${runId}-${name}`, home: i % serviceCount, keys: [keys[i % keys.length], keys[(i + 1) % keys.length]], seq: 0, written: 0 };
  });
}
