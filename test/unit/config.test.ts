import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { expect, test } from 'vitest';
import { clusterConfigFiles, loadClusterSpec, validateNodeConfig } from '../../lib/cluster/config.ts';
import { paths } from '../../lib/paths.ts';
import { readFileSync } from 'node:fs';

const shipped = () => parse(readFileSync(join(paths.etcdConfig, 'etcd1.yaml'), 'utf8')) as Record<string, unknown>;

test('the shipped configs describe a valid 3-member cluster on the classroom ports', () => {
  const spec = loadClusterSpec(clusterConfigFiles(paths.etcdConfig), { cwd: paths.root, stateDir: paths.clusterState });
  expect(spec.members.map((m) => m.name)).toEqual(['etcd1', 'etcd2', 'etcd3']);
  expect(spec.members.map((m) => m.clientUrls[0])).toEqual(['http://127.0.0.1:2379', 'http://127.0.0.1:2378', 'http://127.0.0.1:2377']);
  expect(spec.members.map((m) => m.peerUrls[0])).toEqual(['http://127.0.0.1:2380', 'http://127.0.0.1:2381', 'http://127.0.0.1:2382']);
  expect(spec.members.every((m) => m.heartbeatMs === 50 && m.electionMs === 500)).toBe(true);
  expect(spec.members[0].dataDir).toBe(join(paths.root, '.cluster/data/etcd1'));
});

test('a typo in a key is caught with a suggestion (etcd would ignore it silently)', () => {
  const { 'pre-vote': _, ...rest } = shipped();
  expect(validateNodeConfig({ ...rest, pre_vote: true })).toEqual([
    'unknown key `pre_vote`: etcd would silently ignore it (did you mean `pre-vote`?)',
    '`pre-vote` must be true (without it a member that was cut off disrupts the leader when it returns)',
  ]);
  expect(validateNodeConfig({ ...shipped(), 'heartbeat-intervall': 50 })[0]).toMatch(/did you mean `heartbeat-interval`/);
  expect(validateNodeConfig({ ...shipped(), 'client-transport-security': { 'cert_file': 'x' } })[0]).toMatch(/client-transport-security.cert_file.*did you mean `cert-file`/);
});

test('wrong values and missing keys are named', () => {
  expect(validateNodeConfig({ ...shipped(), logger: 'capnslog' })).toEqual([expect.stringMatching(/`logger` must be `zap`/)]);
  expect(validateNodeConfig({ ...shipped(), 'election-timeout': 100 })).toEqual([expect.stringMatching(/at least 5 × `heartbeat-interval`/)]);
  expect(validateNodeConfig({ ...shipped(), 'heartbeat-interval': '50ms' })[0]).toMatch(/positive whole number/);
  expect(validateNodeConfig({ ...shipped(), 'listen-client-urls': '127.0.0.1:2379' })[0]).toMatch(/not an http\(s\):\/\/host:port URL/);
  expect(validateNodeConfig({ ...shipped(), 'initial-advertise-peer-urls': 'http://127.0.0.1:9999' })[0]).toMatch(/does not match this member's entry/);
  const { name: _, ...noName } = shipped();
  expect(validateNodeConfig(noName)).toContain('`name` is missing');
  expect(validateNodeConfig('just text')).toEqual(['the file is not a YAML mapping of etcd options']);
});

test('problems across members: duplicate ports, differing initial-cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const a = shipped();
  const b = { ...parse(readFileSync(join(paths.etcdConfig, 'etcd2.yaml'), 'utf8')), 'listen-client-urls': a['listen-client-urls'] };
  writeFileSync(join(dir, 'etcd1.yaml'), stringify(a));
  writeFileSync(join(dir, 'etcd2.yaml'), stringify(b));
  expect(() => loadClusterSpec(clusterConfigFiles(dir), { cwd: dir, stateDir: dir })).toThrow(/both use port 2379/);
  writeFileSync(join(dir, 'etcd2.yaml'), stringify({ ...parse(readFileSync(join(paths.etcdConfig, 'etcd2.yaml'), 'utf8')), 'initial-cluster-token': 'other' }));
  expect(() => loadClusterSpec(clusterConfigFiles(dir), { cwd: dir, stateDir: dir })).toThrow(/`initial-cluster-token` differs/);
  writeFileSync(join(dir, 'etcd2.yaml'), 'name: [unclosed');
  expect(() => loadClusterSpec(clusterConfigFiles(dir), { cwd: dir, stateDir: dir })).toThrow(/etcd2.yaml: not valid YAML/);
});
