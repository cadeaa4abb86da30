/**
 * Why a cluster the runner was pointed at (a class cluster, `--endpoints`)
 * does not answer, said so that a student can act on it.
 *
 * gRPC's own words are nearly always "14 UNAVAILABLE: No connection
 * established. Last error: null", whether the cluster is down, the CA is
 * wrong or the client certificate was refused. So the failed connection is
 * tried again one level down (handshake.ts) and the step that
 * failed picks the error: CLUSTER_DOWN when nothing answers, BAD_CONNECTION
 * when the settings are wrong, with the fix for each.
 */
import { inspect } from '../certs/x509.ts';
import { type Handshake, type HandshakeKind, handshake } from './handshake.ts';
import type { Connection } from './connection.ts';
import { classifyEtcdError } from './etcd-errors.ts';
import { ClusterDownError, ConnectionSettingsError, type WorkbookError } from '../errors.ts';

/** Where the settings came from ("class/ana.json", "the command line"), and the error etcd3 gave. */
export interface FailedConnection {
  connection: Connection;
  source: string;
  error: string;
}

const UNREACHABLE: HandshakeKind[] = ['refused', 'unresolved', 'silent'];

function hostOf(endpoint: string): string {
  return new URL(endpoint).host;
}

/** Facts about the connection's own client certificate, for a refused one. */
function clientCertificate(connection: Connection): string {
  try {
    const facts = inspect(connection.tls!.cert!);
    if (facts.notAfter.getTime() < Date.now()) return `expired on ${facts.notAfter.toISOString().slice(0, 10)}`;
    return `CN=${facts.commonName}, signed by "${facts.issuerName}"`;
  } catch {
    return 'unreadable';
  }
}

/** The error for one member's handshake that went wrong because of the settings (not the cluster being down). */
function settingsError(outcome: Handshake, endpoint: string, f: FailedConnection): WorkbookError | undefined {
  const at = hostOf(endpoint);
  const from = f.source;
  const newFile = 'ask your instructor for a new connection file (`npm run class -- setup` makes them again)';
  switch (outcome.kind) {
    case 'server-plain':
      return new ConnectionSettingsError(`the member at ${at} speaks plain http, and ${from} asks for TLS (it gives a CA)`, `remove "ca", "cert" and "key" from ${from}, or use the cluster's https endpoints`);
    case 'server-tls':
      return new ConnectionSettingsError(`the member at ${at} wants TLS, and ${from} gives no CA to check it with`, `add the cluster's CA certificate ("ca" in the connection file, or --ca / ETCD_CACERT)`);
    case 'server-untrusted':
      return new ConnectionSettingsError(`the certificate of the member at ${at} is not signed by the CA in ${from} (${outcome.detail})`, `use this cluster's CA; ${newFile}`);
    case 'server-expired':
      return new ConnectionSettingsError(`the certificate of the member at ${at} is not valid today (${outcome.detail})`, 'the cluster\'s operator must renew it (a workbook cluster: `npm run certs`, then restart the cluster)');
    case 'wrong-host':
      return new ConnectionSettingsError(`the certificate of the member at ${at} is not made out to that host name (${outcome.detail})`, `use an endpoint whose host the certificate names, or have the certificate made again for ${new URL(endpoint).hostname}`);
    case 'client-cert-missing':
      return new ConnectionSettingsError(`the member at ${at} wants a client certificate (mutual TLS), and ${from} has none`, `add "cert" and "key" (or --cert and --key); ${newFile}`);
    case 'client-cert-refused':
      return new ConnectionSettingsError(`the member at ${at} refused your client certificate (${clientCertificate(f.connection)}): it is not one the cluster trusts`, newFile);
    case 'client-cert-broken':
      return new ConnectionSettingsError(`the client certificate and key in ${from} cannot be used (${outcome.detail})`, `use the "cert" and "key" of one connection file, unchanged; ${newFile}`);
    default:
      return undefined;
  }
}

/** The error to show for a cluster that did not answer the runner. */
export async function connectionProblem(f: FailedConnection): Promise<WorkbookError> {
  const { connection } = f;
  const endpoints = connection.endpoints;
  const outcomes = await Promise.all(endpoints.map((e) => handshake(e, connection.tls)));
  for (const [i, outcome] of outcomes.entries()) {
    const error = settingsError(outcome, endpoints[i], f);
    if (error) return error;
  }
  if (outcomes.every((o) => UNREACHABLE.includes(o.kind))) {
    const why = outcomes.map((o, i) => `${hostOf(endpoints[i])} ${o.kind === 'refused' ? 'refuses connections' : o.kind === 'unresolved' ? 'is not a known host' : 'accepts but never answers'}`);
    return new ClusterDownError(`no member of the cluster answers: ${why.join('; ')}`, `check that the cluster is up (instructors: \`npm run class -- start\`) and the endpoints (from ${f.source}); leave the connection settings out to use the local cluster`);
  }
  // The connection itself works: what failed is etcd's answer.
  const { kind } = classifyEtcdError(f.error);
  if (kind === 'auth-failed') {
    return new ConnectionSettingsError(`the cluster refused the password of user ${connection.auth?.username} (etcd: authentication failed)`, `use the password of ${f.source} as your instructor gave it (ETCD_PASSWORD overrides it when set)`);
  }
  if (kind === 'no-user') {
    return new ConnectionSettingsError('the cluster has authentication on, and no user was given', `add "username" and "password" to ${f.source} (or --user with ETCD_PASSWORD)`);
  }
  return new ClusterDownError(`the cluster at ${endpoints.join(', ')} does not answer: ${f.error}`, `check that the cluster is up and has a leader (\`etcdctl endpoint status\`); ${f.source} looks right`);
}
