/**
 * Lab 11 · TLS and auth: a secured cluster, and a user who can only read (reference solution)
 */
import { Etcd3 } from 'etcd3';

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
  return new Etcd3({
    hosts: opts.endpoints,
    // gRPC's createSsl(rootCerts, privateKey, certChain): TLS that trusts only
    // our CA, and our certificate for the server's client-cert-auth.
    credentials: { rootCertificate: opts.caCert, privateKey: opts.clientKey, certChain: opts.clientCert },
    // The password decides who we are; without it etcd would take the
    // certificate's common name as the user.
    auth: { username: opts.username, password: opts.password },
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 2000 }),
  });
}

/**
 * Creates `username` (with `password`) and a role for it that can read every
 * key under `prefix` and nothing else: no writes, no reads outside. Resolves
 * once the user can read its prefix. `root` is a client that acts as etcd's
 * root user.
 */
export async function createReadOnlyUser(root: Etcd3, username: string, password: string, prefix: string): Promise<void> {
  const role = root.role(`read-only:${username}`);
  await role.create();
  // A prefix is the range [prefix, prefix with its last byte + 1): exactly the keys that start with it.
  await role.grant({ permission: 'Read', range: root.range({ prefix }) });
  const user = await root.user(username).create(password);
  await user.addRole(role);
}
