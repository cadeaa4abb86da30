/**
 * How to reach a cluster: endpoints, and for a secured one the CA, a client
 * certificate and a user. The runner, the lab processes, the test kit and the
 * instructor's `npm run class` all build their etcd3 clients from this, so a
 * TLS + auth cluster works everywhere the local one does.
 */
import type { IOptions } from 'etcd3';
import { noop } from 'cockatiel';

// gRPC sets TLS's server name to the host of the endpoint, and Node warns
// (DEP0123) when that is an IP, as in https://127.0.0.1:2379. etcd3's login
// client cannot be told otherwise, and the warning would land in the middle
// of a student's task list: this process drops that one warning.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
  if (code !== 'DEP0123') emitWarning(warning, ...rest);
}) as typeof process.emitWarning;

/** PEM text (not paths): it crosses process boundaries as it is. */
export interface TlsPem {
  /** The CA that signed the cluster's server certificates. */
  ca: string;
  /** A client certificate and its key (clusters with client-cert-auth). */
  cert?: string;
  key?: string;
}

export interface Credentials {
  username: string;
  password: string;
}

export interface Connection {
  endpoints: string[];
  auth?: Credentials;
  tls?: TlsPem;
}

/** A list of endpoints is a connection without TLS or auth. */
export function asConnection(access: Connection | string[]): Connection {
  return Array.isArray(access) ? { endpoints: access } : access;
}

/** etcd3 options for a connection; every unary call gets `deadlineMs` (streams are unbounded). */
/**
 * etcd3 options for a connection. `singleAttempt`: no retries and no circuit
 * breaker (etcd3 otherwise makes up to 3 attempts, on any member, and refuses a
 * member for 5 s after 3 failures): for the runner's own measurements, where
 * one call must be one request to one member.
 */
export function clientOptions(connection: Connection, deadlineMs?: number, options: { singleAttempt?: boolean } = {}): IOptions {
  const { tls } = connection;
  return {
    faultHandling: options.singleAttempt ? { host: () => noop, global: noop } : undefined,
    hosts: connection.endpoints,
    auth: connection.auth,
    credentials: tls
      ? {
        rootCertificate: Buffer.from(tls.ca),
        privateKey: tls.key ? Buffer.from(tls.key) : undefined,
        certChain: tls.cert ? Buffer.from(tls.cert) : undefined,
      }
      : undefined,
    defaultCallOptions: deadlineMs ? (context) => (context.isStream ? {} : { deadline: Date.now() + deadlineMs }) : undefined,
  };
}
