/**
 * A cluster of its own for each grading job (`npm run grade --
 * --submissions … --jobs N`), with authentication on: students graded side
 * by side are kept apart by etcd itself. A submission's code gets the job
 * cluster's root password, which opens that cluster and no other: scanning
 * ports finds the other jobs' clusters, and they refuse it.
 *
 * A job grades its students one after another on its cluster. Between two
 * of them every key, lease, user and role goes and root gets a new
 * password, so nothing one student's code left behind (an account made as
 * root included) is there for the next.
 *
 * It is a cluster the workbook manages (.cluster/grading-<pid>-<hex>/), so
 * labs that start, kill or snapshot members run as on the local cluster.
 */
import { randomBytes } from 'node:crypto';
import { LocalCluster } from '../cluster/cluster.ts';
import { enableAuth } from '../cluster/auth.ts';
import { generateCluster } from '../cluster/generate.ts';
import { freePortBase } from '../cluster/probe.ts';
import { removeAbandoned, throwawayClusterDir } from '../cluster/throwaway.ts';
import { withClient } from '../connection/client.ts';
import type { Connection } from '../connection/connection.ts';

const newPassword = () => randomBytes(18).toString('base64url');

export class JobCluster {
  private static readonly live = new Set<JobCluster>();
  private password = newPassword();

  private constructor(readonly cluster: LocalCluster) {}

  static async start(): Promise<JobCluster> {
    await removeAbandoned('grading');
    const [clientPort, peerPort] = await Promise.all([freePortBase(3, 31000), freePortBase(3, 32000)]);
    const job = new JobCluster(new LocalCluster(generateCluster({ dir: throwawayClusterDir('grading'), clientPort, peerPort })));
    JobCluster.live.add(job);
    await job.cluster.start();
    await enableAuth({ endpoints: job.endpoints }, job.password);
    return job;
  }

  /** Every job cluster of this process, stopped and deleted (Ctrl-C during a batch). */
  static async stopAll(): Promise<void> {
    await Promise.all([...JobCluster.live].map((job) => job.stop()));
  }

  get endpoints(): string[] {
    return this.cluster.endpoints;
  }

  /** Root of this cluster, for the runner and the student's code alike (it opens nothing else). */
  get root(): Connection {
    return { endpoints: this.endpoints, auth: { username: 'root', password: this.password } };
  }

  /** A clean cluster for the next student: no key, lease, user or role but root's, and root's password new. */
  async wipe(): Promise<void> {
    await withClient(this.root, { deadlineMs: 5000 }, async (client) => {
      await client.delete().all().exec();
      const { leases } = await client.leaseClient.leaseLeases();
      await Promise.all(leases.map((lease) => client.leaseClient.leaseRevoke({ ID: lease.ID }).catch(() => {})));
      const [users, roles] = await Promise.all([client.getUsers(), client.getRoles()]);
      await Promise.all(users.filter((u) => u.name !== 'root').map((u) => u.delete()));
      await Promise.all(roles.filter((r) => r.name !== 'root').map((r) => r.delete()));
      const password = newPassword();
      await client.user('root').setPassword(password);
      this.password = password;
    });
  }

  async stop(): Promise<void> {
    JobCluster.live.delete(this);
    await this.cluster.destroy();
  }
}
