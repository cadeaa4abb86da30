/**
 * Deciding which cluster a run talks to, and making sure it is there.
 *
 * - Default: the classroom cluster from etcd_config/, started if it is not
 *   running and left running for fast reruns.
 * - `cluster`: another cluster the workbook manages (tests, benchmarks).
 * - `connection` (or just `endpoints`): an existing cluster the workbook does
 *   not manage, e.g. a class cluster with TLS and a user per student. Every
 *   key goes under a namespace (default /students/<user>/), and checks that
 *   need to control the cluster are skipped.
 */
import type { Etcd3 } from 'etcd3';
import { LocalCluster } from '../cluster/cluster.ts';
import { clusterStatus } from '../cluster/inspect.ts';
import type { Connection, } from '../connection/connection.ts';
import { sharedNamespace } from '../connection/file.ts';
import { shown } from '../paths.ts';
import type { Target } from './context.ts';
import { openClient } from '../connection/client.ts';

export interface TargetOptions {
  endpoints?: string[];
  /** A cluster with TLS and/or a user (wins over `endpoints`). */
  connection?: Connection;
  /** Where `connection` came from, for the line shown to the user ("class/ana.json"). */
  connectionSource?: string;
  cluster?: LocalCluster;
  namespace?: string;
  /** Credentials for the student's code, narrower than `connection`'s (grading: a user per submission). */
  studentConnection?: Pick<Connection, 'auth' | 'tls'>;
  /** Messages for the user ("started the local cluster ..."). */
  log?: (line: string) => void;
}

export const TRUSTED_DEADLINE_MS = 5000;

export async function resolveTarget(options: TargetOptions): Promise<Target> {
  const target = await resolveCluster(options);
  return options.studentConnection ? { ...target, student: options.studentConnection } : target;
}

async function resolveCluster(options: TargetOptions): Promise<Target> {
  const log = options.log ?? (() => {});
  // A cluster the workbook runs, with credentials (grading's own cluster has auth on).
  if (options.cluster && options.connection) {
    await options.cluster.start();
    return { ...options.connection, endpoints: options.cluster.endpoints, namespace: options.namespace ?? '', cluster: options.cluster };
  }
  const connection = options.connection ?? (options.endpoints?.length ? { endpoints: options.endpoints } : undefined);
  if (connection) {
    const statuses = await clusterStatus(connection, 2000);
    if (!statuses.some((s) => s.up)) {
      // Loaded on failure only: it brings the certificate library (~140 ms), which a run that connects never needs.
      const { connectionProblem } = await import('../connection/problem.ts');
      throw await connectionProblem({ connection, source: options.connectionSource ?? 'the command line', error: statuses[0]?.error ?? 'no endpoints' });
    }
    // A shared cluster: this run's keys live in a namespace of their own.
    const namespace = options.namespace ?? sharedNamespace(connection);
    const who = connection.auth ? ` as ${connection.auth.username}` : '';
    log(`Using the cluster at ${connection.endpoints.join(', ')}${who}${connection.tls ? ' over TLS' : ''}${options.connectionSource ? ` (from ${options.connectionSource})` : ''}; this run's keys live under ${namespace}.`);
    return { ...connection, namespace };
  }
  const namespace = options.namespace ?? '';
  const cluster = options.cluster ?? LocalCluster.classroom();
  const report = await cluster.start();
  for (const name of report.recovered) {
    log(`etcd member ${name} had stopped without \`npm run cluster -- stop\` (crashed or killed; see ${shown(cluster.logFile(name))}): restarted it.`);
  }
  if (report.started.length === cluster.members.length) {
    log(`Started the local etcd cluster (${report.started.join(', ')}) in ${(report.ms / 1000).toFixed(1)} s. It keeps running for fast reruns; \`npm run cluster -- stop\` stops it.`);
  } else if (report.started.length > report.recovered.length) {
    log(`Started etcd members ${report.started.filter((n) => !report.recovered.includes(n)).join(', ')}.`);
  }
  return { endpoints: cluster.endpoints, namespace, cluster };
}

/** The runner's own client: every call has a deadline, so a hung member can never hang a check. */
export function trustedClient(target: Target): Etcd3 {
  return openClient(target, { deadlineMs: TRUSTED_DEADLINE_MS });
}
