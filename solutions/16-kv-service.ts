/**
 * Lab 16 · Key/value service
 *
 * Run the checks:   npm run lab 16
 * Try it by hand:   npm run lab 16 -- --serve    (then the curl commands it prints)
 * Read first:       LAB.md, "Lab 16 · Key/value service"
 *
 * Reference solution. etcd is the replicated log: a write is one transaction
 * that changes the list and records the request, or does nothing, so a
 * retry that reaches another member's server finds the record and is not
 * applied twice. Reads are etcd's linearizable reads.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { Etcd3 } from '../lib/kit.ts';

/** What serveKv() resolves to. */
export interface KvServer {
  /** Stops the server and resolves once it no longer listens; nothing of it is left running. */
  close(): Promise<void>;
}

/** What serveKv() is told about where it runs. */
export interface ServeOptions {
  /** The port to listen on, on 127.0.0.1. */
  port: number;
  /** The name of the member `client` talks to (e.g. "n2"), for /admin/status. */
  name: string;
}

const LISTS = '/lab16/lists/';
const REQUESTS = '/lab16/requests/';
const KEY = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_BODY = 1 << 20;

/** A request the server refuses before doing anything: 400 with this message. */
class BadRequest extends Error {}

/** A write as the body describes it, checked. */
interface Write {
  type: 'PUT' | 'APPEND';
  value: string[] | string;
  request?: { clientId: string; seq: number };
}

/** The outcome of a write that did not go through: `definite` when nothing was applied for sure. */
class WriteFailed extends Error {
  constructor(readonly definite: boolean, cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/**
 * Serves the key/value API over HTTP on `options.port`, in front of ONE etcd
 * member: `client` talks to that member only, and each of its calls gives up
 * after 3 s (one attempt, no retries). Resolves once the server listens.
 * Keep every key you write under /lab16/.
 *
 * `POST /keys/{key}` with a JSON body changes the list stored at `key`:
 * `{"type": "PUT", "value": ["cat", "dog"]}` replaces the list with the
 * given one; `{"type": "APPEND", "value": "mouse"}` adds one element at its
 * end (a missing key is an empty list). Two APPENDs to one key at the same
 * time both land, whichever members' servers they reach. Answer 200
 * `{"applied": true}` only once the write is committed.
 *
 * A write may carry `"client_id"` (a string) and `"seq"` (a whole number):
 * a client sends the same pair again when it got no answer, maybe to another
 * member's server. A write whose pair was applied before is not applied
 * again: answer 200, as the first time.
 *
 * When a write certainly was not applied, answer 503
 * `{"applied": false, "error": "…"}`. When you cannot know (the call to
 * etcd timed out, or its connection broke), never say "not applied": answer
 * 504 `{"applied": null, "error": "…"}`.
 *
 * `GET /keys/{key}` answers 200 `{"value": [...]}`, the list (`[]` for a
 * missing key). It is linearizable: it shows every write answered 200
 * before the GET was sent, whichever member's server wrote it. When it
 * cannot read, answer 503 `{"error": "…"}`.
 *
 * `GET /admin/status` answers 200 with what the member says about itself:
 * `{"name", "id", "leader", "raftTerm", "raftIndex", "revision"}` (its name,
 * its member id, the leader's member id, and its Raft term, Raft index and
 * revision). Ids are decimal strings: they do not fit in a JavaScript number.
 *
 * A bad request gets 400 `{"error": "…"}` and changes nothing: malformed
 * JSON, a body that is not an object, a type other than PUT or APPEND, a
 * missing or wrong value (a list of strings for PUT, a string for APPEND), a
 * client_id without a seq or the reverse, a client_id that is not a
 * non-empty string, a seq that is not a whole number ≥ 0, or a key that is
 * not 1 to 64 characters among A–Z a–z 0–9 . _ -. Any other path gets 404.
 * No request may crash the server, and every request gets an answer within
 * 10 s.
 */
export async function serveKv(client: Etcd3, options: ServeOptions): Promise<KvServer> {
  // One handler for every request; it answers every path, and never throws out of it.
  const server = createServer((req, res) => void handle(client, options.name, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    // close() waits for the listening socket to go; idle keep-alive connections are closed at once.
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(client: Etcd3, name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/admin/status' && req.method === 'GET') return await answerStatus(client, name, res);
    if (!path.startsWith('/keys/')) return send(res, 404, { error: `no such path: ${path}` });
    // The key as it appears in the path: %2F and %C3%A9 stay what they are, and are refused like / and é.
    const key = path.slice('/keys/'.length);
    if (!KEY.test(key)) throw new BadRequest('a key is 1 to 64 characters among A-Z a-z 0-9 . _ -');
    if (req.method === 'GET') return await answerRead(client, key, res);
    if (req.method !== 'POST') return send(res, 405, { error: `${req.method} is not allowed here: GET or POST` });
    const write = parseWrite(await readBody(req));
    try {
      await applyOnce(client, key, write);
      return send(res, 200, { applied: true });
    } catch (error) {
      const failed = error as WriteFailed;
      // Only a failure before anything was sent is certain; a timeout or a broken connection may hide a commit.
      return failed.definite
        ? send(res, 503, { applied: false, error: failed.message })
        : send(res, 504, { applied: null, error: failed.message });
    }
  } catch (error) {
    if (error instanceof BadRequest) return send(res, 400, { error: error.message });
    return send(res, 500, { applied: null, error: (error as Error)?.message ?? String(error) });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new BadRequest('the body is larger than 1 MiB'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The body, checked clause by clause of the contract: every problem is a 400 with its reason. */
function parseWrite(text: string): Write {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequest('the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('the body must be a JSON object');
  const { type, value, client_id: clientId, seq } = body as Record<string, unknown>;
  if (type !== 'PUT' && type !== 'APPEND') throw new BadRequest('"type" must be "PUT" or "APPEND"');
  if (type === 'PUT' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) throw new BadRequest('PUT needs "value", a list of strings');
  if (type === 'APPEND' && typeof value !== 'string') throw new BadRequest('APPEND needs "value", a string');
  if ((clientId === undefined) !== (seq === undefined)) throw new BadRequest('give "client_id" and "seq" together, or neither');
  if (clientId === undefined) return { type, value: value as string[] | string };
  if (typeof clientId !== 'string' || clientId === '') throw new BadRequest('"client_id" must be a non-empty string');
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) throw new BadRequest('"seq" must be a whole number ≥ 0');
  return { type, value: value as string[] | string, request: { clientId, seq: seq as number } };
}

/**
 * Applies the write once: one transaction puts the new list and the request's
 * record, if the list is still the one read and the record does not exist. A
 * failed compare means either the record is there (applied before: done) or
 * the list changed meanwhile (read it again and retry).
 */
async function applyOnce(client: Etcd3, key: string, write: Write): Promise<void> {
  const listKey = LISTS + key;
  const record = write.request && `${REQUESTS}${encodeURIComponent(write.request.clientId)}/${write.request.seq}`;
  // A read that fails changes nothing: certain. A transaction that fails may have been committed anyway.
  const step = async <T>(call: () => Promise<T>, definite: boolean): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw new WriteFailed(definite, error);
    }
  };
  for (;;) {
    const read = await step(() => client.get(listKey).exec(), true);
    const stored = read.kvs[0];
    const list: string[] = stored ? JSON.parse(stored.value.toString()) : [];
    const next = write.type === 'PUT' ? (write.value as string[]) : [...list, write.value as string];
    let txn = client.if(listKey, 'Mod', '==', stored ? stored.mod_revision : '0');
    if (record) txn = txn.and(record, 'Create', '==', '0');
    const puts = [client.put(listKey).value(JSON.stringify(next)), ...(record ? [client.put(record).value(String(Date.now()))] : [])];
    const result = await step(() => txn.then(...puts).commit(), false);
    if (result.succeeded) return;
    // The compare failed, so this transaction changed nothing: applied before, or the list moved on.
    if (record && (await step(() => client.get(record).string(), true)) !== null) return;
  }
}

async function answerRead(client: Etcd3, key: string, res: ServerResponse): Promise<void> {
  let stored: string | null;
  try {
    // etcd's default read is linearizable: the member confirms with the leader that it is up to date.
    stored = await client.get(LISTS + key).string();
  } catch (error) {
    return send(res, 503, { error: (error as Error)?.message ?? String(error) });
  }
  send(res, 200, { value: stored === null ? [] : JSON.parse(stored) });
}

async function answerStatus(client: Etcd3, name: string, res: ServerResponse): Promise<void> {
  try {
    const s = await client.maintenance.status();
    send(res, 200, { name, id: s.header.member_id, leader: s.leader, raftTerm: s.raftTerm, raftIndex: s.raftIndex, revision: s.header.revision });
  } catch (error) {
    send(res, 503, { error: (error as Error)?.message ?? String(error) });
  }
}
