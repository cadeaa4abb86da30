/**
 * Starting the cluster a whole class shares (`npm run class -- start`): the
 * secured members of etcd_config/secure*.yaml (mutual TLS), and the first
 * time, a root user with a random password, auth turned on, and root's
 * connection file (class/root.json, mode 0600).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCerts, readPem } from '../certs/store.ts';
import { LocalCluster } from '../cluster/cluster.ts';
import { enableAuth } from '../cluster/auth.ts';
import { writeConnectionFile } from '../connection/file.ts';
import { paths } from '../paths.ts';

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

export async function startClassCluster(options: { cluster?: LocalCluster; dir?: string; certsDir?: string } = {}): Promise<ClassStart> {
  const cluster = options.cluster ?? LocalCluster.secure();
  const dir = options.dir ?? paths.classFiles;
  const { set } = await ensureCerts({ dir: options.certsDir });
  const report = await cluster.start();
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
