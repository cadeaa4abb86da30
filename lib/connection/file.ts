/**
 * Which class cluster to use, and as whom: from flags, environment variables,
 * or a connection file the instructor hands out (`npm run class -- setup`).
 *
 * A connection file is JSON:
 *
 * ```json
 * { "endpoints": ["https://10.0.0.5:2479"], "namespace": "/students/ana/",
 *   "username": "ana", "password": "…",
 *   "ca": "-----BEGIN CERTIFICATE-----…", "cert": "…", "key": "…" }
 * ```
 *
 * `ca`, `cert` and `key` are PEM text or paths (relative to the file). The
 * password is never taken from a flag (it would show in `ps` and the shell's
 * history): the file, or ETCD_PASSWORD. Nothing here ever prints it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Connection } from './connection.ts';
import { ConnectionSettingsError } from '../errors.ts';
import { paths, shown } from '../paths.ts';

/** What the command line (or its environment variables) said. */
export interface ConnectionFlags {
  connection?: string;
  endpoints?: string[];
  ca?: string;
  cert?: string;
  key?: string;
  user?: string;
}

export interface ConnectionSettings {
  connection: Connection;
  /** The namespace the file names, if any (--namespace wins). */
  namespace?: string;
  /** Where the settings came from, for the line the runner prints. */
  source: string;
}

export interface ConnectionFile {
  endpoints: string[];
  namespace?: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

/** A student's class connection file, found without any flag. */
export const DEFAULT_CONNECTION_FILE = 'etcd-connection.json';

function pem(value: string | undefined, base: string, what: string, from: string): string | undefined {
  if (!value) return undefined;
  if (value.includes('-----BEGIN')) return value;
  const file = resolve(base, value);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ConnectionSettingsError(`the ${what} file ${shown(file)} (from ${from}) cannot be read`, `check the path, or put the PEM text itself in ${from}`);
  }
}

export function readConnectionFile(file: string): ConnectionSettings {
  let data: ConnectionFile;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as ConnectionFile;
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON (${(error as Error).message.split('\n')[0]})`;
    throw new ConnectionSettingsError(`the connection file ${shown(file)} ${why}`, 'use the file your instructor gave you (npm run class -- setup writes them); LAB.md, "How a lab works", says where it goes');
  }
  const where = shown(file);
  if (!Array.isArray(data.endpoints) || data.endpoints.length === 0 || data.endpoints.some((e) => typeof e !== 'string' || !/^https?:\/\/[^/]+:\d+\/?$/.test(e))) {
    throw new ConnectionSettingsError(`${where}: \`endpoints\` must be a list of URLs like "https://10.0.0.5:2479"`, `fix ${where}`);
  }
  if (data.username && !data.password) throw new ConnectionSettingsError(`${where} names user ${data.username} but has no password`, `add "password" to ${where}`);
  const base = dirname(file);
  const ca = pem(data.ca, base, 'CA', where);
  const connection: Connection = {
    endpoints: data.endpoints,
    auth: data.username ? { username: data.username, password: data.password! } : undefined,
    tls: ca ? { ca, cert: pem(data.cert, base, 'certificate', where), key: pem(data.key, base, 'key', where) } : undefined,
  };
  return { connection, namespace: data.namespace, source: where };
}

/** Writes a connection file readable by its owner only (it holds a password). */
export function writeConnectionFile(file: string, data: ConnectionFile): void {
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
}

/**
 * The class cluster to use, or undefined for the local one. Flags (and their
 * ETCD_* variables) override a connection file's fields; without any, a
 * student's `etcd-connection.json` in the project root is used.
 */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env, root = paths.root): ConnectionSettings | undefined {
  const fallback = resolve(root, DEFAULT_CONNECTION_FILE);
  const anyFlag = flags.endpoints?.length || flags.ca || flags.cert || flags.key || flags.user;
  const file = flags.connection ? resolve(flags.connection) : !anyFlag && existsSync(fallback) ? fallback : undefined;
  const base = file ? readConnectionFile(file) : undefined;
  if (!base && !flags.endpoints?.length) {
    if (anyFlag) throw new ConnectionSettingsError('--ca, --cert, --key and --user describe a class cluster, but no endpoints were given', 'add --endpoints https://host:port (or ETCD_ENDPOINTS), or a --connection file');
    return undefined;
  }
  const from = flags.endpoints?.length ? 'the command line' : base!.source;
  const user = flags.user ?? base?.connection.auth?.username;
  const password = flags.user ? env.ETCD_PASSWORD : (base?.connection.auth?.password ?? env.ETCD_PASSWORD);
  if (user && !password) throw new ConnectionSettingsError(`user ${user} has no password`, 'set ETCD_PASSWORD in the environment (never on the command line), or use a connection file');
  const ca = flags.ca ? pem(flags.ca, process.cwd(), 'CA', '--ca') : base?.connection.tls?.ca;
  const cert = flags.cert ? pem(flags.cert, process.cwd(), 'certificate', '--cert') : base?.connection.tls?.cert;
  const key = flags.key ? pem(flags.key, process.cwd(), 'key', '--key') : base?.connection.tls?.key;
  if ((cert || key) && !(cert && key)) throw new ConnectionSettingsError('a client certificate needs its key, and a key its certificate', 'give both --cert and --key (or neither)');
  if ((cert || key) && !ca) throw new ConnectionSettingsError('a client certificate was given without the CA that signed the cluster\'s certificate', 'add --ca <file> (ETCD_CACERT)');
  return {
    connection: {
      endpoints: flags.endpoints?.length ? flags.endpoints : base!.connection.endpoints,
      auth: user ? { username: user, password: password! } : undefined,
      tls: ca ? { ca, cert, key } : undefined,
    },
    namespace: base?.namespace,
    source: from,
  };
}

/** The namespace a student gets on a shared cluster when nobody names one. */
export function sharedNamespace(connection: Connection): string {
  return `/students/${connection.auth?.username ?? userInfo().username}/`;
}
