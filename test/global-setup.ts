/**
 * Starts the test suite's own etcd clusters (3 members each: ports 23791-23793
 * for test/shared-cluster.test.ts, 23811-23813 for test/labs-cluster.test.ts)
 * and stops them afterwards; fails the run if any of their etcd processes, or
 * of the clusters lab runs and the playground start for themselves, is left
 * behind.
 */
import { mkdtempSync } from 'node:fs';
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
    const own = [...etcdProcessesMentioning(join(paths.clusterState, 'lab')), ...etcdProcessesMentioning(join(paths.clusterState, 'playground'))];
    if (own.length > 0) throw new Error(`etcd processes of a lab run's or the playground's own cluster were left running: ${own.join(', ')}`);
  };
}
