/**
 * The workbook's certificates in certs/: which files, and keeping them valid.
 *
 *   ca.crt / ca.key            the workbook's own certificate authority
 *   server.crt / server.key    etcd members: localhost, 127.0.0.1, ::1
 *   root.crt / root.key        a client certificate for etcd's root user
 *   student.crt / student.key  the lab 11 client (its CN is not an etcd user:
 *   reader.crt / reader.key    the password decides who you are)
 *
 * `ensureCerts()` is idempotent: files that are present, unexpired, signed by
 * ca.crt and matching their keys are kept; anything else is made again (all
 * of it when the CA itself is the problem), with a line saying why.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../paths.ts';
import { type Issuer, type LeafOptions, type Pem, createCa, inspect, issue, loadIssuer } from './x509.ts';

export const CA_DAYS = 3650;
export const LEAF_DAYS = 825;
/** Certificates this close to expiry are renewed. */
const RENEW_BEFORE_MS = 7 * 86_400_000;
export const SERVER_HOSTS = ['localhost', '127.0.0.1', '::1'];

export type CertName = 'server' | 'root' | 'student' | 'reader';

const LEAVES: Record<CertName, Omit<LeafOptions, 'days'>> = {
  server: { commonName: 'etcd-lab-server', hosts: SERVER_HOSTS, usages: ['server', 'client'] },
  root: { commonName: 'root', usages: ['client'] },
  student: { commonName: 'student', usages: ['client'] },
  reader: { commonName: 'reader', usages: ['client'] },
};

export interface CertFiles {
  cert: string;
  key: string;
}

export interface CertSet {
  dir: string;
  ca: string;
  leaves: Record<CertName, CertFiles>;
}

export function certSet(dir = paths.certs): CertSet {
  const files = (name: string): CertFiles => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    leaves: Object.fromEntries((Object.keys(LEAVES) as CertName[]).map((n) => [n, files(n)])) as Record<CertName, CertFiles>,
  };
}

/** The PEM contents of a certificate and its key. */
export function readPem(files: CertFiles): Pem {
  return { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') };
}

function write(files: CertFiles, pem: Pem): void {
  writeFileSync(files.cert, pem.cert);
  writeFileSync(files.key, pem.key, { mode: 0o600 });
  chmodSync(files.key, 0o600); // an existing file keeps its mode on write
}

/** Why this certificate must be made again, or undefined when it is fine. */
async function problem(files: CertFiles, caPem: string | undefined, hosts?: string[]): Promise<string | undefined> {
  if (!existsSync(files.cert) || !existsSync(files.key)) return 'missing';
  try {
    const pem = readPem(files);
    const facts = inspect(pem.cert);
    if (facts.notAfter.getTime() - Date.now() < RENEW_BEFORE_MS) {
      const day = facts.notAfter.toISOString().slice(0, 10);
      return facts.notAfter.getTime() < Date.now() ? `expired on ${day}` : `about to expire (on ${day})`;
    }
    if (caPem && !(await facts.signedBy(caPem))) return 'not signed by certs/ca.crt';
    if (!(await facts.matchesKey(pem.key))) return 'not the pair of its private key';
    const missing = (hosts ?? []).filter((h) => !facts.hosts.includes(h));
    if (missing.length) return `not valid for ${missing.join(', ')}`;
    return undefined;
  } catch (error) {
    return `unreadable (${(error as Error).message.split('\n')[0]})`;
  }
}

export interface EnsureReport {
  /** Files (by name) made by this call, with the reason. */
  made: { name: string; why: string }[];
  set: CertSet;
}

/**
 * `serverHosts`: more names and addresses the members' certificate must
 * cover (a class cluster served on the network: `npm run class -- start --host`).
 */
export async function ensureCerts(options: { dir?: string; force?: boolean; log?: (line: string) => void; serverHosts?: string[] } = {}): Promise<EnsureReport> {
  const set = certSet(options.dir);
  const log = options.log ?? (() => {});
  mkdirSync(set.dir, { recursive: true });
  const made: EnsureReport['made'] = [];

  const caFiles = { cert: set.ca, key: join(set.dir, 'ca.key') };
  const caProblem = options.force ? 'asked for with --force' : await problem(caFiles, undefined);
  let issuer: Issuer;
  if (caProblem) {
    if (caProblem !== 'missing') log(`certs/ca.crt is ${caProblem}: making a new CA and every certificate it signs.`);
    const ca = await createCa('etcd lab workbook CA', CA_DAYS);
    write(caFiles, ca.pem);
    issuer = ca;
    made.push({ name: 'ca', why: caProblem });
  } else {
    issuer = await loadIssuer(readPem(caFiles));
  }
  const caPem = readFileSync(set.ca, 'utf8');
  for (const [name, base] of Object.entries(LEAVES) as [CertName, Omit<LeafOptions, 'days'>][]) {
    const leaf = name === 'server' && options.serverHosts?.length ? { ...base, hosts: [...new Set([...SERVER_HOSTS, ...options.serverHosts])] } : base;
    const files = set.leaves[name];
    const why = caProblem ? `its CA is new` : await problem(files, caPem, leaf.hosts);
    if (!why) continue;
    if (!caProblem && why !== 'missing') log(`certs/${name}.crt is ${why}: made it again.`);
    write(files, await issue(issuer, { ...leaf, days: LEAF_DAYS }));
    made.push({ name, why });
  }
  return { made, set };
}

/** A CA nobody trusts and a client certificate from it, made in memory (lab 11 shows both refused). */
export async function strangerCerts(): Promise<{ ca: string; client: Pem; server: Pem }> {
  const ca = await createCa('a CA the cluster does not trust', 1);
  return {
    ca: ca.pem.cert,
    client: await issue(ca, { commonName: 'root', usages: ['client'], days: 1 }),
    server: await issue(ca, { commonName: 'impostor', hosts: SERVER_HOSTS, usages: ['server'], days: 1 }),
  };
}
