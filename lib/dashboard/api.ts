/**
 * The dashboard's JSON API: each route checks what it was given, calls the
 * operations core, and answers with the core's typed result and the
 * console's message for it. A request that makes no sense is an HttpError
 * (a 4xx with a message); what the cluster did, a refusal included, is a 200
 * whose `ok` says how it went.
 *
 *   GET  /api/info                              the cluster: kind, members, namespace
 *   GET  /api/status                            every member, and whether they agree
 *   GET  /api/keys?prefix=&via=&limit=          list, in byte order
 *   GET  /api/key?key=&via=&serializable=1      get
 *   POST /api/put     {"key", "value", "via"?}
 *   POST /api/delete  {"key", "via"?}
 *   POST /api/fault   {"kind": "kill", "member": "n1"} · {"kind": "partition", "groups": [["n1","n2"],["n3"]]} · {"kind": "heal"}
 *   GET  /api/events?key=a&key=b                server-sent events (server.ts)
 */
import { agreementOf } from '../reporters/member-tables.ts';
import { CommandError } from '../playground/commands.ts';
import { type Message, faultMessage, faultTitle, keyMessage } from '../playground/messages.ts';
import type { ClusterOperations, FaultRequest, KeyOutcome } from '../playground/operations.ts';
import type { Monitor } from './monitor.ts';

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Longest key and value the page may send (etcd's own limit on a request is 1.5 MiB). */
const MAX_KEY = 4096;
const MAX_LIST = 1000;

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Parsed JSON of a POST. */
  body?: unknown;
}

export interface Info {
  kind: ClusterOperations['kind'];
  members: string[];
  namespace: string;
  faults: boolean;
  intervalMs: number;
  historyMs: number;
}

type Route = (request: ApiRequest) => Promise<unknown> | unknown;

export class Api {
  private readonly routes: Record<string, Route>;

  constructor(private readonly ops: ClusterOperations, private readonly monitor: Monitor, private readonly info: Info) {
    this.routes = {
      'GET /api/info': () => this.info,
      'GET /api/status': async () => {
        const members = await this.ops.status();
        return { members, agreement: agreementOf(members) };
      },
      'GET /api/keys': async ({ query }) => {
        const limit = query.has('limit') ? Number(query.get('limit')) : 200;
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_LIST}`);
        return answer(await this.ops.list(query.get('prefix') ?? '', { via: this.via(query.get('via')), limit }));
      },
      'GET /api/key': async ({ query }) => answer(await this.ops.get(key(query.get('key')), { via: this.via(query.get('via')), serializable: flag(query.get('serializable')) })),
      'POST /api/put': async ({ body }) => {
        const b = object(body);
        const k = key(b.key);
        if (typeof b.value !== 'string') throw new HttpError(400, 'value must be a string ("" is a value too)');
        return this.write(`put ${k} = ${JSON.stringify(b.value)}`, await this.ops.put(k, b.value, { via: this.via(b.via) }));
      },
      'POST /api/delete': async ({ body }) => {
        const b = object(body);
        const k = key(b.key);
        return this.write(`delete ${k}`, await this.ops.delete(k, { via: this.via(b.via) }));
      },
      'POST /api/fault': async ({ body }) => this.fault(faultRequest(body)),
    };
  }

  /** The route's answer, or an HttpError: 404 for no such path, 405 for a method it does not take. */
  async handle(request: ApiRequest): Promise<unknown> {
    const route = this.routes[`${request.method} ${request.path}`];
    if (route) {
      try {
        return await route(request);
      } catch (error) {
        if (error instanceof CommandError) throw new HttpError(400, error.message);
        throw error;
      }
    }
    const methods = Object.keys(this.routes).filter((r) => r.endsWith(` ${request.path}`)).map((r) => r.split(' ')[0]);
    if (methods.length) throw new HttpError(405, `${request.path} takes ${methods.join(', ')}, not ${request.method}`);
    throw new HttpError(404, `no such API: ${request.path}`);
  }

  /** A known member, or none ('' and null mean any member). */
  private via(value: unknown): string | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' || !this.ops.memberNames.includes(value)) throw new HttpError(400, `there is no member ${JSON.stringify(value)} (members: ${this.ops.memberNames.join(', ')})`);
    return value;
  }

  private write(title: string, outcome: KeyOutcome): unknown {
    const result = answer(outcome);
    this.monitor.record({ kind: 'write', title, ok: result.ok, text: result.text, aside: result.aside });
    this.monitor.poke();
    return result;
  }

  private async fault(request: FaultRequest): Promise<unknown> {
    if (!this.ops.hasFaults) throw new HttpError(403, 'this dashboard has no fault controls: they need members of its own (npm run dashboard -- --faults)');
    const outcome = await this.ops.fault(request);
    const message = faultMessage(outcome);
    this.monitor.record({ kind: 'fault', title: faultTitle(request), ok: message.ok, text: message.text });
    this.monitor.poke();
    return { ...message, outcome };
  }
}

/** The console's message beside the typed outcome. */
function answer(outcome: KeyOutcome): Message & { outcome: KeyOutcome } {
  return { ...keyMessage(outcome), outcome };
}

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

function key(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new HttpError(400, 'key must be a non-empty string');
  if (Buffer.byteLength(value) > MAX_KEY) throw new HttpError(400, `key is longer than ${MAX_KEY} bytes`);
  return value;
}

function flag(value: string | null): boolean {
  return value === '1' || value === 'true';
}

const MEMBER_ACTIONS = ['kill', 'restart', 'pause', 'resume', 'isolate'] as const;

/** {"kind", "member"} or {"kind": "partition", "groups"} or {"kind": "heal"}: the console's FaultRequest. */
function faultRequest(body: unknown): FaultRequest {
  const b = object(body);
  const kind = b.kind;
  if (kind === 'heal') return { kind };
  if (kind === 'partition') {
    const groups = b.groups;
    if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g) && g.every((m) => typeof m === 'string'))) {
      throw new HttpError(400, 'groups must be lists of member names: {"kind": "partition", "groups": [["n1", "n2"], ["n3"]]}');
    }
    return { kind, groups: groups as string[][] };
  }
  if (typeof kind === 'string' && (MEMBER_ACTIONS as readonly string[]).includes(kind)) {
    if (typeof b.member !== 'string') throw new HttpError(400, `${kind} needs a member: {"kind": "${kind}", "member": "n1"}`);
    return { kind: kind as (typeof MEMBER_ACTIONS)[number], member: b.member };
  }
  throw new HttpError(400, `kind must be one of ${[...MEMBER_ACTIONS, 'partition', 'heal'].join(', ')}`);
}
