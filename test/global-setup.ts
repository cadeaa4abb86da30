/**
 * Starts the test suite's own etcd clusters (3 members each: ports 23791-23793
 * for test/shared-cluster.test.ts, 23811-23813 for test/labs-cluster.test.ts)
 * and stops them afterwards; fails the run if any of their etcd processes, or
 * of the clusters lab runs and the playground start for themselves, is left
 * behind.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { LocalCluster } from '../lib/cluster/cluster.ts';
import { generateCluster } from '../lib/cluster/generate.ts';
import { etcdProcessesMentioning } from '../lib/cluster/processes.ts';
import { paths } from '../lib/paths.ts';
import { TEST_B_CLIENT_PORT, TEST_B_PEER_PORT, TEST_CLIENT_PORT, TEST_PEER_PORT } from './ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    clusterDir: string;
    clusterDirB: string;
  }
}

/** .cluster/<kind>-<owner pid>-<hex> folders of lab runs and playgrounds whose owner has exited. */
function ownerlessClusterDirs(): string[] {
  const entries = existsSync(paths.clusterState) ? readdirSync(paths.clusterState) : [];
  return entries.filter((name) => {
    const match = /^(lab\d+|playground)-(\d+)-[0-9a-f]+$/.exec(name);
    if (!match) return false;
    try {
      process.kill(Number(match[2]), 0);
      return false;
    } catch {
      return true;
    }
  }).map((name) => join(paths.clusterState, name));
}

export default async function setup(project: TestProject) {
  const clusters = [[TEST_CLIENT_PORT, TEST_PEER_PORT], [TEST_B_CLIENT_PORT, TEST_B_PEER_PORT]].map(([clientPort, peerPort]) => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-lab-test-'));
    return { dir, cluster: new LocalCluster(generateCluster({ dir, clientPort, peerPort })) };
  });
  await Promise.all(clusters.map((c) => c.cluster.start()));
  project.provide('clusterDir', clusters[0].dir);
  project.provide('clusterDirB', clusters[1].dir);
  return async () => {
    await Promise.all(clusters.map((c) => c.cluster.destroy()));
    const left = clusters.flatMap((c) => etcdProcessesMentioning(c.dir));
    if (left.length > 0) throw new Error(`etcd processes of the test clusters were left running: ${left.join(', ')}`);
    // The clusters lab runs (labs 11, 13, 14, 15) and the playground start for themselves end with them.
    // Only those of runs that are over: another test run on this machine may have its own running.
    const own = ownerlessClusterDirs().flatMap((dir) => etcdProcessesMentioning(dir));
    if (own.length > 0) throw new Error(`etcd processes of a lab run's or the playground's own cluster were left running: ${own.join(', ')}`);
  };
}
