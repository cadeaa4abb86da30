/**
 * `npm run dashboard`'s server without a browser: the page and its files,
 * the Host and token checks, a bad request of every kind (a 4xx with a
 * message, and the server carries on), the key operations with the
 * console's words, the faults, and the event stream (a member's copy goes
 * stale in a partition and catches up after heal). Then the command itself:
 * SIGTERM leaves no member and no folder behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { connect as netConnect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { etcdProcessesMentioning } from '../../lib/cluster/processes.ts';
import { type Dashboard, startDashboard } from '../../lib/dashboard/server.ts';
import { ClusterOperations } from '../../lib/playground/operations.ts';
import { openOperations } from '../../lib/playground/open.ts';
import { paths, projectRoot } from '../../lib/paths.ts';
import { cli, testCluster } from '../helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read field by field
type Json = any;

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  json: Json;
}

/** One HTTP request, with the Host header we choose (fetch does not let a test lie about it). */
function call(port: number, method: string, path: string, options: { host?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: options.host ?? `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Bytes sent as they are, and what came back until the server closed the connection. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('close', () => resolve(text));
  });
}

/** A POST as the page sends it: JSON, with the token. */
function post(dashboard: Dashboard, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return call(dashboard.port, 'POST', path, { headers: { 'content-type': 'application/json', 'x-dashboard-token': dashboard.token, ...headers }, body: JSON.stringify(body) });
}

/** The server-sent events of /api/events, parsed; `next` waits for one that matches. */
function events(port: number, keys: string[]) {
  const received: { event: string; data: Json }[] = [];
  let buffer = '';
  let closeStream = () => {};
  const opened = new Promise<void>((resolve, reject) => {
    const query = keys.map((k) => `key=${encodeURIComponent(k)}`).join('&');
    const req = httpRequest({ host: '127.0.0.1', port, path: `/api/events?${query}`, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) received.push({ event, data: JSON.parse(data) });
        }
      });
      resolve();
    });
    req.on('error', reject);
    req.end();
    closeStream = () => req.destroy();
  });
  return {
    opened,
    received,
    close: () => closeStream(),
    /** The first event from now on (from the first one received, with from = 0) for which `match` holds. */
    async next(event: string, match: (data: Json) => boolean = () => true, timeoutMs = 15_000, from = received.length): Promise<Json> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.slice(from).find((e) => e.event === event && match(e.data));
        if (found) return found.data;
        if (Date.now() > deadline) throw new Error(`no "${event}" event that matches within ${timeoutMs / 1000} s; last: ${JSON.stringify(received.filter((e) => e.event === event).at(-1)?.data)?.slice(0, 1500)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Folders of dashboards started by this test process. */
const ourFolders = () => (existsSync(paths.clusterState) ? readdirSync(paths.clusterState).filter((d) => d.startsWith(`dashboard-${process.pid}-`)) : []);

describe('the dashboard (npm run dashboard) on 3 members of its own', () => {
  let dashboard: Dashboard;
  let teardown: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const ops = await openOperations({
      owner: 'dashboard', faults: true, nodes: 3, flags: {}, log: () => {},
      onTeardown: (stop) => (teardown = stop),
    });
    dashboard = await startDashboard({ ops, port: 0 });
  }, 60_000);

  afterAll(async () => {
    await dashboard?.close();
    await teardown?.();
    expect(etcdProcessesMentioning(join(paths.clusterState, `dashboard-${process.pid}-`)), 'members left running').toEqual([]);
    expect(ourFolders(), 'folders left behind').toEqual([]);
  }, 60_000);

  test('the dashboard serves its page (with the token) and files on 127.0.0.1, and only to a Host that names it', async () => {
    const { port } = dashboard;
    const page = await call(port, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain(`<meta name="dashboard-token" content="${dashboard.token}">`);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    expect((await call(port, 'GET', '/page/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
    expect((await call(port, 'GET', '/', { host: `localhost:${port}` })).status).toBe(200);
    for (const path of ['/page/../server.ts', '/page/%2e%2e/server.ts', '/page/nothing.js', '/server.ts']) {
      expect((await call(port, 'GET', path)).status, path).toBe(404);
    }
    // DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 sends Host: evil.example.
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`]) {
      const reply = await call(port, 'GET', '/api/status', { host });
      expect(reply.status, host).toBe(403);
      expect(reply.json.error).toMatch(/is not this dashboard: open http:\/\/127\.0\.0\.1:\d+\//);
    }
    // No Host at all (HTTP/1.0): turned away too.
    expect(await raw(port, 'GET /api/status HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 403/);
    expect(dashboard.url).toBe(`http://127.0.0.1:${port}/`);
  });

  test('the dashboard answers a bad request with a 4xx and a message, and carries on', async () => {
    const { port } = dashboard;
    const put = { key: '/dash/bad', value: 'x' };
    const cases: Array<[string, Promise<Reply>, number, RegExp]> = [
      ['no token', call(port, 'POST', '/api/put', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(put) }), 403, /missing or wrong X-Dashboard-Token/],
      ['a wrong token', post(dashboard, '/api/put', put, { 'x-dashboard-token': 'f'.repeat(48) }), 403, /missing or wrong X-Dashboard-Token/],
      ['another origin', post(dashboard, '/api/put', put, { origin: 'http://evil.example' }), 403, /requests from http:\/\/evil\.example are not accepted/],
      ['a form post', post(dashboard, '/api/put', put, { 'content-type': 'application/x-www-form-urlencoded' }), 415, /send JSON/],
      ['not JSON', call(port, 'POST', '/api/put', { headers: { 'content-type': 'application/json', 'x-dashboard-token': dashboard.token }, body: '{"key": ' }), 400, /the body is not JSON/],
      ['a list', post(dashboard, '/api/put', ['k', 'v']), 400, /the body must be a JSON object/],
      ['no key', post(dashboard, '/api/put', { value: 'v' }), 400, /key must be a non-empty string/],
      ['a number for a value', post(dashboard, '/api/put', { key: 'k', value: 1 }), 400, /value must be a string/],
      ['an unknown member', post(dashboard, '/api/put', { ...put, via: 'n9' }), 400, /there is no member "n9" \(members: n1, n2, n3\)/],
      ['too large', post(dashboard, '/api/put', { key: 'k', value: 'x'.repeat(2 * 1024 * 1024) }), 413, /larger than 1024 KiB/],
      ['an unknown fault', post(dashboard, '/api/fault', { kind: 'explode', member: 'n1' }), 400, /kind must be one of kill, restart, pause, resume, isolate, partition, heal/],
      ['a fault on no member', post(dashboard, '/api/fault', { kind: 'kill', member: 'n7' }), 400, /there is no member "n7"/],
      ['a partition with one side', post(dashboard, '/api/fault', { kind: 'partition', groups: [['n1', 'n2', 'n3'], []] }), 400, /partition needs at least two groups/],
      ['a member on both sides', post(dashboard, '/api/fault', { kind: 'partition', groups: [['n1', 'n2'], ['n2', 'n3']] }), 400, /n2 is in two groups/],
      ['groups that are not lists', post(dashboard, '/api/fault', { kind: 'partition', groups: 'n1 n2' }), 400, /groups must be lists of member names/],
      ['an unknown API', call(port, 'GET', '/api/nothing'), 404, /no such API: \/api\/nothing/],
      ['a GET of a POST route', call(port, 'GET', '/api/put'), 405, /\/api\/put takes POST, not GET/],
      ['DELETE', call(port, 'DELETE', '/api/put'), 405, /DELETE is not used here/],
      ['a bad limit', call(port, 'GET', '/api/keys?limit=0'), 400, /limit must be a whole number from 1 to 1000/],
      ['a get without a key', call(port, 'GET', '/api/key'), 400, /key must be a non-empty string/],
      ['too many keys to follow', call(port, 'GET', `/api/events?${Array.from({ length: 13 }, (_, i) => `key=k${i}`).join('&')}`), 400, /follow at most 12 keys/],
    ];
    for (const [what, reply, status, message] of cases) {
      const r = await reply;
      expect(r.status, what).toBe(status);
      expect(r.json?.error, what).toMatch(message);
    }
    // A request node cannot parse at all: a 400, and the server lives on.
    expect(await raw(port, 'GARBAGE / HTTP/9\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect((await call(port, 'GET', '/api/info')).json).toMatchObject({ kind: 'faults', members: ['n1', 'n2', 'n3'], faults: true });
    // Nothing of the above was written.
    expect((await call(port, 'GET', '/api/key?key=%2Fdash%2Fbad')).json.ok).toBe(false);
  }, 60_000);

  test('the dashboard\'s keys: put, get, list in byte order, delete, and the console\'s words for a missing key or a member that is down', async () => {
    const { port } = dashboard;
    // Byte order, not UTF-16 order and not numbers first: etcd's order.
    const names = ['b', 'a', 'Z', '10', '9', 'é', 'a/b', '\u{1F600}', '\uFF5E'];
    for (const name of names) expect((await post(dashboard, '/api/put', { key: `/dash/order/${name}`, value: name })).json.ok).toBe(true);
    const list = (await call(port, 'GET', `/api/keys?prefix=${encodeURIComponent('/dash/order/')}`)).json;
    const expected = names.map((n) => `/dash/order/${n}`).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(list.outcome.answer.value.entries.map((e: { key: string }) => e.key)).toEqual(expected);
    expect(list.text).toBe(`${names.length} key(s) under /dash/order/`);
    expect((await call(port, 'GET', `/api/keys?prefix=${encodeURIComponent('/dash/order/')}&limit=2`)).json.outcome.answer.value).toMatchObject({ total: names.length, entries: [{ key: expected[0] }, { key: expected[1] }] });

    const put = (await post(dashboard, '/api/put', { key: '/dash/greeting', value: 'hello world', via: 'n2' })).json;
    expect(put).toMatchObject({ ok: true, aside: '(via n2)' });
    expect(put.text).toMatch(/^\/dash\/greeting = "hello world" at revision \d+$/);
    const got = (await call(port, 'GET', `/api/key?key=${encodeURIComponent('/dash/greeting')}&via=n3&serializable=1`)).json;
    expect(got).toMatchObject({ text: '"hello world"', aside: 'serializable: this member\'s own copy, maybe stale (via n3)' });
    expect(got.outcome.answer.value.found).toMatchObject({ key: '/dash/greeting', value: 'hello world' });

    expect((await call(port, 'GET', '/api/key?key=%2Fdash%2Fnope')).json).toMatchObject({ ok: false, text: 'no key "/dash/nope" (never written, or deleted)' });
    expect((await post(dashboard, '/api/delete', { key: '/dash/nope' })).json).toMatchObject({ ok: false, text: 'no key "/dash/nope": nothing deleted' });
    expect((await post(dashboard, '/api/delete', { key: '/dash/greeting' })).json.text).toMatch(/^deleted \/dash\/greeting at revision \d+$/);

    // A member that is down: its one line, and without via, the next member answers.
    expect((await post(dashboard, '/api/fault', { kind: 'kill', member: 'n3' })).json).toMatchObject({ ok: true, text: 'killed n3 (SIGKILL)' });
    try {
      expect((await call(port, 'GET', '/api/key?key=k&via=n3')).json).toMatchObject({ ok: false, text: 'n3 refuses connections: it is not running' });
      expect((await post(dashboard, '/api/put', { key: '/dash/k', value: 'v', via: 'n3' })).json.text).toBe('n3 refuses connections: it is not running. The write was not confirmed; it may still be committed later.');
      expect((await post(dashboard, '/api/put', { key: '/dash/k', value: 'v' })).json.ok).toBe(true);
    } finally {
      expect((await post(dashboard, '/api/fault', { kind: 'restart', member: 'n3' })).json.text).toMatch(/^n3 is running again, with its data \(\d+\.\d s\)$/);
    }
    // Every write is in the event log, with who answered.
    const writes = dashboard.monitor.log.filter((e) => e.kind === 'write');
    expect(writes.find((e) => e.title === 'put /dash/greeting = "hello world"')).toMatchObject({ ok: true, aside: '(via n2)' });
    expect(writes.find((e) => e.title === 'delete /dash/nope')).toMatchObject({ ok: false, text: 'no key "/dash/nope": nothing deleted' });
  }, 90_000);

  test('the dashboard\'s faults: each one\'s result, a refusal when the member\'s state makes it pointless, and the member table after it', async () => {
    const { port } = dashboard;
    const fault = async (body: unknown) => (await post(dashboard, '/api/fault', body)).json;
    const member = async (name: string) => (await call(port, 'GET', '/api/status')).json.members.find((m: { name: string }) => m.name === name);

    expect(await fault({ kind: 'pause', member: 'n1' })).toMatchObject({ ok: true, text: 'paused n1 (SIGSTOP): it holds its connections and answers nothing' });
    expect(await member('n1')).toMatchObject({ condition: 'paused', answering: false });
    expect(await fault({ kind: 'pause', member: 'n1' })).toMatchObject({ ok: false, text: 'n1 is paused already' });
    expect(await fault({ kind: 'restart', member: 'n1' })).toMatchObject({ ok: false, text: 'n1 is paused, not down: resume n1' });
    expect(await fault({ kind: 'resume', member: 'n1' })).toMatchObject({ ok: true, text: 'resumed n1 (SIGCONT)' });
    expect(await fault({ kind: 'resume', member: 'n1' })).toMatchObject({ ok: false, text: 'n1 is not paused' });

    expect(await fault({ kind: 'kill', member: 'n2' })).toMatchObject({ ok: true, text: 'killed n2 (SIGKILL)' });
    expect(await member('n2')).toMatchObject({ condition: 'down', answering: false });
    expect(await fault({ kind: 'kill', member: 'n2' })).toMatchObject({ ok: false, text: 'n2 is not running already' });
    expect(await fault({ kind: 'pause', member: 'n2' })).toMatchObject({ ok: false, text: 'n2 is not running: restart n2' });
    expect((await fault({ kind: 'restart', member: 'n2' })).ok).toBe(true);
    expect(await fault({ kind: 'restart', member: 'n2' })).toMatchObject({ ok: false, text: 'n2 is running already' });
    expect(await member('n2')).toMatchObject({ condition: 'up', answering: true });

    expect(await fault({ kind: 'partition', groups: [['n1', 'n2'], ['n3']] })).toMatchObject({ ok: true, text: 'partitioned {n1 n2} | {n3}' });
    expect((await member('n3')).isolatedFrom).toEqual(['n1', 'n2']);
    expect((await member('n1')).isolatedFrom).toEqual(['n3']);
    expect(await fault({ kind: 'isolate', member: 'n1' })).toMatchObject({ ok: true, text: 'isolated n1 from every other member' });
    expect((await member('n1')).isolatedFrom).toEqual(['n2', 'n3']);
    expect(await fault({ kind: 'heal' })).toMatchObject({ ok: true, text: 'every link restored' });
    expect((await call(port, 'GET', '/api/status')).json.members.map((m: { isolatedFrom: string[] }) => m.isolatedFrom)).toEqual([[], [], []]);
    expect(dashboard.monitor.log.filter((e) => e.kind === 'fault').map((e) => e.title)).toEqual(expect.arrayContaining(['pause n1', 'kill n2', 'restart n2', 'partition {n1 n2} | {n3}', 'isolate n1', 'heal']));
  }, 90_000);

  test('the dashboard\'s event stream: hello, live states with each member\'s copy, the log; a partitioned member\'s copy goes stale and catches up after heal', async () => {
    const { port } = dashboard;
    const key = '/dash/replicated';
    expect((await post(dashboard, '/api/put', { key, value: 'one' })).json.ok).toBe(true);
    const stream = events(port, [key]);
    try {
      await stream.opened;
      const hello = await stream.next('hello', undefined, 15_000, 0);
      expect(hello.info).toMatchObject({ kind: 'faults', members: ['n1', 'n2', 'n3'], faults: true, intervalMs: 500 });
      expect(hello.history.length).toBeGreaterThan(0);
      expect(hello.log.length).toBeGreaterThan(0);
      // Every member holds "one", with the same mod revision.
      const copiesOf = (state: Json) => Object.fromEntries(state.copies.map((c: Json) => [c.member, c.copies?.[key]?.value ?? c.error]));
      await stream.next('state', (s) => Object.values(copiesOf(s)).every((v) => v === 'one'), 15_000, 0);
      const state = await stream.next('state');
      expect(state.members).toHaveLength(3);
      expect(state.agreement.verdict).toBe('same');
      expect(state.sample.members.n1).toMatchObject({ c: 'up', a: true });
      // States come about twice a second while a page is open (every 2 s without one); loosely, for busy machines.
      const before = stream.received.filter((e) => e.event === 'state').length;
      await new Promise((r) => setTimeout(r, 3000));
      expect(stream.received.filter((e) => e.event === 'state').length - before).toBeGreaterThanOrEqual(2);

      // n3 on the far side of a partition keeps "one" while the majority writes "two".
      await post(dashboard, '/api/fault', { kind: 'partition', groups: [['n1', 'n2'], ['n3']] });
      let wrote = false;
      for (let i = 0; i < 20 && !wrote; i++) wrote = (await post(dashboard, '/api/put', { key, value: 'two', via: 'n1' })).json.ok;
      expect(wrote, 'the majority side never took the write').toBe(true);
      const log = await stream.next('log', (e) => e.title === `put ${key} = "two"` && e.ok);
      expect(log).toMatchObject({ kind: 'write', aside: '(via n1)' });
      const stale = await stream.next('state', (s) => copiesOf(s).n1 === 'two' && copiesOf(s).n2 === 'two');
      expect(copiesOf(stale).n3).toBe('one');
      expect(stale.agreement.verdict).toBe('behind');
      expect(stale.agreement.text).toMatch(/behind: n3 at revision \d+/);

      await post(dashboard, '/api/fault', { kind: 'heal' });
      const caughtUp = await stream.next('state', (s) => copiesOf(s).n3 === 'two', 20_000);
      const revisions = caughtUp.copies.map((c: Json) => c.copies[key].modRevision);
      expect(new Set(revisions).size).toBe(1);
      await stream.next('state', (s) => s.agreement.verdict === 'same', 20_000);
      expect(stream.received.some((e) => e.event === 'log' && e.data.title === 'heal')).toBe(true);
    } finally {
      stream.close();
      await post(dashboard, '/api/fault', { kind: 'heal' });
    }
  }, 90_000);
});

test('the dashboard on a cluster that is not its own: status and keys, and no fault controls', async () => {
  const cluster = testCluster();
  const ops = new ClusterOperations({
    connection: { endpoints: cluster.endpoints }, namespace: '/students/dashboard-test/',
    members: cluster.members.map((m) => ({ name: m.name, endpoint: m.clientUrls[0] })), processes: () => cluster.memberStates(),
  });
  const dashboard = await startDashboard({ ops, port: 0 });
  try {
    const status = (await call(dashboard.port, 'GET', '/api/status')).json;
    expect(status.members.map((m: { condition: string; answering: boolean }) => [m.condition, m.answering])).toEqual(cluster.members.map(() => ['up', true]));
    expect(status.members.filter((m: { isLeader: boolean }) => m.isLeader)).toHaveLength(1);
    expect((await call(dashboard.port, 'GET', '/api/info')).json).toMatchObject({ kind: 'local', faults: false, namespace: '/students/dashboard-test/' });
    expect((await post(dashboard, '/api/put', { key: 'k', value: 'v' })).json.ok).toBe(true);
    expect((await post(dashboard, '/api/delete', { key: 'k' })).json.ok).toBe(true);
    const fault = await post(dashboard, '/api/fault', { kind: 'kill', member: cluster.members[0].name });
    expect(fault.status).toBe(403);
    expect(fault.json.error).toMatch(/this dashboard has no fault controls: they need members of its own \(npm run dashboard -- --faults\)/);
  } finally {
    await dashboard.close();
    ops.close();
  }
});

/** Waits for a line of the child's output that matches. */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs / 1000} s for ${pattern}; the command printed:\n${text}`)), timeoutMs);
    const look = (d: Buffer) => {
      text += d.toString();
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
  });
}

test('npm run dashboard -- --faults prints its address, and SIGTERM stops it with its members and their folder', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/dashboard.ts', '--faults', '--nodes', '1', '--port', '0'], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const [, url, port] = await waitForOutput(child, /etcd dashboard on 1 members of its own \(n1\), with fault controls: (http:\/\/127\.0\.0\.1:(\d+)\/)/, 60_000);
    expect((await call(Number(port), 'GET', '/')).status).toBe(200);
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    const folder = (existsSync(paths.clusterState) ? readdirSync(paths.clusterState) : []).filter((d) => d.startsWith(`dashboard-${child.pid}-`));
    expect(folder).toHaveLength(1);
    expect(etcdProcessesMentioning(`dashboard-${child.pid}-`)).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(etcdProcessesMentioning(`dashboard-${child.pid}-`), 'members left running').toEqual([]);
    expect(readdirSync(paths.clusterState).filter((d) => d.startsWith(`dashboard-${child.pid}-`)), 'folder left behind').toEqual([]);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 90_000);

test('npm run dashboard: a port that is taken, and --faults with --endpoints, are one line and the fix', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const run = await cli('dashboard', ['--endpoints', testCluster().endpoints.join(','), '--port', String(port)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error\\[\\w+\\]: port ${port} on 127\\.0\\.0\\.1 is taken .*\\n {2}fix: npm run dashboard -- --port 0`));
  } finally {
    taken.close();
  }
  const both = await cli('dashboard', ['--faults', '--endpoints', 'http://127.0.0.1:2379']);
  expect(both.code).toBe(1);
  expect(both.stderr).toMatch(/--faults starts a cluster of its own; it cannot hurt one given by --connection or --endpoints/);
}, 60_000);
