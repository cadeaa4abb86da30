/**
 * Cheap questions to a member without gRPC: is its port free, is it healthy.
 * Used while starting a cluster, where every millisecond is a student waiting.
 */
import { get } from 'node:http';
import { createServer } from 'node:net';

/** Whether nothing listens on host:port (we can bind it ourselves). */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** etcd's /health: true when the member answers and sees a leader. */
export function healthy(clientUrl: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(new URL('/health', clientUrl), { timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 && /"health":\s*"true"/.test(body)));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
