/**
 * Lab 16 checks: the student's key/value service, one per member of the
 * lab's own clusters (helpers/kv-service/).
 *
 * The API checks (serves-api, bad-requests, admin-status, stops-cleanly)
 * talk to the services one request at a time and compare what they answer
 * with what the runner reads itself. The other checks judge the scenario's
 * phases (helpers/kv-service/phases.ts): each phase's history goes through
 * the linearizability checker (lib/history), and each class of anomaly fails
 * a check of its own, with the anomaly in one line, where each operation was
 * sent, and the HTML report. A check goes through the phases in order and
 * stops at the first that shows its anomaly, so a mistake the calm phase
 * shows never waits for the partition.
 */
import { memberStatus, moveLeader } from '../cluster/inspect.ts';
import { withClient } from '../connection/client.ts';
import type { AnomalyKind } from '../history/index.ts';
import { shown } from '../paths.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { describeThrown } from '../runner/student.ts';
import type { HandleRef } from '../sandbox/protocol.ts';
import { type Reply, describeReply, send } from './helpers/kv-service/http.ts';
import { agreedLeader, world3 } from './helpers/kv-service/clusters.ts';
import { PHASES, type Phase } from './helpers/kv-service/phases.ts';
import { Service, freePorts } from './helpers/kv-service/services.ts';
import { type Judged, judgedPhase, whereToLook, whoAnswered } from './helpers/kv-service/verdicts.ts';
import { sleep } from './helpers/time.ts';

/** A single request of the API checks waits this long for its answer (the stub promises one within 10 s). */
const ANSWER_MS = 10_000;

/**
 * Fails every check at once, before any cluster starts, when serveKv() is
 * still the stub's TODO (or the file does not load, or does not export it).
 */
function serveKvExists(ctx: CheckContext): Promise<void> {
  return ctx.once('kv-serve-exists', async () => {
    const [port] = await freePorts(1);
    const client = ctx.clientFor(['http://127.0.0.1:1'], { deadlineMs: 500, label: 'kv-nowhere' });
    const outcome = await ctx.student.attempt<HandleRef>('serveKv', [client, { port, name: 'n0' }], { timeoutMs: 30_000 });
    if (!outcome.ok) {
      const missing = outcome.kind === 'load-failed' || (outcome.kind === 'threw' && (outcome.error.todo || outcome.error.name === 'MissingExport'));
      if (missing) throw ctx.student.failure('serveKv()', outcome, 30_000);
      return;
    }
    const handle = outcome.value;
    if (handle && typeof handle === 'object' && '$handle' in handle && handle.methods.includes('close')) await ctx.student.box.invoke(handle, 'close', [], { timeoutMs: 5000 });
  });
}

/** One request, its answer (or no answer within ANSWER_MS). */
function ask(service: Service, method: string, path: string, body?: unknown, raw?: string): Promise<Reply> {
  return send(service.port, method, path, { giveUpMs: ANSWER_MS, body, rawBody: raw }).reply;
}

const NO_ANSWER = 'A request without an answer hangs its client: every branch of the handler must end with res.end() (a missing key, an error, a bad request included).';

function answered(reply: Reply, what: string): asserts reply is Extract<Reply, { kind: 'answer' }> {
  if (reply.kind === 'answer') return;
  throw new CheckFailure(`${what} got ${describeReply(reply, ANSWER_MS)}`, { explain: reply.kind === 'timeout' ? NO_ANSWER : 'The server must keep running and answer every request.' });
}

function expectApplied(reply: Reply, what: string): void {
  answered(reply, what);
  expect(reply.status === 200 && (reply.json as { applied?: unknown } | undefined)?.applied === true, `${what} answered ${describeReply(reply)}`, {
    expected: '200 {"applied": true}, once the write is committed',
  });
}

function expectList(reply: Reply, expected: string[], what: string, explain?: string): void {
  answered(reply, what);
  const value = (reply.json as { value?: unknown } | undefined)?.value;
  expect(reply.status === 200 && Array.isArray(value), `${what} answered ${describeReply(reply)}`, { expected: `200 ${JSON.stringify({ value: expected })}` });
  expect(show(value) === show(expected), `${what} answered the list ${show(value)}`, { expected: show(expected), actual: show(value), explain });
}

/** The phases in order, each judged as soon as it is played; `judge` throws to fail. */
async function eachPhase(ctx: CheckContext, judge: (judged: Judged) => void): Promise<Judged[]> {
  await serveKvExists(ctx);
  const all: Judged[] = [];
  for (const name of PHASES) {
    const judged = await judgedPhase(ctx, name);
    judge(judged);
    all.push(judged);
  }
  return all;
}

/** A check that fails on the first phase whose history shows an anomaly of `kind`. */
function anomalyCheck(kind: AnomalyKind, explain: string, passed: (all: Judged[]) => string): (ctx: CheckContext) => Promise<void> {
  return async (ctx) => {
    const all = await eachPhase(ctx, (judged) => {
      const anomaly = judged.result.anomalies.find((a) => a.kind === kind);
      if (!anomaly) return;
      const more = judged.result.anomalies.filter((a) => a.kind === kind).length - 1;
      throw new CheckFailure(`${judged.phase.title}, key ${anomaly.key}: ${anomaly.text}`, {
        explain: [explain, whoAnswered(judged, anomaly), more ? `(${more} more like it in this phase.)` : '', whereToLook(judged)].filter(Boolean).join('\n'),
      });
    });
    ctx.note(passed(all));
  };
}

const operationsOf = (all: Judged[]) => all.reduce((n, j) => n + j.phase.rec.operations.length, 0);
const writesOf = (all: Judged[], outcome?: string) => all.reduce((n, j) => n + j.phase.rec.operations.filter((o) => o.input.op !== 'GET' && (!outcome || o.outcome === outcome)).length, 0);
const phaseTime = (p: Phase) => `${(p.ms / 1000).toFixed(1)} s`;

/** A status field that must be a decimal uint64 (a string of digits). */
function idField(status: Record<string, unknown>, field: string, truth: string | undefined, where: string, names: Map<string, string>): void {
  const value = status[field];
  if (typeof value === 'number') {
    throw new CheckFailure(`${where}: "${field}" is the number ${value}, not a string`, {
      expected: JSON.stringify(truth),
      explain: `Member ids are uint64: ${truth} does not fit in a JavaScript number (its last digits get lost: ${Number(truth)}). Send the decimal string etcd3 gives.`,
    });
  }
  expect(value === truth, `${where}: "${field}" is ${show(value)}, but ${field === 'id' ? 'this member\'s id' : 'the leader\'s id'} is "${truth}" (${names.get(truth ?? '') ?? '?'})`, {
    expected: JSON.stringify(truth),
    actual: show(value),
    explain: field === 'leader' ? 'maintenance.status() says who leads in `leader`; `header.member_id` is the member that answered.' : 'maintenance.status() of your client: `header.member_id`.',
  });
}

/** A status field that only grows (term, index, revision): between what the runner read just before and just after. */
function growingField(status: Record<string, unknown>, field: string, before: string | undefined, after: string | undefined, where: string): void {
  const value = status[field];
  const ok = (typeof value === 'string' && /^\d+$/.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value));
  expect(ok, `${where}: "${field}" is ${show(value)}, not a whole number`, { expected: `a decimal string between "${before}" and "${after}"` });
  const n = BigInt(value as string | number);
  expect(before !== undefined && after !== undefined && n >= BigInt(before) && n <= BigInt(after), `${where}: "${field}" is ${show(value)}, but the member said "${before}" just before and "${after}" just after`, {
    expected: `between ${before} and ${after}`,
    actual: show(value),
    explain: 'Ask the member each time: maintenance.status() gives raftTerm and raftIndex, its header the revision. A value read once and kept goes stale.',
  });
}

/** /admin/status on every service, each compared with what its member said just before and just after. */
async function statusRound(services: Service[], when: string): Promise<void> {
  const names = new Map<string, string>();
  for (const s of services) {
    const where = `GET /admin/status on ${s.member}'s service ${when}`;
    for (let attempt = 1; ; attempt++) {
      const before = await memberStatus(s.spec.endpoint, 2000);
      const reply = await ask(s, 'GET', '/admin/status');
      const after = await memberStatus(s.spec.endpoint, 2000);
      if (before.id) names.set(before.id, s.member);
      if (attempt < 4 && (!before.up || !after.up || before.leaderId !== after.leaderId || before.raftTerm !== after.raftTerm)) {
        await sleep(300);
        continue;
      }
      answered(reply, where);
      expect(reply.status === 200 && typeof reply.json === 'object' && reply.json !== null, `${where} answered ${describeReply(reply)}`, {
        expected: '200 {"name", "id", "leader", "raftTerm", "raftIndex", "revision"}',
      });
      const status = reply.json as Record<string, unknown>;
      expect(status.name === s.member, `${where}: "name" is ${show(status.name)}, but serveKv() was told name "${s.member}"`, { expected: JSON.stringify(s.member) });
      for (const other of services) {
        if (!names.has(other.member)) {
          const id = (await memberStatus(other.spec.endpoint, 2000)).id;
          if (id) names.set(id, other.member);
        }
      }
      idField(status, 'id', before.id, where, names);
      idField(status, 'leader', before.leaderId, where, names);
      growingField(status, 'raftTerm', before.raftTerm, after.raftTerm, where);
      growingField(status, 'raftIndex', before.raftIndex, after.raftIndex, where);
      growingField(status, 'revision', before.revision, after.revision, where);
      break;
    }
  }
}

interface BadRequest {
  what: string;
  method?: string;
  path: string;
  body?: unknown;
  raw?: string;
  status?: number;
}

function badRequests(key: string, token: string): BadRequest[] {
  const path = `/keys/${key}`;
  const ok = { type: 'APPEND', value: `bad-${token}` };
  return [
    { what: 'a body that is not JSON', path, raw: '{"type": "APPEND", "value": ' },
    { what: 'a body that is a list, not an object', path, raw: '["APPEND", "x"]' },
    { what: 'a body that is null', path, raw: 'null' },
    { what: 'an empty body', path, raw: '' },
    { what: 'an unknown type', path, body: { type: 'DELETE', value: 'x' } },
    { what: 'a type in lower case', path, body: { type: 'append', value: 'x' } },
    { what: 'no value', path, body: { type: 'APPEND' } },
    { what: 'APPEND with a list', path, body: { type: 'APPEND', value: ['x'] } },
    { what: 'PUT with a string', path, body: { type: 'PUT', value: 'x' } },
    { what: 'PUT with a list of numbers', path, body: { type: 'PUT', value: [1, 2] } },
    { what: 'a client_id without a seq', path, body: { ...ok, client_id: `c-${token}` } },
    { what: 'a seq without a client_id', path, body: { ...ok, seq: 1 } },
    { what: 'a client_id that is a number', path, body: { ...ok, client_id: 7, seq: 1 } },
    { what: 'an empty client_id', path, body: { ...ok, client_id: '', seq: 1 } },
    { what: 'a negative seq', path, body: { ...ok, client_id: `c-${token}`, seq: -1 } },
    { what: 'a seq that is not a whole number', path, body: { ...ok, client_id: `c-${token}`, seq: 1.5 } },
    { what: 'a seq that is a string', path, body: { ...ok, client_id: `c-${token}`, seq: '3' } },
    { what: 'a key with a /', path: `${path}/x`, body: ok },
    { what: 'a key with an encoded / (%2F)', path: `${path}%2Fx`, body: ok },
    { what: 'a key with non-ASCII text (café)', path: `/keys/caf%C3%A9-${token}`, body: ok },
    { what: 'an empty key', path: '/keys/', body: ok },
    { what: 'a key of 65 characters', path: `/keys/${'k'.repeat(65)}`, body: ok },
    { what: 'a GET of a key with a /', method: 'GET', path: `${path}/x` },
    { what: 'an unknown path', method: 'GET', path: `/nothing-${token}`, status: 404 },
  ];
}

const checks: LabChecks = {
  async 'serves-api'(ctx) {
    await serveKvExists(ctx);
    const world = await world3(ctx);
    const services = world.services;
    const [a, b, c] = ctx.rng.shuffle(services);
    const word = () => ctx.rng.token(4);
    const [k1, k2] = [`api-${word()}`, `api-${word()}`];
    const on = (s: Service, what: string) => `${what} on ${s.member}'s service`;

    expectList(await ask(a, 'GET', `/keys/${k1}`), [], on(a, `GET /keys/${k1}, a key never written,`), 'A missing key reads as the empty list: {"value": []}.');
    const list = [`cat-${word()}`, `dog-${word()}`];
    expectApplied(await ask(b, 'POST', `/keys/${k1}`, { type: 'PUT', value: list }), on(b, `POST /keys/${k1} {"type": "PUT", "value": ${JSON.stringify(list)}}`));
    expectList(await ask(c, 'GET', `/keys/${k1}`), list, on(c, `after the PUT of ${JSON.stringify(list)} (answered 200), GET /keys/${k1}`), 'PUT replaces the whole list with the one given.');
    const mouse = `mouse-${word()}`;
    expectApplied(await ask(a, 'POST', `/keys/${k1}`, { type: 'APPEND', value: mouse, client_id: `api-${word()}`, seq: 1 }), on(a, `POST /keys/${k1} {"type": "APPEND", "value": "${mouse}", "client_id": …, "seq": 1}`));
    expectList(await ask(b, 'GET', `/keys/${k1}`), [...list, mouse], on(b, `after APPEND "${mouse}" (answered 200), GET /keys/${k1}`), 'APPEND adds one element at the end of the list.');
    const first = `first-${word()}`;
    expectApplied(await ask(c, 'POST', `/keys/${k2}`, { type: 'APPEND', value: first }), on(c, `POST /keys/${k2} {"type": "APPEND", "value": "${first}"} (a missing key)`));
    expectList(await ask(a, 'GET', `/keys/${k2}`), [first], on(a, `after APPEND "${first}" to a missing key, GET /keys/${k2}`), 'A missing key is an empty list: APPEND makes it a list of one.');
    expectApplied(await ask(b, 'POST', `/keys/${k2}`, { type: 'PUT', value: [] }), on(b, `POST /keys/${k2} {"type": "PUT", "value": []}`));
    expectList(await ask(c, 'GET', `/keys/${k2}`), [], on(c, `after PUT [], GET /keys/${k2}`), 'PUT [] makes the list empty.');
    const odd = [`a "quoted" ${word()}`, 'café ☕', '', `x/y?z=1&w=${word()}`, '[1, 2]'];
    expectApplied(await ask(a, 'POST', `/keys/${k1}`, { type: 'PUT', value: odd }), on(a, `POST /keys/${k1} {"type": "PUT", "value": ${JSON.stringify(odd)}}`));
    expectList(await ask(b, 'GET', `/keys/${k1}`), odd, on(b, `after the PUT of ${JSON.stringify(odd)}, GET /keys/${k1}`), 'Elements are strings, any strings: quotes, non-ASCII text, empty ones.');
    // The lab's own cluster holds nothing but what the services wrote: every key must be under /lab16/.
    const outside = await withClient(world.cluster.endpoints, { deadlineMs: 5000 }, async (c) => (await c.getAll().keys()).filter((k) => !k.startsWith('/lab16/')));
    expect(outside.length === 0, `the services wrote keys outside /lab16/: ${outside.slice(0, 3).map((k) => JSON.stringify(k)).join(', ')}${outside.length > 3 ? ` and ${outside.length - 3} more` : ''}`, {
      explain: 'Keep every key under /lab16/ (for instance /lab16/lists/<key> and /lab16/requests/…): the runner cleans up that prefix, and a class cluster lets each lab write only its own.',
    });
    ctx.note(`PUT, APPEND and GET through all 3 members' services (${services.map((s) => `${s.member} on :${s.port}`).join(', ')})`);
  },

  async 'bad-requests'(ctx) {
    await serveKvExists(ctx);
    const world = await world3(ctx);
    const [port] = await freePorts(1);
    const member = world.services[0].spec;
    const service = new Service(ctx, { ...member, port }, { adversary: false });
    await service.start();
    try {
      const token = ctx.rng.token(4);
      const key = `bad-${token}`;
      for (const bad of badRequests(key, token)) {
        const method = bad.method ?? 'POST';
        const what = `${method} ${bad.path} with ${bad.what}`;
        const reply = await send(service.port, method, bad.path, { giveUpMs: 5000, body: bad.body, rawBody: bad.raw }).reply;
        const stray = service.collectStray();
        if (reply.kind !== 'answer') {
          const threw = stray.length ? `; your code threw ${describeThrown(stray[0])} outside any request` : '';
          throw new CheckFailure(`${what} got ${describeReply(reply, 5000)}${threw}`, {
            explain: stray.length
              ? 'In a real server an error nobody catches ends the process, and every client of that member loses it. Check the body before using it (JSON.parse in a try, then each field), and answer 400 with a message.'
              : NO_ANSWER,
          });
        }
        const error = (reply.json as { error?: unknown } | undefined)?.error;
        const status = bad.status ?? 400;
        expect(reply.status === status && typeof error === 'string' && error.length > 0, `${what} answered ${describeReply(reply)}`, {
          expected: `${status} {"error": "…"}, a message that says what is wrong`,
        });
        if (stray.length) throw new CheckFailure(`${what} was answered, but your code also threw ${describeThrown(stray[0])} outside the request`, { explain: 'An error nobody catches ends a real server\'s process.' });
      }
      const good = `good-${token}`;
      expectApplied(await ask(service, 'POST', `/keys/${key}`, { type: 'APPEND', value: good }), `after ${badRequests(key, token).length} bad requests, POST /keys/${key} {"type": "APPEND", "value": "${good}"}`);
      expectList(await ask(service, 'GET', `/keys/${key}`), [good], `then GET /keys/${key}`, 'A bad request changes nothing: only the good APPEND may be in the list.');
      ctx.note(`${badRequests(key, token).length} bad requests, each answered 400 (404 for the unknown path) with a message; nothing applied`);
    } finally {
      service.dispose();
    }
  },

  async 'admin-status'(ctx) {
    await serveKvExists(ctx);
    const world = await world3(ctx);
    await statusRound(world.services, 'at the start');
    const leader = await agreedLeader(world, 10_000);
    if (!leader) throw new Error('the lab\'s 3 members agreed on no leader within 10 s (not your code\'s fault): run the lab again');
    const target = ctx.rng.pick(world.cluster.names.filter((n) => n !== leader));
    const id = (await memberStatus(world.cluster.endpoint(target), 2000)).id;
    if (id) await moveLeader(world.cluster.endpoints, id).catch(() => undefined);
    const now = await agreedLeader(world, 10_000);
    await statusRound(world.services, `after the leadership moved from ${leader} to ${now ?? target}`);
    ctx.note(`each service's status matched its member's, before and after the leadership moved from ${leader} to ${now ?? target}`);
  },

  async 'stops-cleanly'(ctx) {
    await serveKvExists(ctx);
    const world = await world3(ctx);
    const [port] = await freePorts(1);
    const service = new Service(ctx, { ...world.services[0].spec, port }, { adversary: false });
    await service.start();
    try {
      const key = `stop-${ctx.rng.token(4)}`;
      expectList(await ask(service, 'GET', `/keys/${key}`), [], `GET /keys/${key} on a service started for this check`);
      const closed = await service.close();
      if (!closed.ok) {
        throw new CheckFailure(`close() ${closed.kind === 'timeout' ? 'did not resolve within 10 s' : closed.kind === 'threw' ? `threw ${describeThrown(closed.error)}` : `ended the lab process (${closed.kind})`}`, {
          explain: 'close() resolves once the server stopped listening: new Promise((resolve) => server.close(() => resolve())).',
        });
      }
      const after = await send(port, 'GET', `/keys/${key}`, { giveUpMs: 3000 }).reply;
      expect(after.kind === 'refused', `after close() resolved, port ${port} still took a request (GET /keys/${key} got ${describeReply(after, 3000)})`, {
        expected: 'connection refused: nothing listens on the port once close() has resolved',
        explain: 'close() must close the HTTP server (server.close()) and resolve only once it has; closing the etcd client is not enough.',
      });
      const exited = await service.release(5000);
      expect(exited, 'after close(), the service\'s lab process did not end by itself within 5 s: something of it is still running', {
        explain: 'Once closed, nothing of the server may keep the process alive: clear your timers (setInterval), close open connections (server.closeAllConnections()).',
      });
      ctx.note('close() resolved, the port was free at once, and nothing of the server was left running');
    } finally {
      service.dispose();
    }
  },

  async 'acknowledged-writes'(ctx) {
    await serveKvExists(ctx);
    const judged = await judgedPhase(ctx, 'calm');
    const { phase } = judged;
    const early = phase.earlyAcks[0];
    if (early) {
      const by = Number.isFinite(early.earlyByMs) ? `${Math.round(early.earlyByMs)} ms before the write was let go` : 'while the write was still waiting';
      throw new CheckFailure(`${phase.title}: APPEND ${early.value} was answered 200 by ${early.member}'s service ${by}: the harness held that write back, so it had not reached etcd`, {
        explain: `200 says "committed": answer it only once the transaction has resolved (await it). A 200 sent before can be followed by a crash that loses the write, and a GET right after it misses it.${phase.earlyAcks.length > 1 ? ` (${phase.earlyAcks.length} of ${phase.burst?.heldTogether ?? 5} held APPENDs were answered early.)` : ''}\n${whereToLook(judged)}`,
      });
    }
    const burst = phase.burst;
    ctx.note(burst ? `${burst.heldTogether} APPENDs held back together: every 200 came after its write was let go${burst.unseen.length ? ` (${burst.unseen.length} not seen: their writes did not carry the value as sent)` : ''}` : 'no burst');
  },

  'exactly-once': anomalyCheck(
    'duplicate-append',
    'A client that got no answer sends the same client_id and seq again, maybe to another member\'s server. Record the request in etcd in the same transaction as the write (a compare that the record does not exist yet), so that the retry finds it and is not applied again; a record kept in the server\'s memory is not seen by the other servers, nor by this one after a restart.',
    (all) => `${writesOf(all, 'ok')} writes acknowledged over ${all.length} phases, retries included, none applied twice`,
  ),

  'no-lost-writes': anomalyCheck(
    'lost-update',
    'A write answered 200 must stay: two APPENDs at once must both land. Reading the list and writing it back loses one of them unless the write compares the list\'s mod revision (a compare-and-swap that reads again and retries when the list changed); and answering 200 before the write is committed loses it when anything fails in between.',
    (all) => `every acknowledged write was in every later read (${operationsOf(all)} operations over ${all.length} phases)`,
  ),

  'fresh-reads': anomalyCheck(
    'stale-read',
    'A GET must show every write answered 200 before it was sent, whichever member\'s server wrote it. etcd\'s default read is linearizable; .serializable(true) answers from the member\'s own copy (stale on the minority side of a partition, or on a member that lags), and a cache in your server is stale as soon as another server writes.',
    (all) => `no GET missed a write acknowledged before it (${all.reduce((n, j) => n + j.phase.rec.operations.filter((o) => o.input.op === 'GET' && o.outcome === 'ok').length, 0)} GETs answered)`,
  ),

  'definite-errors': anomalyCheck(
    'failed-but-applied',
    '"Not applied" (503 with "applied": false) is a promise: the client believes it and does not send again. Say it only when the write certainly was not applied (e.g. the read before the transaction failed). A transaction that timed out or lost its connection may have been committed: answer 504 with "applied": null, and let the client send it again.',
    (all) => `every "not applied" was true (${all.reduce((n, j) => n + j.phase.rec.operations.filter((o) => o.outcome === 'fail').length, 0)} writes answered so)`,
  ),

  async linearizable(ctx) {
    const all = await eachPhase(ctx, (judged) => {
      const { result, phase } = judged;
      if (result.verdict === 'linearizable') return;
      if (result.verdict === 'unknown') throw new Error(`the checker ran out of time on ${phase.title}'s history (10 s per key): not your code's fault, run the lab again`);
      const part = result.parts.find((p) => p.verdict === 'not-linearizable')!;
      const blocked = part.evidence?.blocked;
      const named = [...new Set(result.anomalies.map((a) => a.kind.replace(/-/g, ' ')))];
      throw new CheckFailure(
        blocked
          ? `${phase.title}, key ${part.key}: no order of the operations explains what the clients saw: after ${part.evidence!.order.length} operations that fit, ${blocked.label} (operation ${blocked.operation.id}, client ${blocked.operation.client}) cannot come next: ${blocked.reason}`
          : `${phase.title}, key ${part.key}: no order of the operations explains what the clients saw`,
        {
          explain: [
            named.length ? `The checker also named: ${named.join(', ')} (its own check says more).` : 'Elements in another order than they were appended, or a PUT that does not replace the list, show this way.',
            whereToLook(judged),
          ].join('\n'),
        },
      );
    });
    const lines = all.map((j) => `${j.phase.title}: ${j.phase.rec.operations.length} operations (${j.phase.clients} clients, ${j.phase.keys.length} keys) in ${phaseTime(j.phase)}, linearizable, checked in ${Math.round(j.result.ms)} ms`);
    ctx.note([...lines, `${operationsOf(all)} operations in all; reports and histories in ${shown(all[0].historyFile.replace(/\/[^/]+$/, ''))}`].join('\n'));
  },

  async answers(ctx) {
    const all = await eachPhase(ctx, ({ phase }) => {
      const stray = phase.stray[0];
      if (stray) {
        throw new CheckFailure(`${phase.title}: ${stray.member}'s service threw ${describeThrown(stray.error)} outside any request`, {
          explain: 'In a real server an error nobody catches ends the process, and every client of that member loses it: catch what a request handler throws, and answer (503 or 504).',
        });
      }
      const crashed = phase.crashed[0];
      expect(!crashed, `${phase.title}: ${crashed}'s service process ended by itself`, { explain: 'The server must keep running whatever etcd does (members killed, cut off): answer 503 or 504, never exit.' });
      const hang = phase.rec.hangs[0];
      if (hang) {
        throw new CheckFailure(`${phase.title}: ${hang.service}'s service never answered ${hang.request} (sent at ${(hang.sentAt / 1000).toFixed(1)} s, no answer within ${phase.rec.hangMs / 1000} s)`, {
          explain: 'Every request gets an answer within 10 s. When etcd does not answer (a member cut off from the majority, or down), the client\'s call fails after 3 s: answer 503 or 504 then, do not retry without end.',
        });
      }
      const problem = phase.rec.problems[0];
      if (problem) throw new CheckFailure(`${phase.title}: ${problem.service}'s service answered ${problem.reply} to ${problem.request}`, { expected: problem.expected });
    });
    const requests = all.reduce((n, j) => n + j.phase.rec.operations.reduce((m, o) => m + o.attempts.length, 0), 0);
    ctx.note(`${requests} requests over ${all.length} phases, each answered within 10 s (or cut short by a kill), no service crashed`);
  },

  async 'final-read'(ctx) {
    await serveKvExists(ctx);
    const judged = await judgedPhase(ctx, 'partition');
    const { phase } = judged;
    const silent = phase.finalReads.find((r) => !r.value);
    if (silent) {
      throw new CheckFailure(`after the heal, ${silent.member}'s service did not answer GET /keys/${silent.key} with a list for 5 s (its last answer: ${silent.reply})`, {
        explain: `Once the partition heals, every member is back in the cluster and its server must serve again: nothing may stay broken after an error (no flag that remembers a failure, no client that was closed).\n${whereToLook(judged)}`,
      });
    }
    for (const key of new Set(phase.finalReads.map((r) => r.key))) {
      const reads = phase.finalReads.filter((r) => r.key === key);
      const other = reads.find((r) => show(r.value) !== show(reads[0].value));
      if (other) {
        throw new CheckFailure(`after the heal, GET /keys/${key} answered ${show(reads[0].value)} on ${reads[0].member}'s service but ${show(other.value)} on ${other.member}'s`, {
          explain: `Once healed, the members hold the same data: a linearizable GET answers the same list on every member.\n${whereToLook(judged)}`,
        });
      }
    }
    ctx.note(`after the heal, ${new Set(phase.finalReads.map((r) => r.key)).size} keys read on all ${phase.members.length} members: the same list everywhere`);
  },
};

export default checks;
