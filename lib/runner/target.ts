/**
 * Deciding which cluster a run talks to, and making sure it is there.
 *
 * - Default: the classroom cluster from etcd_config/, started if it is not
 *   running and left running for fast reruns.
 * - `cluster`: another cluster the workbook manages (tests, benchmarks).
 * - `endpoints`: an existing cluster the workbook does not manage (a class
 *   cluster); checks that need to control the cluster are skipped.
 */
import { Etcd3 } from 'etcd3';
import { LocalCluster } from '../cluster/cluster.ts';
import { clusterStatus } from '../cluster/inspect.ts';
import { clientOptions } from '../connection.ts';
import { ClusterDownError } from '../errors.ts';
import { shown } from '../paths.ts';
import type { Target } from './context.ts';

export interface TargetOptions {
  endpoints?: string[];
  cluster?: LocalCluster;
  namespace?: string;
  /** Messages for the user ("started the local cluster ..."). */
  log?: (line: string) => void;
}

export const TRUSTED_DEADLINE_MS = 5000;

export async function resolveTarget(options: TargetOptions): Promise<Target> {
  const namespace = options.namespace ?? '';
  if (options.endpoints?.length) {
    const statuses = await clusterStatus(options.endpoints, 2000);
    if (!statuses.some((s) => s.up)) {
      throw new ClusterDownError(
        `no member of ${options.endpoints.join(', ')} answers (${statuses[0]?.error ?? 'no endpoints'})`,
        'check the endpoints (--endpoints or ETCD_ENDPOINTS) and that the cluster is up; leave them out to use the local cluster',
      );
    }
    return { endpoints: options.endpoints, namespace };
  }
  const cluster = options.cluster ?? LocalCluster.classroom();
  const report = await cluster.start();
  const log = options.log ?? (() => {});
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
  return new Etcd3(clientOptions(target, TRUSTED_DEADLINE_MS));
}
