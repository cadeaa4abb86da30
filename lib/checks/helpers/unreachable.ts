/**
 * Members that are not there, for checks about connection errors:
 * - a refused endpoint: a port where nothing listens (connect fails at once);
 * - a hung endpoint: a TCP server that accepts and never answers, like a
 *   member stuck on a dead disk or behind a silent firewall.
 */
import { type Socket, createServer } from 'node:net';

export async function refusedEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

export interface HungEndpoint {
  endpoint: string;
  close(): Promise<void>;
}

export async function hungEndpoint(): Promise<HungEndpoint> {
  return watchedHungEndpoint();
}

export interface WatchedHungEndpoint extends HungEndpoint {
  /** When (performance.now()) each connection arrived: who asked it, and when, is state a check can read. */
  connectedAt: number[];
}

/** A hung endpoint that notes when each connection arrived (were members asked in parallel, or one after another?). */
export async function watchedHungEndpoint(): Promise<WatchedHungEndpoint> {
  const sockets = new Set<Socket>();
  const connectedAt: number[] = [];
  const server = createServer((socket) => {
    connectedAt.push(performance.now());
    sockets.add(socket);
    socket.on('data', () => {}); // read and say nothing
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connectedAt,
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
