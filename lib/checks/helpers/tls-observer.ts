/**
 * A stand-in member that watches how a client connects, for lab 11's
 * explanations: it presents the lab cluster's own server certificate, asks
 * for a client certificate like `client-cert-auth` does, and records the
 * first connection's handshake, then hangs up.
 *
 * The cluster can only say "refused"; this says why, from what the client
 * did on the wire: plain bytes instead of a TLS hello, a handshake the client
 * ended because it did not trust the server, no client certificate, or a
 * certificate other than the one it was given.
 *
 * ```ts
 * const observer = await tlsObserver({ server, ca, expectedClientCert });
 * // point the student's client at observer.endpoint and make one call, then:
 * const seen = await observer.seen(500);
 * await observer.close();
 * ```
 */
import { X509Certificate } from 'node:crypto';
import { type Socket, createServer } from 'node:net';
import { type PeerCertificate, type TLSSocket, createServer as createTlsServer } from 'node:tls';
import type { Pem } from '../../certs/x509.ts';

/** A TLS record of type 22 (handshake) opens every TLS connection. */
const TLS_HANDSHAKE_RECORD = 0x16;

export type ClientConduct =
  /** The client sent plain bytes (shown in `detail`), not a TLS hello. */
  | { kind: 'plain'; detail: string }
  /** The client ended the handshake: it did not accept the server's certificate. */
  | { kind: 'distrusts-server'; detail: string }
  /** The client finished the handshake without a certificate. */
  | { kind: 'no-certificate' }
  /** The client showed a certificate other than the one it was given. */
  | { kind: 'other-certificate'; detail: string }
  /** The client showed the certificate it was given: TLS is right. */
  | { kind: 'given-certificate' }
  /** The client never connected. */
  | { kind: 'never-connected' };

export interface TlsObserver {
  endpoint: string;
  /** The first connection's conduct: at once if one was seen, else the first within `graceMs`, else never-connected. */
  seen(graceMs: number): Promise<ClientConduct>;
  close(): Promise<void>;
}

function describeCertificate(cert: PeerCertificate): string {
  return `CN=${cert.subject?.CN ?? '?'}, signed by "${cert.issuer?.CN ?? '?'}"`;
}

export async function tlsObserver(options: { server: Pem; ca: string; expectedClientCert: string }): Promise<TlsObserver> {
  const expected = new X509Certificate(options.expectedClientCert).fingerprint256;
  let first: ClientConduct | undefined;
  let noticed: (() => void) | undefined;
  const record = (conduct: ClientConduct) => {
    first ??= conduct;
    noticed?.();
  };
  const sockets = new Set<Socket>();

  const tlsServer = createTlsServer({
    cert: options.server.cert, key: options.server.key, ca: options.ca,
    requestCert: true, rejectUnauthorized: false, ALPNProtocols: ['h2'],
  });
  tlsServer.on('secureConnection', (socket: TLSSocket) => {
    const peer = socket.getPeerCertificate();
    if (!peer || Object.keys(peer).length === 0) record({ kind: 'no-certificate' });
    else if (peer.fingerprint256 === expected) record({ kind: 'given-certificate' });
    else record({ kind: 'other-certificate', detail: describeCertificate(peer) });
    socket.destroy();
  });
  tlsServer.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
    record({ kind: 'distrusts-server', detail: (error.code ?? error.message).replace(/^ERR_SSL_/, '').toLowerCase().replace(/_/g, ' ') });
    socket.destroy();
  });

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', (chunk: Buffer) => {
      if (chunk[0] !== TLS_HANDSHAKE_RECORD) {
        record({ kind: 'plain', detail: JSON.stringify(chunk.subarray(0, 16).toString('latin1')) });
        socket.destroy();
        return;
      }
      // Hand the connection, first bytes included, to the TLS server.
      socket.pause();
      socket.unshift(chunk);
      tlsServer.emit('connection', socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    endpoint: `https://127.0.0.1:${port}`,
    seen: (graceMs) => new Promise((resolve) => {
      if (first) return resolve(first);
      const timer = setTimeout(() => resolve(first ?? { kind: 'never-connected' }), graceMs);
      noticed = () => {
        clearTimeout(timer);
        resolve(first!);
      };
    }),
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
