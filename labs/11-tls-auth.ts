/**
 * Lab 11 · TLS and auth: a secured cluster, and a user who can only read
 *
 * Run the checks:   npm run lab 11
 * Read first:       LAB.md, "Lab 11 · TLS and auth"
 *
 * The checks start their own etcd member for this lab: https only, every
 * client must show a certificate signed by the workbook's CA (certs/ca.crt),
 * and authentication is on. Managed etcd services hand you the same three
 * things the etcd3 notebook started with: a CA certificate, a user name and a
 * password.
 */
import type { Etcd3 } from 'etcd3';
import { todo } from '../lib/kit.ts';

/** What a secured cluster gives you to connect with. Certificates and keys are PEM bytes. */
export interface SecureOptions {
  endpoints: string[];
  /** The CA that signed the cluster's server certificate: trust this one, and only this one. */
  caCert: Buffer;
  /** Your client certificate and its private key (the cluster has client-cert-auth on). */
  clientCert: Buffer;
  clientKey: Buffer;
  username: string;
  password: string;
}

/**
 * A client for a cluster that wants mutual TLS and a login: it trusts
 * `caCert`, presents `clientCert`/`clientKey`, and acts as `username`.
 * Use exactly what you are given: no files read from disk, no client reused
 * from an earlier call.
 */
export function connectSecure(opts: SecureOptions): Etcd3 {
  // TODO: new Etcd3({ hosts, credentials: { ... }, auth: { ... } }).
  todo('connectSecure');
}

/**
 * Creates `username` (with `password`) and a role for it that can read every
 * key under `prefix` and nothing else: no writes, no reads outside. Resolves
 * once the user can read its prefix. `root` is a client that acts as etcd's
 * root user.
 */
export async function createReadOnlyUser(root: Etcd3, username: string, password: string, prefix: string): Promise<void> {
  // TODO: a role, a read permission on the prefix's range, a user, and the role granted to the user.
  todo('createReadOnlyUser');
}
