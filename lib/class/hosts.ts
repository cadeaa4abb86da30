/**
 * Where the class cluster's members live (`npm run class -- start --host …`).
 *
 * - No --host: etcd_config/secure1..3.yaml, three members on loopback (one
 *   machine, one user at its keyboard).
 * - One host (a name or an address of this machine): the three members
 *   there, on the same ports, reachable from the class's own laptops.
 * - Three hosts: one member per host, the production shape; this machine
 *   starts the members whose host is one of its own addresses (all three
 *   for loopback aliases such as 127.0.0.2-4), and `npm run class -- bundle`
 *   writes, for every other host, its member's config, certificates and a
 *   start script to copy over.
 *
 * The configs are made from etcd_config/secure*.yaml with the URLs changed,
 * into class/cluster/ (with hosts.json), and the server certificate is
 * made again to cover the hosts. A member listens on its address, or on
 * every interface when its host is a name.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { LocalCluster } from '../cluster/cluster.ts';
import { clusterConfigFiles, loadClusterSpec } from '../cluster/config.ts';
import { UsageError } from '../errors.ts';
import { paths, shown } from '../paths.ts';

export interface HostLayout {
  /** Folder of the generated configs (and hosts.json). */
  dir: string;
  /** The templates: etcd_config/ (secure1..3.yaml). */
  templates: string;
  /** Data, pids and logs: what the loopback class cluster uses too. */
  stateDir: string;
  /** Relative paths in the configs are relative to this. */
  cwd: string;
  /** The certificates' folder (certs/). */
  certs: string;
}

export function defaultLayout(): HostLayout {
  return { dir: join(paths.classFiles, 'cluster'), templates: paths.etcdConfig, stateDir: join(paths.clusterState, 'secure'), cwd: paths.root, certs: paths.certs };
}

/** The hosts the class cluster was configured for, or undefined (loopback: etcd_config/secure*.yaml). */
export function configuredHosts(layout = defaultLayout()): string[] | undefined {
  const file = join(layout.dir, 'hosts.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { hosts: string[] }).hosts : undefined;
}

/** The class cluster as configured: --host's configs when there are, else etcd_config/secure*.yaml. */
export function classCluster(layout = defaultLayout()): LocalCluster {
  if (!configuredHosts(layout)) return LocalCluster.secure(layout.templates, layout.stateDir);
  return new LocalCluster(loadClusterSpec(clusterConfigFiles(layout.dir, /^secure\d+\.ya?ml$/), { cwd: layout.cwd, stateDir: layout.stateDir }));
}

/** Whether `host` names this machine (an address of one of its interfaces, loopback, or its name). */
export function isThisMachine(host: string): boolean {
  if (host === 'localhost' || host === hostname()) return true;
  if (isIP(host) === 4 && host.startsWith('127.')) return true;
  const own = Object.values(networkInterfaces()).flat().map((i) => i?.address);
  return own.includes(host);
}

function url(scheme: string, host: string, port: string): string {
  return `${scheme}://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** "https://127.0.0.1:2479" → its port. */
function portOf(value: unknown): string {
  return new URL(String(value).split(',')[0]).port;
}

/**
 * Writes the class cluster's configs for `hosts` (one host, or one per member)
 * and returns the member names with their hosts.
 */
export function configureHosts(hosts: string[], layout = defaultLayout()): { name: string; host: string }[] {
  const templates = clusterConfigFiles(layout.templates, /^secure\d+\.ya?ml$/).map((f) => parse(readFileSync(f, 'utf8')) as Record<string, unknown>);
  if (hosts.length !== 1 && hosts.length !== templates.length) {
    throw new UsageError(`--host names ${hosts.length} hosts; the class cluster has ${templates.length} members`, `give one host (every member there) or ${templates.length} (one member each), comma-separated`);
  }
  const bad = hosts.filter((h) => !/^[A-Za-z0-9.:-]+$/.test(h));
  if (bad.length) throw new UsageError(`"${bad[0]}" is not a host name or an address`, 'e.g. --host 10.0.0.5, or --host etcd1.lab.example,etcd2.lab.example,etcd3.lab.example');
  const earlier = configuredHosts(layout);
  if (earlier && earlier.join(',') !== hosts.join(',') && existsSync(join(layout.stateDir, 'data'))) {
    throw new UsageError(`the class cluster's data was made for ${earlier.join(', ')}, not ${hosts.join(', ')}: etcd keeps its members' addresses in its data`, '`npm run class -- reset` (it deletes the data, users and class files), then start again');
  }
  // One host: the members keep their own ports; one host each: every member on the first member's ports.
  const members = templates.map((t, i) => {
    const host = hosts.length === 1 ? hosts[0] : hosts[i];
    const ports = hosts.length === 1 ? t : templates[0];
    return { name: String(t.name), host, template: t, client: portOf(ports['listen-client-urls']), peer: portOf(ports['listen-peer-urls']) };
  });
  const listenOn = (host: string) => (isIP(host) ? host : '0.0.0.0');
  const initial = members.map((m) => `${m.name}=${url('https', m.host, m.peer)}`).join(',');
  mkdirSync(layout.dir, { recursive: true });
  members.forEach((m, i) => {
    const security = {
      'cert-file': join(layout.certs, 'server.crt'),
      'key-file': join(layout.certs, 'server.key'),
      'trusted-ca-file': join(layout.certs, 'ca.crt'),
      'client-cert-auth': true,
    };
    const config = {
      ...m.template,
      'data-dir': join(layout.stateDir, 'data', m.name),
      'client-transport-security': security,
      'peer-transport-security': security,
      'listen-client-urls': url('https', listenOn(m.host), m.client),
      'advertise-client-urls': url('https', m.host, m.client),
      'listen-peer-urls': url('https', listenOn(m.host), m.peer),
      'initial-advertise-peer-urls': url('https', m.host, m.peer),
      'initial-cluster': initial,
    };
    const header = `# Member ${i + 1} of the class cluster on ${hosts.join(', ')}: written by \`npm run class -- start --host\` from ${shown(join(layout.templates, `secure${i + 1}.yaml`))}.\n`;
    writeFileSync(join(layout.dir, `secure${i + 1}.yaml`), header + stringify(config));
  });
  writeFileSync(join(layout.dir, 'hosts.json'), JSON.stringify({ hosts }, null, 2) + '\n');
  return members.map(({ name, host }) => ({ name, host }));
}
