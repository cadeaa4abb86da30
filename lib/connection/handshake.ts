/**
 * What a connection to one member comes to below gRPC: TCP, then TLS, then
 * the first HTTP/2 frame.
 *
 * etcd3 reports every failure at these levels as
 * "14 UNAVAILABLE: No connection established. Last error: …", and once a
 * client logs in with a password the reason is lost on the way ("Last error:
 * null"): etcd3 logs in through a gRPC client of its own. So when a cluster
 * does not answer, the runner asks again here, with the same CA, certificate
 * and key, and can say which step failed and why.
 *
 * ```ts
 * const outcome = await handshake('https://127.0.0.1:2479', connection.tls);
 * if (outcome.kind !== 'ok') console.log(outcome.kind, outcome.detail);
 * ```
 */
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TlsPem } from './connection.ts';

export type HandshakeKind =
  /** TCP, TLS (when asked for) and HTTP/2 all answered: whatever failed, failed above them. */
  | 'ok'
  /** Nothing listens there (ECONNREFUSED). */
  | 'refused'
  /** The host name does not resolve. */
  | 'unresolved'
  /** Something accepts connections there and never answers (a hung or paused member, a silent firewall). */
  | 'silent'
  /** TLS was asked for, and the member speaks plain http. */
  | 'server-plain'
  /** Plain http was used, and the member wants TLS. */
  | 'server-tls'
  /** The member's certificate is not signed by the CA the client trusts. */
  | 'server-untrusted'
  /** The member's certificate has expired (or is not valid yet). */
  | 'server-expired'
  /** The member's certificate does not name the host the client dialled. */
  | 'wrong-host'
  /** The member asked for a client certificate and the client had none. */
  | 'client-cert-missing'
  /** The member refused the client's certificate (signed by a CA it does not trust, or expired). */
  | 'client-cert-refused'
  /** The client's certificate and key are not a pair, or not PEM at all: the client cannot even start. */
  | 'client-cert-broken'
  /** The member closed the connection for a reason this module does not know. */
  | 'closed';

/** What each outcome means, in a sentence (lab 11 shows these next to etcd3's error texts). */
export const HANDSHAKE_MEANING: Record<HandshakeKind, string> = {
  ok: 'the connection works: TCP, TLS and HTTP/2 all answered',
  refused: 'nothing listens at that address',
  unresolved: 'the host name does not resolve',
  silent: 'something accepts the connection and never answers',
  'server-plain': 'the member speaks plain http and resets a TLS hello',
  'server-tls': 'the member wants TLS and hangs up on a connection that starts with anything else',
  'server-untrusted': 'the client cannot trace the member\'s certificate to a CA it trusts, so the client ends the handshake itself',
  'server-expired': 'the member\'s certificate is out of date, so the client ends the handshake',
  'wrong-host': 'the member\'s certificate does not name the host the client dialled',
  'client-cert-missing': 'the member asked for a client certificate (client-cert-auth), got none, and ended the handshake with TLS alert 42 "bad certificate"',
  'client-cert-refused': 'the member could not trace the client\'s certificate to a CA it trusts, and ended the handshake with TLS alert 42 "bad certificate"',
  'client-cert-broken': 'the client\'s certificate and key are not a pair (or not PEM), so no connection is even tried',
  closed: 'the member hung up for a reason the handshake does not show',
};

export interface Handshake {
  kind: HandshakeKind;
  /** What Node's TLS or socket layer said, for the curious (empty when ok). */
  detail: string;
}

const HTTP2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
/** Byte 3 of an HTTP/2 frame header is its type; a server's first frame is SETTINGS (4). */
const SETTINGS_FRAME = 4;

const SERVER_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
]);
const SERVER_EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
/** Alerts a server sends about the client's certificate (Go's crypto/tls sends 42 "bad certificate"; TLS 1.3 servers may send 116). */
const CLIENT_CERT_ALERT = /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|HANDSHAKE_FAILURE)$/;

function classify(error: NodeJS.ErrnoException, hasClientCert: boolean, secured: boolean): HandshakeKind {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unresolved';
  if (SERVER_UNTRUSTED.has(code)) return 'server-untrusted';
  if (SERVER_EXPIRED.has(code)) return 'server-expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'wrong-host';
  if (CLIENT_CERT_ALERT.test(code)) return hasClientCert ? 'client-cert-refused' : 'client-cert-missing';
  if (/^ERR_OSSL_(X509_KEY_VALUES_MISMATCH|PEM_|ASN1_)|^ERR_OSSL_.*DECODER/.test(code)) return 'client-cert-broken';
  // A TLS hello to a plain member is answered by closing the connection before the handshake.
  if (secured && (code === 'ECONNRESET' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG')) return 'server-plain';
  return 'closed';
}

function target(endpoint: string): { host: string; port: number } {
  const url = new URL(endpoint);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}

/**
 * Runs `open` and waits for the member's first HTTP/2 frame: 'ok' once it
 * comes, the failure otherwise, 'silent' after `timeoutMs`.
 */
function exchange(open: () => Socket, opened: 'connect' | 'secureConnect', hasClientCert: boolean, secured: boolean, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    const finish = (outcome: Handshake) => {
      clearTimeout(timer);
      socket?.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'silent', detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    try {
      socket = open();
    } catch (error) {
      finish({ kind: classify(error as NodeJS.ErrnoException, hasClientCert, secured), detail: (error as Error).message });
      return;
    }
    socket.once(opened, () => socket!.write(HTTP2_PREFACE));
    socket.on('data', (chunk: Buffer) => {
      finish(chunk.length >= 4 && chunk[3] === SETTINGS_FRAME ? { kind: 'ok', detail: '' } : { kind: 'closed', detail: `answered with ${JSON.stringify(chunk.subarray(0, 40).toString('latin1'))}` });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ kind: classify(error, hasClientCert, secured), detail: error.message.split('\n')[0] }));
    socket.on('close', () => finish({ kind: 'closed', detail: 'the member closed the connection without a word' }));
  });
}

function plain(host: string, port: number, timeoutMs: number): Promise<Handshake> {
  return exchange(() => tcpConnect({ host, port }), 'connect', false, false, timeoutMs);
}

function secure(host: string, port: number, tls: TlsPem | undefined, timeoutMs: number, verify = true): Promise<Handshake> {
  return exchange(() => tlsConnect({
    host, port,
    // What gRPC does: the name checked against the certificate is the host dialled.
    servername: isIP(host) ? undefined : host,
    ca: tls?.ca, cert: tls?.cert, key: tls?.key,
    rejectUnauthorized: verify,
    ALPNProtocols: ['h2'],
  }), 'secureConnect', Boolean(tls?.cert), true, timeoutMs);
}

/**
 * How far a client with `tls` (or none: plain http) gets with the member at
 * `endpoint`. As etcd3 does, TLS is used when `tls` is given, whatever the
 * URL's scheme says.
 */
export async function handshake(endpoint: string, tls: TlsPem | undefined, timeoutMs = 2000): Promise<Handshake> {
  const { host, port } = target(endpoint);
  if (tls) {
    const outcome = await secure(host, port, tls, timeoutMs);
    // A reset during the TLS hello: confirm that the member speaks plain http before saying so.
    if (outcome.kind === 'server-plain') return (await plain(host, port, timeoutMs)).kind === 'ok' ? outcome : { ...outcome, kind: 'closed' };
    return outcome;
  }
  const outcome = await plain(host, port, timeoutMs);
  if (outcome.kind !== 'closed') return outcome;
  // A member that wants TLS closes a plain connection at once: see whether it takes a TLS hello.
  const asTls = await secure(host, port, undefined, timeoutMs, false);
  return asTls.kind === 'ok' || asTls.kind === 'client-cert-missing' ? { kind: 'server-tls', detail: outcome.detail } : outcome;
}
