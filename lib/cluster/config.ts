/**
 * etcd node configs: reading, validating, and deriving a cluster from them.
 *
 * The YAML files in etcd_config/ are the single source of truth for the
 * classroom cluster. etcd (with --config-file) silently ignores keys it does
 * not know, so a typo such as `pre_vote: true` would quietly change the
 * cluster's behaviour. We validate every key and value ourselves and name
 * the file and key when something is off.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../errors.ts';
import { shown } from '../paths.ts';

/** Top-level keys etcd 3.4/3.5 reads from a config file (read off the etcd binary's config struct). */
const KNOWN_KEYS = new Set([
  'name', 'data-dir', 'wal-dir', 'snapshot-count', 'heartbeat-interval', 'election-timeout',
  'initial-election-tick-advance', 'quota-backend-bytes', 'backend-batch-limit', 'backend-batch-interval',
  'max-txn-ops', 'max-request-bytes', 'max-snapshots', 'max-wals', 'max-concurrent-streams',
  'listen-peer-urls', 'listen-client-urls', 'listen-metrics-urls', 'advertise-client-urls',
  'initial-advertise-peer-urls', 'discovery', 'discovery-fallback', 'discovery-proxy', 'discovery-srv',
  'discovery-srv-name', 'initial-cluster', 'initial-cluster-token', 'initial-cluster-state',
  'strict-reconfig-check', 'enable-v2', 'enable-pprof', 'enable-grpc-gateway', 'proxy', 'proxy-failure-wait',
  'proxy-refresh-interval', 'proxy-dial-timeout', 'proxy-write-timeout', 'proxy-read-timeout',
  'client-transport-security', 'peer-transport-security', 'debug', 'log-level', 'logger', 'log-outputs',
  'log-output', 'log-package-levels', 'force-new-cluster', 'auto-compaction-mode', 'auto-compaction-retention',
  'grpc-keepalive-min-time', 'grpc-keepalive-interval', 'grpc-keepalive-timeout', 'cipher-suites', 'cors',
  'host-whitelist', 'auth-token', 'auth-token-ttl', 'bcrypt-cost', 'pre-vote', 'unsafe-no-fsync',
  'experimental-backend-bbolt-freelist-type', 'experimental-compaction-batch-limit',
  'experimental-corrupt-check-time', 'experimental-enable-lease-checkpoint',
  'experimental-enable-lease-checkpoint-persist', 'experimental-enable-v2v3', 'experimental-initial-corrupt-check',
  'experimental-warning-apply-duration', 'experimental-watch-progress-notify-interval',
]);
const TLS_KEYS = new Set(['cert-file', 'key-file', 'client-cert-auth', 'trusted-ca-file', 'auto-tls']);
const REQUIRED = [
  'name', 'data-dir', 'listen-client-urls', 'advertise-client-urls', 'listen-peer-urls',
  'initial-advertise-peer-urls', 'initial-cluster', 'initial-cluster-token', 'initial-cluster-state',
];
const NUMBERS = ['heartbeat-interval', 'election-timeout', 'snapshot-count', 'quota-backend-bytes', 'max-txn-ops', 'max-request-bytes'];
const BOOLEANS = ['pre-vote', 'strict-reconfig-check', 'enable-v2', 'enable-pprof', 'force-new-cluster', 'debug'];

/** The files of a member's client-transport-security (absolute paths). */
export interface MemberTls {
  ca: string;
  cert: string;
  key: string;
}

export interface MemberSpec {
  name: string;
  /** Absolute path of the YAML file etcd is started with. */
  configFile: string;
  /** Absolute data dir (a relative data-dir is relative to the cluster's working dir). */
  dataDir: string;
  /** advertise-client-urls: what clients dial. */
  clientUrls: string[];
  /** initial-advertise-peer-urls: what other members dial. */
  peerUrls: string[];
  /** Every port this member listens on, with its role, for "port in use" messages. */
  ports: { port: number; host: string; role: string }[];
  heartbeatMs: number;
  electionMs: number;
  /** Present when clients must use TLS (https client URLs). */
  tls?: MemberTls;
  /** The parsed YAML, as etcd will read it. */
  raw: Record<string, unknown>;
}

export interface ClusterSpec {
  members: MemberSpec[];
  /** etcd's working directory: relative data-dirs resolve against it. */
  cwd: string;
  /** Where pids and logs of this cluster are kept. */
  stateDir: string;
}

/** The Levenshtein distance, to suggest `pre-vote` for `pre_vote`. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

function suggestion(key: string, known: Set<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(key.replace(/_/g, '-').toLowerCase(), candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best && bestDistance <= 3 ? ` (did you mean \`${best}\`?)` : '';
}

function urlList(value: unknown): string[] {
  return String(value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Problems with one node's config, each naming the key. Empty when it is fine. */
export function validateNodeConfig(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return ['the file is not a YAML mapping of etcd options'];
  const config = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) problems.push(`unknown key \`${key}\`: etcd would silently ignore it${suggestion(key, KNOWN_KEYS)}`);
  }
  for (const section of ['client-transport-security', 'peer-transport-security']) {
    const value = config[section];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object') { problems.push(`\`${section}\` must be a mapping`); continue; }
    for (const key of Object.keys(value)) {
      if (!TLS_KEYS.has(key)) problems.push(`unknown key \`${section}.${key}\`: etcd would silently ignore it${suggestion(key, TLS_KEYS)}`);
    }
  }
  for (const key of REQUIRED) {
    if (config[key] === undefined || config[key] === null || config[key] === '') problems.push(`\`${key}\` is missing`);
  }
  for (const key of NUMBERS) {
    if (config[key] !== undefined && (typeof config[key] !== 'number' || !Number.isInteger(config[key]) || (config[key] as number) <= 0)) {
      problems.push(`\`${key}\` must be a positive whole number, got ${JSON.stringify(config[key])}`);
    }
  }
  for (const key of BOOLEANS) {
    if (config[key] !== undefined && typeof config[key] !== 'boolean') problems.push(`\`${key}\` must be true or false, got ${JSON.stringify(config[key])}`);
  }
  if (config.logger !== 'zap') problems.push('`logger` must be `zap` (etcd 3.4 otherwise logs with the deprecated capnslog)');
  if (config['pre-vote'] !== true) problems.push('`pre-vote` must be true (without it a member that was cut off disrupts the leader when it returns)');
  if (config['initial-cluster-state'] !== undefined && !['new', 'existing'].includes(String(config['initial-cluster-state']))) {
    problems.push('`initial-cluster-state` must be `new` or `existing`');
  }
  const heartbeat = (config['heartbeat-interval'] as number | undefined) ?? 100;
  const election = (config['election-timeout'] as number | undefined) ?? 1000;
  if (typeof heartbeat === 'number' && typeof election === 'number' && election < 5 * heartbeat) {
    problems.push(`\`election-timeout\` (${election}) must be at least 5 × \`heartbeat-interval\` (${heartbeat}); etcd refuses to start otherwise`);
  }
  for (const key of ['listen-client-urls', 'advertise-client-urls', 'listen-peer-urls', 'initial-advertise-peer-urls']) {
    for (const url of urlList(config[key])) {
      let parsed: URL | undefined;
      try { parsed = new URL(url); } catch { /* reported below */ }
      if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || !parsed.port) {
        problems.push(`\`${key}\` has "${url}", which is not an http(s)://host:port URL`);
      }
    }
  }
  for (const [urls, section] of [['listen-client-urls', 'client-transport-security'], ['listen-peer-urls', 'peer-transport-security']]) {
    const security = (config[section] ?? {}) as Record<string, unknown>;
    const https = urlList(config[urls]).some((u) => u.startsWith('https:'));
    if (https && !(security['cert-file'] && security['key-file']) && security['auto-tls'] !== true) {
      problems.push(`\`${urls}\` uses https but \`${section}\` has no \`cert-file\` and \`key-file\` (\`npm run certs\` makes them)`);
    }
    if (!https && (security['cert-file'] || security['client-cert-auth'])) {
      problems.push(`\`${section}\` is set but \`${urls}\` is plain http: etcd would serve without TLS; use https URLs`);
    }
  }
  if (config['initial-cluster'] && config.name) {
    const entries = parseInitialCluster(String(config['initial-cluster']));
    const own = entries.filter((e) => e.name === config.name).map((e) => e.url);
    const advertised = urlList(config['initial-advertise-peer-urls']);
    if (own.length === 0) problems.push(`\`initial-cluster\` has no entry for this member's name \`${String(config.name)}\``);
    else if (advertised.some((url) => !own.includes(url))) {
      problems.push(`\`initial-advertise-peer-urls\` (${advertised.join(',')}) does not match this member's entry in \`initial-cluster\` (${own.join(',')})`);
    }
  }
  return problems;
}

function parseInitialCluster(value: string): { name: string; url: string }[] {
  return urlList(value).map((entry) => {
    const at = entry.indexOf('=');
    return { name: entry.slice(0, at), url: entry.slice(at + 1) };
  });
}

function memberFrom(config: Record<string, unknown>, file: string, cwd: string): MemberSpec {
  const dataDir = String(config['data-dir']);
  const ports: MemberSpec['ports'] = [];
  for (const [key, role] of [['listen-client-urls', 'client port'], ['listen-peer-urls', 'peer port']] as const) {
    for (const url of urlList(config[key])) {
      const parsed = new URL(url);
      ports.push({ port: Number(parsed.port), host: parsed.hostname.replace(/^\[|\]$/g, ''), role: `${role} of ${String(config.name)}` });
    }
  }
  const security = config['client-transport-security'] as Record<string, unknown> | undefined;
  const path = (value: unknown) => (isAbsolute(String(value)) ? String(value) : resolve(cwd, String(value)));
  const tls = security?.['cert-file'] && security['key-file'] && security['trusted-ca-file']
    ? { ca: path(security['trusted-ca-file']), cert: path(security['cert-file']), key: path(security['key-file']) }
    : undefined;
  return {
    name: String(config.name),
    configFile: file,
    tls,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    clientUrls: urlList(config['advertise-client-urls']),
    peerUrls: urlList(config['initial-advertise-peer-urls']),
    ports,
    heartbeatMs: (config['heartbeat-interval'] as number | undefined) ?? 100,
    electionMs: (config['election-timeout'] as number | undefined) ?? 1000,
    raw: config,
  };
}

/** The default cluster's files: etcd1.yaml, etcd2.yaml, ... (other YAMLs in the folder belong to other clusters). */
export function clusterConfigFiles(configDir: string, pattern = /^etcd\d+\.ya?ml$/): string[] {
  let names: string[];
  try {
    names = readdirSync(configDir);
  } catch {
    throw new ConfigError(`the config folder ${shown(configDir)} does not exist`, 'restore etcd_config/ from git');
  }
  return names.filter((n) => pattern.test(n)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((n) => join(configDir, n));
}

/** Reads, validates and combines member configs into one cluster. Throws ConfigError naming file and key. */
export function loadClusterSpec(files: string[], options: { cwd: string; stateDir: string }): ClusterSpec {
  if (files.length === 0) throw new ConfigError('no etcd member configs were found', 'restore etcd_config/etcd1.yaml … etcd3.yaml from git');
  const members: MemberSpec[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let raw: unknown;
    try {
      raw = parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push(`${shown(file)}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const own = validateNodeConfig(raw);
    problems.push(...own.map((p) => `${shown(file)}: ${p}`));
    if (own.length === 0) members.push(memberFrom(raw as Record<string, unknown>, file, options.cwd));
  }
  if (problems.length === 0) problems.push(...clusterProblems(members));
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).join('; ')})` : '';
    throw new ConfigError(problems[0] + more, 'edit the file named above; `npm run cluster -- status` validates the configs again');
  }
  return { members, cwd: options.cwd, stateDir: options.stateDir };
}

/** Problems across members: names, ports, data dirs, one shared initial-cluster. */
function clusterProblems(members: MemberSpec[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const m of members) {
    const claims = [`name ${m.name}`, `data-dir ${m.dataDir}`];
    for (const claim of claims) {
      const other = seen.get(claim);
      if (other && other !== m.configFile) problems.push(`${shown(m.configFile)} and ${shown(other)} both use ${claim}`);
      seen.set(claim, m.configFile);
    }
  }
  // A port is taken per address: members on 127.0.0.2 and 127.0.0.3 may share one (a class cluster's
  // --host); one that listens on every address (0.0.0.0) takes it on all of them.
  const ports: { file: string; port: number; host: string }[] = [];
  for (const m of members) {
    for (const p of m.ports) {
      const clash = ports.find((q) => q.file !== m.configFile && q.port === p.port && (q.host === p.host || [q.host, p.host].some((h) => h === '0.0.0.0' || h === '::')));
      if (clash) problems.push(`${shown(m.configFile)} and ${shown(clash.file)} both use port ${p.port}${p.host === clash.host ? '' : ` (on ${clash.host} and ${p.host})`}`);
      ports.push({ file: m.configFile, port: p.port, host: p.host });
    }
  }
  const first = members[0];
  for (const m of members.slice(1)) {
    for (const key of ['initial-cluster', 'initial-cluster-token']) {
      if (m.raw[key] !== first.raw[key]) problems.push(`${shown(m.configFile)}: \`${key}\` differs from ${shown(first.configFile)}; every member needs the same value`);
    }
  }
  const listed = parseInitialCluster(String(first.raw['initial-cluster'])).map((e) => e.name).sort();
  const names = members.map((m) => m.name).sort();
  if (problems.length === 0 && listed.join() !== names.join()) {
    problems.push(`\`initial-cluster\` lists ${listed.join(', ')} but the config files define ${names.join(', ')}`);
  }
  return problems;
}
