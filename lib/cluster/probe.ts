/**
 * Cheap questions to a member without gRPC: is its port free, is it healthy.
 * Used while starting a cluster, where every millisecond is a student waiting.
 */
import { get } from 'node:http';
import { get as getTls } from 'node:https';
import { createServer } from 'node:net';

/** What a health probe of a TLS member shows: its CA, and a certificate with its key. */
export interface ProbeTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** Whether nothing listens on host:port (we can bind it ourselves). */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * etcd's /health: true when the member answers and sees a leader (or, with
 * `anyAnswer`, when it answers at all: a member cut off from the others is
 * serving, without a leader). A TLS member is asked over https with its own
 * certificate (which is also a client certificate), since client-cert-auth
 * refuses clients without one.
 */
export function healthy(clientUrl: string, timeoutMs = 500, tls?: ProbeTls, anyAnswer = false): Promise<boolean> {
  return new Promise((resolve) => {
    const url = new URL('/health', clientUrl);
    const secure = url.protocol === 'https:';
    const options = secure && tls
      ? { timeout: timeoutMs, ...tls, servername: 'localhost' }
      : { timeout: timeoutMs };
    const request = (secure ? getTls : get)(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(anyAnswer || (response.statusCode === 200 && /"health":\s*"true"/.test(body))));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/** Bases handed out recently by this process: free until the cluster binds them. */
const claimedBases = new Set<number>();
const CLAIM_MS = 60_000;

/**
 * A base port such that base+i, base+1000+i and base+2000+i (i < size) are
 * all free: client, peer and proxy ports of a throw-away cluster.
 */
export async function freePortBase(size: number, from = 26000): Promise<number> {
  for (let base = from; base < from + 3000; base += 50) {
    // Two clusters started at once by one process (tests run lab runs side by side) must not pick the same ports.
    if (claimedBases.has(base)) continue;
    const ports = [0, 1000, 2000].flatMap((offset) => Array.from({ length: size }, (_, i) => base + offset + i));
    if (!(await Promise.all(ports.map((p) => portFree(p)))).every(Boolean) || claimedBases.has(base)) continue;
    claimedBases.add(base);
    setTimeout(() => claimedBases.delete(base), CLAIM_MS).unref();
    return base;
  }
  throw new Error(`no free ports for a ${size}-member cluster between ${from} and ${from + 3000}`);
}
