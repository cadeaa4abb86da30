/**
 * Grading on a shared cluster (`npm run grade -- --submissions … --connection
 * class/root.json`): the grader holds root's credentials, and no submission
 * may. Each submission gets, for the time it is graded, a user of its own
 * (grade-<student>) who may read and write only /grading/<student>/, a
 * password nobody else knows and, on a cluster that wants client
 * certificates, a certificate whose common name is that user (a certificate
 * whose CN is root would log its holder in as root without a password).
 * Afterwards the user, its role and its keys are removed.
 */
import { randomBytes } from 'node:crypto';
import { EtcdRoleNotFoundError, EtcdUserNotFoundError } from 'etcd3';
import { issue } from '../certs/x509.ts';
import { createPrefixOwner, prefixOwnerRole } from '../cluster/auth.ts';
import { workbookIssuer } from '../class/students.ts';
import { withClient } from '../connection/client.ts';
import type { Connection } from '../connection/connection.ts';
import { ConnectionSettingsError } from '../errors.ts';

export const GRADING_PREFIX = '/grading/';

export interface Seat {
  /** The submission's keys live here. */
  namespace: string;
  /** What the submission's code connects with. */
  credentials: Pick<Connection, 'auth' | 'tls'>;
}

/** A user name etcd and a certificate accept, from a folder name. */
function userName(student: string): string {
  return `grade-${student.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)}`;
}

export class SharedEnrolment {
  private constructor(
    private readonly root: Connection,
    private readonly issuer: Awaited<ReturnType<typeof workbookIssuer>>,
  ) {}

  /**
   * False on a cluster without users (`--endpoints` alone): then only the
   * namespace keeps submissions apart, and they must be graded one at a time.
   */
  get isolated(): boolean {
    return this.root.auth !== undefined;
  }

  static async open(root: Connection): Promise<SharedEnrolment> {
    const issuer = await workbookIssuer(root);
    if (root.tls?.cert && !issuer) {
      throw new ConnectionSettingsError(
        'this cluster wants client certificates, and this checkout cannot issue one per submission (it does not hold the key of the cluster\'s CA): each would get root\'s certificate, which logs its holder in as root',
        'grade on the cluster `npm run class -- start` made from this checkout (its certs/ca.key), or on the local machine without --connection',
      );
    }
    return new SharedEnrolment(root, issuer);
  }

  async enrol(student: string): Promise<Seat> {
    const user = userName(student);
    const namespace = `${GRADING_PREFIX}${student}/`;
    if (!this.isolated) {
      await withClient(this.root, { deadlineMs: 5000 }, (client) => client.delete().prefix(namespace).exec());
      return { namespace, credentials: {} };
    }
    const password = randomBytes(18).toString('base64url');
    await withClient(this.root, { deadlineMs: 5000 }, async (client) => {
      await client.delete().prefix(namespace).exec();
      await createPrefixOwner(client, user, password, namespace);
    });
    const pem = this.issuer ? await issue(this.issuer, { commonName: user, usages: ['client'], days: 2 }) : undefined;
    return { namespace, credentials: { auth: { username: user, password }, tls: this.root.tls ? { ca: this.root.tls.ca, cert: pem?.cert, key: pem?.key } : undefined } };
  }

  /** The user, its role and its keys, gone. */
  async withdraw(student: string): Promise<void> {
    const user = userName(student);
    await withClient(this.root, { deadlineMs: 5000 }, async (client) => {
      await client.delete().prefix(`${GRADING_PREFIX}${student}/`).exec();
      if (!this.isolated) return;
      await client.user(user).delete().catch((e) => { if (!(e instanceof EtcdUserNotFoundError)) throw e; });
      await client.role(prefixOwnerRole(user)).delete().catch((e) => { if (!(e instanceof EtcdRoleNotFoundError)) throw e; });
    });
  }
}
