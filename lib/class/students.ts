/**
 * One user per student on a class cluster, who may read and write only under
 * /students/<name>/, and the connection file each student puts in their
 * checkout as etcd-connection.json. Passwords live only in those files
 * (mode 0600).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRPCDeadlineExceededError, GRPCUnavailableError } from 'etcd3';
import { certSet, readPem } from '../certs/store.ts';
import { type Issuer, issue, loadIssuer } from '../certs/x509.ts';
import { createPrefixOwner } from '../cluster/auth.ts';
import { openClient } from '../connection/client.ts';
import type { Connection } from '../connection/connection.ts';
import { type ConnectionFile, readConnectionFile, writeConnectionFile } from '../connection/file.ts';
import { ConnectionSettingsError, UsageError } from '../errors.ts';
import { paths } from '../paths.ts';
import { newPassword } from './start.ts';

export const STUDENTS_PREFIX = '/students/';

/**
 * The workbook's CA, when the cluster trusts it and this checkout holds its
 * key: then each user gets a client certificate of its own (CN = its name).
 * Undefined otherwise.
 */
export async function workbookIssuer(admin: Connection, certsDir?: string): Promise<Issuer | undefined> {
  const set = certSet(certsDir);
  const ours = admin.tls && existsSync(join(set.dir, 'ca.key')) && existsSync(set.ca) && admin.tls.ca.trim() === readFileSync(set.ca, 'utf8').trim();
  return ours ? loadIssuer(readPem({ cert: set.ca, key: join(set.dir, 'ca.key') })) : undefined;
}

/** Names from a file: one per line; blank lines and # comments are skipped. */
export function readStudentNames(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`the student list ${file} cannot be read`, 'give a text file with one student name per line');
  }
  const names = text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  const bad = names.filter((n) => !/^[a-z0-9][a-z0-9._-]{0,62}$/i.test(n) || n === 'root');
  if (bad.length) throw new UsageError(`${file}: ${bad.map((b) => JSON.stringify(b)).join(', ')} cannot be a user name`, 'use letters, digits, dots, dashes and underscores (and not "root")');
  if (names.length === 0) throw new UsageError(`${file} names no students`, 'one name per line');
  if (new Set(names).size !== names.length) throw new UsageError(`${file} names a student twice`, 'keep one line per student');
  return names;
}

export interface StudentAccount {
  name: string;
  namespace: string;
  file: string;
  /** The password was kept from an earlier setup. */
  kept: boolean;
  /** A client certificate (CN=name) from the workbook's CA is in the file. */
  certificate: boolean;
}

/**
 * One user per student, limited to /students/<name>/, and their connection
 * files. Running it again keeps the passwords of files that exist (and sets
 * them again on the cluster), so a student's file keeps working.
 */
export async function setupStudents(admin: Connection, names: string[], options: { dir?: string; certsDir?: string; adminSource?: string } = {}): Promise<StudentAccount[]> {
  const dir = options.dir ?? paths.classFiles;
  mkdirSync(dir, { recursive: true });
  const issuer = await workbookIssuer(admin, options.certsDir);
  const client = openClient(admin, { deadlineMs: 5000 });
  const accounts: StudentAccount[] = [];
  try {
    const refused = await client.user(admin.auth?.username ?? 'root').roles().then(() => undefined, (error: Error) => error);
    if (refused instanceof GRPCUnavailableError || refused instanceof GRPCDeadlineExceededError || refused?.constructor.name === 'BrokenCircuitError' /* cockatiel's, via etcd3 */) {
      const { connectionProblem } = await import('../connection/problem.ts');
      throw await connectionProblem({ connection: admin, source: options.adminSource ?? 'the root connection file', error: refused.message.split('\n')[0] });
    }
    if (refused) {
      throw new ConnectionSettingsError(`the class cluster refused ${admin.auth?.username ?? 'the certificate\'s user'}: ${refused.message.split('\n')[0]}`, 'use the root connection file written by `npm run class -- start` for this cluster (--connection), or start over with `npm run class -- reset`');
    }
    for (const name of names) {
      const file = join(dir, `${name}.json`);
      const earlier = existsSync(file) ? readConnectionFile(file).connection.auth?.password : undefined;
      const password = earlier ?? newPassword();
      const namespace = `${STUDENTS_PREFIX}${name}/`;
      await createPrefixOwner(client, name, password, namespace);
      const pem = issuer ? await issue(issuer, { commonName: name, usages: ['client'], days: 365 }) : undefined;
      const data: ConnectionFile = { endpoints: admin.endpoints, namespace, username: name, password, ca: admin.tls?.ca, cert: pem?.cert, key: pem?.key };
      writeConnectionFile(file, data);
      accounts.push({ name, namespace, file, kept: earlier !== undefined, certificate: pem !== undefined });
    }
  } finally {
    client.close();
  }
  return accounts;
}
