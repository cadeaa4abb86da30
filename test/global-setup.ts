/**
 * Starts the test suite's own etcd cluster (3 members, ports 23791-23793)
 * and stops it afterwards; fails the run if any of its etcd processes, or
 * of the clusters lab runs start for themselves, is left behind.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { LocalCluster } from '../lib/cluster/cluster.ts';
import { generateCluster } from '../lib/cluster/generate.ts';
import { etcdProcessesMentioning } from '../lib/cluster/processes.ts';
import { paths } from '../lib/paths.ts';
import { TEST_CLIENT_PORT, TEST_PEER_PORT } from './ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    clusterDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-lab-test-'));
  const cluster = new LocalCluster(generateCluster({ dir, clientPort: TEST_CLIENT_PORT, peerPort: TEST_PEER_PORT }));
  await cluster.start();
  project.provide('clusterDir', dir);
  return async () => {
    await cluster.destroy();
    const left = etcdProcessesMentioning(dir);
    if (left.length > 0) throw new Error(`etcd processes of the test cluster were left running: ${left.join(', ')}`);
    // The clusters lab runs start for themselves (labs 11 and 13) end with their run.
    const labClusters = etcdProcessesMentioning(join(paths.clusterState, 'lab'));
    if (labClusters.length > 0) throw new Error(`etcd processes of a lab run's own cluster were left running: ${labClusters.join(', ')}`);
  };
}
