/**
 * Starting the cluster a whole class shares (`npm run class -- start`): the
 * secured members of etcd_config/secure*.yaml (mutual TLS), and the first
 * time, a root user with a random password, auth turned on, and root's
 * connection file (class/root.json, mode 0600).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { certSet, ensureCerts, readPem } from '../certs/store.ts';
import { clusterStatus } from '../cluster/inspect.ts';
import { ClusterStartError } from '../errors.ts';
import { LocalCluster } from '../cluster/cluster.ts';
import { enableAuth } from '../cluster/auth.ts';
import { writeConnectionFile } from '../connection/file.ts';
import { paths } from '../paths.ts';

/** Until some member reports a leader (the cluster has a quorum), or the time is up. */
async function waitForLeader(cluster: LocalCluster, caFile: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  const tls = { ca: readFileSync(caFile, 'utf8') };
  for (;;) {
    // Before auth is on, status needs no user.
    const statuses = await clusterStatus({ endpoints: cluster.endpoints, tls: { ...tls, ...readPem(certSet(dirname(caFile)).leaves.root) } }, 1000);
    if (statuses.some((s) => s.up && s.leaderId && s.leaderId !== '0')) return;
    if (Date.now() > deadline) {
      throw new ClusterStartError(`the class cluster has no leader after ${waitMs / 1000} s: the members on the other hosts have not joined`, 'start them there (`npm run class -- bundle` wrote what each host needs), and check that the hosts reach each other on the peer port');
    }
    await sleep(500);
  }
}

export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

export interface ClassStart {
  endpoints: string[];
  /** root's connection file. */
  rootFile: string;
  /** Auth was turned on by this call (first start). */
  authEnabled: boolean;
  startedMs: number;
}

export interface ClassStartOptions {
  cluster?: LocalCluster;
  dir?: string;
  certsDir?: string;
  /** Names and addresses the members' certificate must cover besides loopback (--host). */
  serverHosts?: string[];
  /** Start only these members (those on this machine); the others are started on their hosts. */
  only?: string[];
  /** How long to wait for the members on other hosts to form the cluster. */
  othersMs?: number;
  log?: (line: string) => void;
}

export async function startClassCluster(options: ClassStartOptions = {}): Promise<ClassStart> {
  const cluster = options.cluster ?? LocalCluster.secure();
  const dir = options.dir ?? paths.classFiles;
  const { set } = await ensureCerts({ dir: options.certsDir, serverHosts: options.serverHosts });
  const partial = options.only && options.only.length < cluster.members.length;
  const report = await cluster.start(partial ? { only: options.only, until: 'serving' } : {});
  if (partial) {
    options.log?.(`waiting for the members on the other hosts (${cluster.members.filter((m) => !options.only!.includes(m.name)).map((m) => m.name).join(', ')}) to join…`);
    await waitForLeader(cluster, set.ca, options.othersMs ?? 300_000);
  }
  mkdirSync(dir, { recursive: true });
  const rootFile = join(dir, 'root.json');
  const ca = readFileSync(set.ca, 'utf8');
  const rootPem = readPem(set.leaves.root);
  let authEnabled = false;
  if (!existsSync(rootFile)) {
    const password = newPassword();
    await enableAuth({ endpoints: cluster.endpoints, tls: { ca, ...rootPem } }, password);
    writeConnectionFile(rootFile, { endpoints: cluster.endpoints, username: 'root', password, ca, cert: rootPem.cert, key: rootPem.key });
    authEnabled = true;
  }
  return { endpoints: cluster.endpoints, rootFile, authEnabled, startedMs: report.ms };
}
