/**
 * Lab 11's own cluster: one etcd member, https only, client-cert-auth, and
 * authentication on, started for the run (same cluster module and config
 * validation as every other cluster) and destroyed when the run ends.
 *
 * The runner is root through certs/root.crt (CN=root): with client-cert-auth
 * on, a client that shows that certificate and no password acts as root.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { type CertName, ensureCerts, readPem, strangerCerts } from '../../certs/store.ts';
import type { Pem } from '../../certs/x509.ts';
import { enableAuth } from '../../cluster/auth.ts';
import { LocalCluster } from '../../cluster/cluster.ts';
import { generateCluster } from '../../cluster/generate.ts';
import { freePortBase } from '../../cluster/probe.ts';
import { type Connection, type Credentials, clientOptions } from '../../connection/connection.ts';
import { labClusterDir, removeAbandoned } from '../../cluster/throwaway.ts';
import type { CheckContext } from '../../runner/context.ts';
import { openClient } from '../../connection/client.ts';
import { portTaken } from './port-race.ts';

export interface SecureLabCluster {
  endpoints: string[];
  /** certs/ca.crt (PEM). */
  ca: string;
  pem: Record<CertName, Pem>;
  /** A CA the cluster does not trust, with a client and a server certificate of its own. */
  stranger: Awaited<ReturnType<typeof strangerCerts>>;
  /** Root's client (by certificate), with a deadline on every call. */
  root: Etcd3;
  /** A connection with this cluster's CA and the client certificate `as`, logged in as `user` (or as the certificate's CN). */
  connection(as: CertName, user?: Credentials): Connection;
}

/** A password nobody could guess (and that the runner blanks out of its output). */
export function password(ctx: CheckContext): string {
  return ctx.secret(`pw-${randomBytes(12).toString('base64url')}`);
}

export function secureLabCluster(ctx: CheckContext): Promise<SecureLabCluster> {
  return ctx.once('secure-lab-cluster', async () => {
    await removeAbandoned(`lab${ctx.lab.id}`);
    const report = await ensureCerts();
    if (report.made.length) ctx.note(`made the workbook's certificates in certs/ (${report.made.map((m) => m.name).join(', ')}): see certs/README.md`);
    const set = report.set;
    // Two runs on one machine can pick the same free ports at once: the one that lost tries the next ones.
    let from = 28000;
    let cluster: LocalCluster;
    for (let attempt = 1; ; attempt++) {
      const clientPort = await freePortBase(1, from);
      const spec = generateCluster({
        dir: labClusterDir(ctx.lab.id), size: 1, clientPort, peerPort: clientPort + 1000, namePrefix: 'secure',
        tls: { ca: set.ca, ...set.leaves.server },
        // The cost of hashing passwords: etcd's default (10) takes ~50 ms per login; this cluster lives seconds.
        extra: { 'bcrypt-cost': 4 },
      });
      const started = new LocalCluster(spec);
      ctx.atEnd(() => started.destroy());
      try {
        await started.start();
        cluster = started;
        break;
      } catch (error) {
        if (attempt >= 3 || !portTaken(error)) throw error;
        await started.destroy();
        from = clientPort + 1 + 10 * attempt;
      }
    }
    const pem = Object.fromEntries((Object.keys(set.leaves) as CertName[]).map((n) => [n, readPem(set.leaves[n])])) as Record<CertName, Pem>;
    const ca = readFileSync(set.ca, 'utf8');
    const connection = (as: CertName, user?: Credentials): Connection => ({
      endpoints: cluster.endpoints, tls: { ca, cert: pem[as].cert, key: pem[as].key }, auth: user,
    });
    await enableAuth(connection('root'), password(ctx));
    const root = openClient(connection('root'), { deadlineMs: 5000 });
    ctx.atEnd(() => root.close());
    return { endpoints: cluster.endpoints, ca, pem, stranger: await strangerCerts(), root, connection };
  });
}

/** Runs `work` with a client for `connection`, closing it after. */
export async function withClient<T>(connection: Connection, work: (client: Etcd3) => Promise<T>, options: { singleAttempt?: boolean } = {}): Promise<T> {
  const client = new Etcd3(clientOptions(connection, 3000, options));
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** An error message's first line, without the "Resolution note: ..." gRPC appends (empty here) to connection errors. */
export function firstLine(message: string): string {
  return message.split('\n')[0].replace(/\.? Resolution note:.*$/, '');
}

/** What an attempt came to: ok, or the error's first line. */
export async function outcomeOf(work: () => Promise<unknown>): Promise<{ ok: true } | { ok: false; error: string; name: string }> {
  try {
    await work();
    return { ok: true };
  } catch (error) {
    const e = error as Error;
    return { ok: false, name: e.constructor?.name ?? e.name, error: firstLine(String(e.message)) };
  }
}
