/**
 * Short-lived clusters (tests, benchmarks, later: 5-node, TLS, partition labs).
 *
 * They are described by the same YAML a student can read in etcd_config/,
 * written into the cluster's own folder, and loaded through the same
 * validation as the classroom cluster: there is one way to describe a cluster.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type ClusterSpec, type MemberTls, loadClusterSpec } from './config.ts';

export interface GeneratedClusterOptions {
  /** Folder that will hold config/, data/, logs and pids. */
  dir: string;
  size?: number;
  /** Member i listens for clients on clientPort + i and for peers on peerPort + i. */
  clientPort: number;
  peerPort: number;
  namePrefix?: string;
  /** Extra etcd options for every member (validated like the rest). */
  extra?: Record<string, unknown>;
  /** Serve clients and peers over mutual TLS with these files (see certs/). */
  tls?: MemberTls;
  /**
   * Member i advertises peer URL proxyPort + i (a PeerProxy forwarding to its
   * real peer port): what lib/faults needs to cut links without root.
   */
  proxyPort?: number;
}

/** The transport-security section of a TLS member, as in etcd_config/secure*.yaml. */
export function transportSecurity(tls: MemberTls): Record<string, unknown> {
  return { 'cert-file': tls.cert, 'key-file': tls.key, 'trusted-ca-file': tls.ca, 'client-cert-auth': true };
}

export function generateCluster(options: GeneratedClusterOptions): ClusterSpec {
  const size = options.size ?? 3;
  const prefix = options.namePrefix ?? 'n';
  const names = Array.from({ length: size }, (_, i) => `${prefix}${i + 1}`);
  const scheme = options.tls ? 'https' : 'http';
  const peer = (i: number) => `${scheme}://127.0.0.1:${options.peerPort + i}`;
  const advertised = (i: number) => (options.proxyPort ? `${scheme}://127.0.0.1:${options.proxyPort + i}` : peer(i));
  const initialCluster = names.map((name, i) => `${name}=${advertised(i)}`).join(',');
  const configDir = join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const files = names.map((name, i) => {
    const client = `${scheme}://127.0.0.1:${options.clientPort + i}`;
    const config = {
      name,
      'data-dir': join(options.dir, 'data', name),
      'listen-client-urls': client,
      'advertise-client-urls': client,
      'listen-peer-urls': peer(i),
      'initial-advertise-peer-urls': advertised(i),
      'initial-cluster': initialCluster,
      'initial-cluster-token': `etcd-lab-${options.clientPort}`,
      'initial-cluster-state': 'new',
      'heartbeat-interval': 50,
      'election-timeout': 500,
      'pre-vote': true,
      logger: 'zap',
      'log-level': 'warn',
      ...(options.tls ? { 'client-transport-security': transportSecurity(options.tls), 'peer-transport-security': transportSecurity(options.tls) } : {}),
      ...options.extra,
    };
    const file = join(configDir, `${name}.yaml`);
    writeFileSync(file, stringify(config));
    return file;
  });
  return loadClusterSpec(files, { cwd: options.dir, stateDir: options.dir });
}
