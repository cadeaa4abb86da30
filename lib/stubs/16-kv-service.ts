/**
 * Lab 16 · Key/value service
 *
 * Run the checks:   npm run lab 16
 * Try it by hand:   npm run lab 16 -- --serve    (then the curl commands it prints)
 * Read first:       LAB.md, "Lab 16 · Key/value service"
 *
 * The capstone: the Raft assignment's fault-tolerant key/value service, with
 * etcd as the replicated log. You write the HTTP server that runs in front of
 * each member; the checks run one per member, send requests from several
 * clients at once while they kill, restart and partition members, and check
 * that all the clients saw one and the same order of operations.
 */
import { createServer } from 'node:http';
import { type Etcd3, todo } from '../lib/kit.ts';

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
  // TODO: createServer((req, res) => …): read the body, route by method and path, validate (400 and a message),
  //       then write with ONE transaction per attempt: compare the list's mod revision (the list is what you read)
  //       and that the request record /lab16/requests/<client_id>/<seq> does not exist yet; then put the new list
  //       and the record together. If the compare fails, read the record: there, the write was applied before (200);
  //       not there, the list changed meanwhile: read it again and retry. Listen on options.port, resolve { close }.
  void createServer;
  void client;
  void options;
  todo('serveKv');
}
