/**
 * A cluster a whole class shares (`npm run class`): mutual TLS, auth on, and
 * one user per student who may read and write only under /students/<name>/.
 *
 * `startClassCluster` runs the secured cluster of etcd_config/secure*.yaml
 * (or any LocalCluster with TLS) and turns auth on the first time, writing
 * root's connection file. `setupStudents` makes the users and writes each
 * student's connection file: what the student puts in the checkout as
 * etcd-connection.json. Passwords live only in those files (mode 0600).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3, GRPCDeadlineExceededError, GRPCUnavailableError } from 'etcd3';
import { certSet, ensureCerts, readPem } from '../certs/store.ts';
import { issue, loadIssuer } from '../certs/x509.ts';
import { type Connection, clientOptions } from '../connection.ts';
import { ConnectionSettingsError, UsageError } from '../errors.ts';
import { paths } from '../paths.ts';
import { CLAIMS_PREFIX, LAST_RUN_KEY, type LastRun, WORKBOOK_PREFIX, parseClaim, parseLastRun } from '../runner/records.ts';
import { type ConnectionFile, readConnectionFile, writeConnectionFile } from '../runner/connection-file.ts';
import { createPrefixOwner, enableAuth, prefixOwnerRole } from './auth.ts';
import { LocalCluster } from './cluster.ts';

export const STUDENTS_PREFIX = '/students/';

export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

export interface ClassStart {
  endpoints: string[];
  /** root's connection file. */
  rootFile: string;
  /** Auth was turned on by this call (first start). */
  authEnabled: boolean;
  startedMs: number;
}

export async function startClassCluster(options: { cluster?: LocalCluster; dir?: string; certsDir?: string } = {}): Promise<ClassStart> {
  const cluster = options.cluster ?? LocalCluster.secure();
  const dir = options.dir ?? paths.classFiles;
  const { set } = await ensureCerts({ dir: options.certsDir });
  const report = await cluster.start();
  mkdirSync(dir, { recursive: true });
  const rootFile = join(dir, 'root.json');
  const ca = readFileSync(set.ca, 'utf8');
  const rootPem = readPem(set.leaves.root);
  let authEnabled = false;
  if (!existsSync(rootFile)) {
    const password = newPassword();
    await enableAuth({ endpoints: cluster.endpoints, tls: { ca, ...rootPem } }, password);
    writeConnectionFile(rootFile, { endpoints: cluster.endpoints, username: 'root', password, ca, cert: rootPem.cert, key: rootPem.key });
    authEnabled = true;
  }
  return { endpoints: cluster.endpoints, rootFile, authEnabled, startedMs: report.ms };
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
  const set = certSet(options.certsDir);
  // Students get a client certificate when the cluster trusts the workbook's CA (and we hold its key).
  const ours = admin.tls && existsSync(join(set.dir, 'ca.key')) && existsSync(set.ca) && admin.tls.ca.trim() === readFileSync(set.ca, 'utf8').trim();
  const issuer = ours ? await loadIssuer(readPem({ cert: set.ca, key: join(set.dir, 'ca.key') })) : undefined;
  const client = new Etcd3(clientOptions(admin, 5000));
  const accounts: StudentAccount[] = [];
  try {
    const refused = await client.user(admin.auth?.username ?? 'root').roles().then(() => undefined, (error: Error) => error);
    if (refused instanceof GRPCUnavailableError || refused instanceof GRPCDeadlineExceededError || refused?.constructor.name === 'BrokenCircuitError' /* cockatiel's, via etcd3 */) {
      const { connectionProblem } = await import('../runner/connection-problem.ts');
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

export interface StudentActivity {
  name: string;
  namespace: string;
  /** The student's own keys in the namespace (the workbook's records not counted). */
  keys: number;
  /** The student's most recent run, if any. */
  lastRun?: LastRun;
  /** Labs the student is running at this moment (their runs' claims). */
  running: string[];
}

/** The students of a class cluster (users with a namespace of their own) and what is in their namespaces. */
export async function classActivity(admin: Connection): Promise<StudentActivity[]> {
  const client = new Etcd3(clientOptions(admin, 5000));
  try {
    // Students are the users `setupStudents` made: each holds the role prefix-owner:<name>.
    const users = (await client.getUsers()).map((u) => u.name).filter((n) => n !== 'root').sort();
    const roles = await Promise.all(users.map((name) => client.user(name).roles()));
    const students = users.filter((name, i) => roles[i].some((r) => r.name === prefixOwnerRole(name)));
    return await Promise.all(students.map(async (name): Promise<StudentActivity> => {
      const namespace = `${STUDENTS_PREFIX}${name}/`;
      const kv = client.namespace(namespace);
      const [keys, records, claims, last] = await Promise.all([
        kv.getAll().count(),
        kv.getAll().prefix(WORKBOOK_PREFIX).count(),
        kv.getAll().prefix(CLAIMS_PREFIX).strings(),
        kv.get(LAST_RUN_KEY).string(),
      ]);
      const running = [...new Set(Object.values(claims).map((c) => parseClaim(c)?.lab ?? '?'))];
      return { name, namespace, keys: keys - records, lastRun: last ? parseLastRun(last) : undefined, running };
    }));
  } finally {
    client.close();
  }
}
