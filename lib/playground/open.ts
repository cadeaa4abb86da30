/**
 * The cluster behind a playground face (the console or the dashboard), and
 * its operations core: members of its own behind peer proxies (`--faults`),
 * or the local cluster (started if needed), or a class cluster given by a
 * connection, inside the student's namespace.
 */
import { memberList } from '../cluster/inspect.ts';
import { freePortBase } from '../cluster/probe.ts';
import { removeAbandoned, throwawayClusterDir } from '../cluster/throwaway.ts';
import { type ConnectionFlags, resolveConnection } from '../connection/file.ts';
import { FaultyCluster } from '../faults/faulty-cluster.ts';
import { shown } from '../paths.ts';
import { resolveTarget } from '../runner/target.ts';
import { ClusterOperations } from './operations.ts';

export interface OpenOptions {
  /** Names the fault cluster's folder (.cluster/<owner>-<pid>-<hex>/) and the goodbye line. */
  owner: 'playground' | 'dashboard';
  faults: boolean;
  nodes: number;
  flags: ConnectionFlags;
  log: (line: string) => void;
  /**
   * Called before anything starts with what stops it again: a Ctrl-C while
   * the members start must stop them too.
   */
  onTeardown: (teardown: () => Promise<void>) => void;
}

export async function openOperations(options: OpenOptions): Promise<ClusterOperations> {
  if (options.faults) {
    await removeAbandoned(options.owner);
    const base = await freePortBase(options.nodes, 25000);
    const dir = throwawayClusterDir(options.owner);
    const cluster = FaultyCluster.create({ dir, size: options.nodes, clientPort: base, peerPort: base + 1000, proxyPort: base + 2000 });
    const ops = new ClusterOperations({
      connection: { endpoints: cluster.endpoints }, namespace: '', faults: cluster,
      members: cluster.names.map((name) => ({ name, endpoint: cluster.endpoint(name) })),
    });
    options.onTeardown(async () => {
      options.log(`\nStopping the ${options.owner}'s ${options.nodes} members and removing ${shown(dir)}…`);
      ops.close();
      await cluster.destroy();
    });
    options.log(`Starting ${options.nodes} etcd members behind peer proxies (clients on ports ${base}-${base + options.nodes - 1})…`);
    await cluster.start();
    return ops;
  }
  const shared = resolveConnection(options.flags);
  const target = await resolveTarget({ connection: shared?.connection, connectionSource: shared?.source, namespace: shared?.namespace, log: options.log });
  const cluster = target.cluster;
  const members = cluster
    ? cluster.members.map((m) => ({ name: m.name, endpoint: m.clientUrls[0] }))
    : (await memberList(target)).map((m) => ({ name: m.name, endpoint: m.clientUrls[0] })).sort((a, b) => a.name.localeCompare(b.name));
  const ops = new ClusterOperations({ connection: target, namespace: target.namespace, members, processes: cluster ? () => cluster.memberStates() : undefined });
  options.onTeardown(async () => ops.close());
  return ops;
}
