/**
 * One HTTP request to a student's key/value service, as lab 16's clients send
 * it: a new connection each time (a killed service must not leave a pooled
 * socket behind), times on the runner's one monotonic clock.
 *
 * A request has two deadlines. At `giveUpMs` the client stops waiting and
 * treats the request as timed out (its outcome is unknown; it may retry
 * elsewhere); the connection stays open until `hangMs`, so that an answer
 * that comes late is still seen, and one that never comes is known to hang.
 */
import { request as httpRequest } from 'node:http';

export type Reply =
  | { kind: 'answer'; status: number; body: string; json?: unknown; sentAt: number; at: number }
  /** Nothing listens on the port: the request was never received, certainly not applied. */
  | { kind: 'refused'; error: string; sentAt: number; at: number }
  /** The connection broke (the process died, the socket was reset) before a whole answer came. */
  | { kind: 'reset'; error: string; sentAt: number; at: number }
  /** No answer within the limit. */
  | { kind: 'timeout'; sentAt: number; at: number };

export interface Sent {
  /** Settles at the answer, or at `giveUpMs` with kind timeout. */
  reply: Promise<Reply>;
  /** Settles at the answer, or at `hangMs` with kind timeout (then the connection is closed). */
  final: Promise<Reply>;
}

export interface SendOptions {
  giveUpMs: number;
  hangMs?: number;
  /** Sent as it is (a malformed body on purpose). */
  rawBody?: string;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export function send(port: number, method: string, path: string, options: SendOptions): Sent {
  const sentAt = performance.now();
  const hangMs = Math.max(options.hangMs ?? options.giveUpMs, options.giveUpMs);
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  let settle!: (reply: Reply) => void;
  const final = new Promise<Reply>((resolve) => (settle = resolve));
  let done = false;
  const finish = (reply: Reply) => {
    if (done) return;
    done = true;
    clearTimeout(hangTimer);
    settle(reply);
  };
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method,
    path,
    agent: false,
    headers: {
      connection: 'close',
      ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      ...options.headers,
    },
  }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      finish({ kind: 'answer', status: res.statusCode ?? 0, body, json, sentAt, at: performance.now() });
    });
    res.on('error', (error) => finish({ kind: 'reset', error: error.message, sentAt, at: performance.now() }));
  });
  req.on('error', (error: NodeJS.ErrnoException) => {
    finish({ kind: error.code === 'ECONNREFUSED' ? 'refused' : 'reset', error: error.code ?? error.message, sentAt, at: performance.now() });
  });
  const hangTimer = setTimeout(() => {
    finish({ kind: 'timeout', sentAt, at: performance.now() });
    req.destroy();
  }, hangMs);
  req.end(payload);
  const reply = new Promise<Reply>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'timeout', sentAt, at: performance.now() }), options.giveUpMs);
    void final.then((r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
  return { reply, final };
}

/** A reply in a few words, for messages: `503 {"applied":false}`, `no answer within 4 s`, `connection reset`. */
export function describeReply(reply: Reply, limitMs?: number): string {
  switch (reply.kind) {
    case 'answer':
      return `${reply.status} ${reply.body.length > 120 ? `${reply.body.slice(0, 117)}...` : reply.body || '(empty body)'}`;
    case 'refused':
      return 'connection refused (nothing listens on the port)';
    case 'reset':
      return `the connection broke before an answer (${reply.error})`;
    case 'timeout':
      return `no answer within ${((limitMs ?? reply.at - reply.sentAt) / 1000).toFixed(0)} s`;
  }
}
