/**
 * A proxy in front of one member's peer port: network partitions without
 * root, the way etcd's own robustness tests do it in user space.
 *
 * Each member advertises the proxy's URL as its peer URL, so every peer
 * request to member R arrives here. Requests are HTTP/1.1 on reused
 * connections, so every request is parsed (Node's HTTP server does), and the
 * sender is named by its `X-PeerURLs` header (its own advertised URL: its
 * proxy). What the request carries decides which direction it belongs to:
 *
 * - POST /raft, /raft/snapshot (pipeline): messages from the sender to R;
 * - GET /raft/stream/msgapp|message/<id>: the *dialer* receives, so the
 *   response carries messages from R to the sender.
 *
 * A cut link is never answered with an HTTP error (a 403 or 410 tells a
 * member it was removed, and it shuts itself down): the connection is
 * closed ('refuse'), or read and ignored while held open ('blackhole').
 * Exchanges already running on a link that gets cut are closed at once, and
 * held connections are closed on heal (a pipeline POST has no timeout).
 *
 * Leak, documented: /raft/probing, /version, /members and /leases name no
 * sender and are always forwarded, so "is it alive" probes cross a partition.
 * They carry no Raft messages.
 */
import { Agent, type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import type { Links } from './links.ts';

interface Exchange {
  from: string;
  to: string;
  socket: Socket;
  abort: () => void;
}

/** Delays every chunk by the link's current delay, keeping their order. */
class DelayStream extends Transform {
  private last = 0;
  constructor(private readonly ms: () => number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const ms = this.ms();
    if (ms <= 0 && this.last <= Date.now()) {
      done(null, chunk);
      return;
    }
    const at = Math.max(Date.now() + ms, this.last);
    this.last = at;
    setTimeout(() => done(null, chunk), at - Date.now());
  }
}

export class PeerProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly exchanges = new Set<Exchange>();
  /** Blackholed connections, with the link that is cut. */
  private readonly held = new Map<Socket, { from: string; to: string }>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  private unsubscribe?: () => void;

  constructor(
    /** The member behind this proxy. */
    readonly member: string,
    readonly port: number,
    private readonly targetPort: number,
    private readonly links: Links,
    /** A sender's name from its advertised peer URL (a proxy URL). */
    private readonly senderOf: (peerUrl: string) => string | undefined,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 0; // etcd keeps its connections; never close them for idleness
    server.headersTimeout = 0;
    server.requestTimeout = 0;
    server.on('connection', (socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.held.delete(socket);
      });
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.port, host: '127.0.0.1', exclusive: true }, resolve);
    });
    this.server = server;
    this.unsubscribe = this.links.onChange(() => this.enforce());
  }

  /** Closes what the current rules no longer allow, and the held connections of links that healed. */
  private enforce(): void {
    for (const x of this.exchanges) {
      if (this.links.cutMode(x.from, x.to)) {
        x.abort();
        this.exchanges.delete(x);
      }
    }
    for (const [socket, flow] of this.held) {
      if (this.links.cutMode(flow.from, flow.to) === 'blackhole') continue;
      socket.destroy();
      this.held.delete(socket);
    }
  }

  private flowOf(req: IncomingMessage): { from: string; to: string } | undefined {
    const header = req.headers['x-peerurls'];
    const sender = typeof header === 'string' ? this.senderOf(header.split(',')[0]) : undefined;
    if (!sender || !req.url) return undefined;
    if (req.method === 'GET' && req.url.startsWith('/raft/stream/')) return { from: this.member, to: sender };
    if (req.method === 'POST' && req.url.startsWith('/raft')) return { from: sender, to: this.member };
    return undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const flow = this.flowOf(req);
    const mode = flow && this.links.cutMode(flow.from, flow.to);
    if (mode === 'refuse') {
      req.socket.destroy();
      return;
    }
    if (mode === 'blackhole' && flow) {
      req.resume(); // read and discard; never answer
      this.held.set(req.socket, flow);
      return;
    }
    const delay = () => (flow ? this.links.delayMs(flow.from, flow.to) : 0);
    const upstream = request({
      host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers, agent: this.agent,
    }, (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      res.flushHeaders();
      response.pipe(new DelayStream(delay)).pipe(res);
      response.on('error', () => req.socket.destroy());
    });
    const exchange: Exchange | undefined = flow && {
      ...flow,
      socket: req.socket,
      abort: () => {
        upstream.destroy();
        req.socket.destroy();
      },
    };
    if (exchange) {
      this.exchanges.add(exchange);
      res.on('close', () => this.exchanges.delete(exchange));
    }
    // The member behind us is down: the dialer sees a closed connection, as it would without a proxy.
    upstream.on('error', () => req.socket.destroy());
    req.pipe(new DelayStream(delay)).pipe(upstream);
  }

  /** Open client connections (for leak checks). */
  get connections(): number {
    return this.sockets.size;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.sockets.forEach((s) => s.destroy());
    this.agent.destroy();
    if (this.server) await new Promise((resolve) => this.server!.close(resolve));
    this.server = undefined;
  }
}
