/**
 * Throw-away clusters (lab 11's TLS member, lab 13's and 14's members behind
 * proxies, lab 15's restored member, the playground's) live in
 * .cluster/<kind>-<owner pid>-<hex>/, e.g. lab13-4242-a1b2c3, and are
 * destroyed when their owner is done. A run killed before that clean-up
 * leaves them behind: the next run of the same kind removes them.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCluster } from './cluster.ts';
import { loadClusterSpec } from './config.ts';
import { paths } from '../paths.ts';

export function throwawayClusterDir(kind: string): string {
  return join(paths.clusterState, `${kind}-${process.pid}-${randomBytes(3).toString('hex')}`);
}

/** A lab run's own cluster folder: kind "lab<id>". */
export function labClusterDir(labId: string): string {
  return throwawayClusterDir(`lab${labId}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the members of `kind`'s clusters whose owner is gone ("lab13", "playground"), and deletes their folders. */
export async function removeAbandoned(kind: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = readdirSync(paths.clusterState);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = new RegExp(`^${kind}-(\\d+)-[0-9a-f]+$`).exec(entry);
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
