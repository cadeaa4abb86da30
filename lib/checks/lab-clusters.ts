/**
 * Clusters a lab run starts for itself (lab 11's TLS member, lab 13's
 * 3 members behind proxies) live in .cluster/lab<id>-<runner pid>-<hex>/ and
 * are destroyed when the run ends. Ctrl-C ends a run before that clean-up:
 * the next run of the lab removes what such runs left.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCluster } from '../cluster/cluster.ts';
import { loadClusterSpec } from '../cluster/config.ts';
import { paths } from '../paths.ts';

export function labClusterDir(labId: string): string {
  return join(paths.clusterState, `lab${labId}-${process.pid}-${randomBytes(3).toString('hex')}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the members of clusters whose runner is gone, and deletes their folders. */
export async function removeAbandoned(labId: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = readdirSync(paths.clusterState);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = new RegExp(`^lab${labId}-(\\d+)-[0-9a-f]+$`).exec(entry);
    if (!match || isAlive(Number(match[1]))) continue;
    const dir = join(paths.clusterState, entry);
    try {
      const configs = readdirSync(join(dir, 'config')).map((f) => join(dir, 'config', f));
      await new LocalCluster(loadClusterSpec(configs, { cwd: dir, stateDir: dir })).destroy();
    } catch {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
