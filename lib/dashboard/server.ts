/**
 * `npm run dashboard`'s web server (node:http, nothing else): the page, its
 * static files, the JSON API (api.ts) and the server-sent events of the
 * monitor (monitor.ts).
 *
 * Safe by default, since the page can kill members and write keys:
 * - it listens on 127.0.0.1 only;
 * - every request must name this server in its Host header
 *   (127.0.0.1:<port> or localhost:<port>): a page of another site that
 *   rebinds its DNS name to 127.0.0.1 is turned away;
 * - every POST carries the token of this run (a random value written into
 *   the page, which other sites cannot read) in X-Dashboard-Token, as JSON;
 * - a bad request gets a 4xx with a message; an error of ours a 500 with
 *   one; neither stops the server;
 * - the page may load nothing but its own files (Content-Security-Policy).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterOperations } from '../playground/operations.ts';
import { Api, HttpError, type Info } from './api.ts';
import { HISTORY_MS, INTERVAL_MS, Monitor } from './monitor.ts';

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
/** The largest body a POST may have (a value up to etcd's own limit of 1.5 MiB is not for a web form). */
const MAX_BODY = 1024 * 1024;
/** Keys one page may follow in the replication view. */
const MAX_FOLLOWED = 12;
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export interface DashboardOptions {
  ops: ClusterOperations;
  /** 0: any free port. */
  port: number;
  /** Errors of the server itself (a failed look at the cluster): not shown to the page. */
  onError?: (error: unknown) => void;
}

export interface Dashboard {
  url: string;
  port: number;
  /** The token POSTs must carry (tests use it; the page reads it from itself). */
  token: string;
  monitor: Monitor;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { ops } = options;
  const token = randomBytes(24).toString('hex');
  const monitor = new Monitor(ops, options.onError);
  const info: Info = { kind: ops.kind, members: ops.memberNames, namespace: ops.namespace, faults: ops.hasFaults, intervalMs: INTERVAL_MS, historyMs: HISTORY_MS };
  const api = new Api(ops, monitor, info);
  const files = pageFiles();
  const streams = new Set<ServerResponse>();
  let port = 0;

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      if (error instanceof HttpError) return fail(response, error.status, error.message);
      options.onError?.(error);
      fail(response, 500, `the dashboard failed: ${(error as Error).message?.split('\n')[0]}`);
    });
  });
  // A request node cannot even parse: a 400, never a crash.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const host = (request.headers.host ?? '').toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return fail(response, 403, `Host ${JSON.stringify(request.headers.host ?? '')} is not this dashboard: open http://127.0.0.1:${port}/`);
    }
    const url = new URL(request.url ?? '/', `http://${host}`);
    const method = request.method ?? 'GET';
    if (method === 'POST') {
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return fail(response, 403, `requests from ${origin} are not accepted`);
      if (!tokenMatches(request.headers['x-dashboard-token'], token)) return fail(response, 403, 'missing or wrong X-Dashboard-Token: reload the page (each run of the dashboard has its own token)');
      if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) return fail(response, 415, 'send JSON (Content-Type: application/json)');
    } else if (method !== 'GET' && method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD, POST');
      return fail(response, 405, `${method} is not used here: GET to read, POST to act`);
    }

    if (url.pathname === '/api/events') {
      if (method !== 'GET') return fail(response, 405, '/api/events takes GET');
      return openStream(url, response);
    }
    if (url.pathname.startsWith('/api/')) {
      let body: unknown;
      if (method === 'POST') body = await readJson(request);
      const result = await api.handle({ method: method === 'HEAD' ? 'GET' : method, path: url.pathname, query: url.searchParams, body });
      return send(response, 200, 'application/json; charset=utf-8', JSON.stringify(result), method === 'HEAD');
    }
    if (method === 'POST') return fail(response, 404, `nothing to POST to at ${url.pathname}`);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const html = files.get('index.html')!.body.toString().replace('__DASHBOARD_TOKEN__', token);
      return send(response, 200, TYPES['.html'], html, method === 'HEAD');
    }
    const file = url.pathname.startsWith('/page/') ? files.get(url.pathname.slice('/page/'.length)) : undefined;
    if (!file) return fail(response, 404, `no such page: ${url.pathname}`);
    return send(response, 200, file.type, file.body, method === 'HEAD');
  }

  /** Server-sent events: `hello` (info, timeline, log), then `state` about twice a second and `log` as things happen. */
  function openStream(url: URL, response: ServerResponse): void {
    const keys = [...new Set(url.searchParams.getAll('key'))];
    const wrong = keys.length > MAX_FOLLOWED ? `follow at most ${MAX_FOLLOWED} keys at once` : keys.includes('') ? 'a followed key cannot be empty' : undefined;
    if (wrong) {
      fail(response, 400, wrong);
      return;
    }
    response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    response.flushHeaders();
    const send = (event: string, data: unknown) => {
      if (!response.writableEnded) response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    response.write('retry: 1000\n\n');
    send('hello', { info, history: monitor.history, log: monitor.log, latest: monitor.latest });
    streams.add(response);
    const unsubscribe = monitor.subscribe({ keys, send });
    response.on('close', () => {
      unsubscribe();
      streams.delete(response);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as { port: number }).port;
  monitor.start();

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    token,
    monitor,
    async close() {
      await monitor.stop();
      for (const stream of streams) stream.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The page's files, read once: nothing outside lib/dashboard/page/ can be served. */
function pageFiles(): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(PAGE_DIR)) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, { type, body: readFileSync(join(PAGE_DIR, name)) });
  }
  return files;
}

function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => new HttpError(413, `the body is larger than ${MAX_BODY / 1024} KiB`);
    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY) {
      request.resume(); // read and drop it, so that the answer arrives
      return reject(tooLarge());
    }
    request.on('data', (chunk: Buffer) => {
      const before = size;
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
      else if (before <= MAX_BODY) {
        chunks.length = 0;
        reject(tooLarge()); // the rest is read and dropped, so that the answer arrives
      }
    });
    request.on('error', reject);
    request.on('end', () => {
      if (size > MAX_BODY) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
      } catch (error) {
        reject(new HttpError(400, `the body is not JSON: ${(error as Error).message}`));
      }
    });
  });
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headOnly = false): void {
  if (response.headersSent) return;
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(headOnly ? undefined : body);
}

function fail(response: ServerResponse, status: number, message: string): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify({ error: message }));
}
