/**
 * Certificates (npm run certs), TLS member configs, and secrets kept out of
 * what the runner shows.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { certSet, ensureCerts, readPem } from '../../lib/certs/store.ts';
import { createCa, inspect, issue } from '../../lib/certs/x509.ts';
import { LocalCluster } from '../../lib/cluster/cluster.ts';
import { validateNodeConfig } from '../../lib/cluster/config.ts';
import { transportSecurity } from '../../lib/cluster/generate.ts';
import { formatLabReport } from '../../lib/reporters/lab-report.ts';
import { run, testCluster, wrongDir } from '../helpers.ts';

describe('npm run certs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'certs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('makes a CA, a server certificate for localhost and 127.0.0.1, and client certificates; keys are 0600', async () => {
    const report = await ensureCerts({ dir });
    expect(report.made.map((m) => m.name)).toEqual(['ca', 'server', 'root', 'student', 'reader']);
    const set = certSet(dir);
    const ca = readFileSync(set.ca, 'utf8');
    const server = inspect(readPem(set.leaves.server).cert);
    expect(server.hosts).toEqual(expect.arrayContaining(['localhost', '127.0.0.1']));
    expect(await server.signedBy(ca)).toBe(true);
    expect(await server.matchesKey(readPem(set.leaves.server).key)).toBe(true);
    expect(inspect(readPem(set.leaves.root).cert).commonName).toBe('root');
    for (const files of Object.values(set.leaves)) expect(statSync(files.key).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
  });

  test('is idempotent: good certificates are kept', async () => {
    const before = readFileSync(join(dir, 'server.crt'), 'utf8');
    expect((await ensureCerts({ dir })).made).toEqual([]);
    expect(readFileSync(join(dir, 'server.crt'), 'utf8')).toBe(before);
  });

  test('a certificate from another CA, an expired one and a key that does not match are made again, with a message', async () => {
    const otherCa = await createCa('another CA', 30);
    const other = await issue(otherCa, { commonName: 'student', usages: ['client'], days: 30 });
    writeFileSync(join(dir, 'student.crt'), other.cert);
    writeFileSync(join(dir, 'student.key'), other.key);
    const ours = await createCa('expired on purpose', 1);
    const expired = await issue(ours, { commonName: 'root', usages: ['client'], days: -2 });
    writeFileSync(join(dir, 'root.crt'), expired.cert);
    writeFileSync(join(dir, 'reader.key'), other.key);
    const lines: string[] = [];
    const report = await ensureCerts({ dir, log: (l) => lines.push(l) });
    expect(report.made.map((m) => m.name).sort()).toEqual(['reader', 'root', 'student']);
    expect(lines.join('\n')).toMatch(/certs\/student\.crt is not signed by certs\/ca\.crt: made it again/);
    expect(lines.join('\n')).toMatch(/certs\/root\.crt is expired on \d{4}-\d\d-\d\d: made it again/);
    expect(lines.join('\n')).toMatch(/certs\/reader\.crt is not the pair of its private key: made it again/);
    expect((await ensureCerts({ dir })).made).toEqual([]);
  });

  test('--force makes everything again, a new CA included', async () => {
    const before = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const report = await ensureCerts({ dir, force: true });
    expect(report.made).toHaveLength(5);
    expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).not.toBe(before);
  });
});

describe('TLS member configs', () => {
  test('etcd_config/secure*.yaml load, and their TLS sections are the ones generated clusters use', () => {
    const secure = LocalCluster.secure();
    expect(secure.members).toHaveLength(3);
    for (const m of secure.members) {
      expect(m.clientUrls[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(m.tls?.ca).toMatch(/certs\/ca\.crt$/);
      const expected = transportSecurity({ ca: 'certs/ca.crt', cert: 'certs/server.crt', key: 'certs/server.key' });
      expect(m.raw['client-transport-security']).toEqual(expected);
      expect(m.raw['peer-transport-security']).toEqual(expected);
    }
  });

  test('https without certificates, or certificates on plain http, is refused before etcd would start', () => {
    const base = {
      name: 'a', 'data-dir': 'd', 'listen-client-urls': 'https://127.0.0.1:1', 'advertise-client-urls': 'https://127.0.0.1:1',
      'listen-peer-urls': 'http://127.0.0.1:2', 'initial-advertise-peer-urls': 'http://127.0.0.1:2', 'initial-cluster': 'a=http://127.0.0.1:2',
      'initial-cluster-token': 't', 'initial-cluster-state': 'new', 'pre-vote': true, logger: 'zap',
    };
    expect(validateNodeConfig(base).join('\n')).toMatch(/`listen-client-urls` uses https but `client-transport-security` has no `cert-file`/);
    const plain = { ...base, 'listen-client-urls': 'http://127.0.0.1:1', 'advertise-client-urls': 'http://127.0.0.1:1', 'client-transport-security': { 'cert-file': 'x', 'key-file': 'y' } };
    expect(validateNodeConfig(plain).join('\n')).toMatch(/`client-transport-security` is set but `listen-client-urls` is plain http/);
  });
});

test('passwords never appear in what the runner shows, whatever the student prints', async () => {
  const result = await run('11', { labsDir: wrongDir('11', 'prints-password'), only: ['secure-put-get', 'logs-in-as-user'] });
  const report = formatLabReport(result) + JSON.stringify(result.checks);
  expect(report).toMatch(/••••••/);
  expect(report).not.toMatch(/pw-[\w-]{12,}/);
});

test('lab 11 shows plain http, TLS without a client certificate and TLS trusting another CA refused, each with its own reason and meaning', async () => {
  const result = await run('11', { solution: true, only: ['trusts-given-ca'] });
  expect(result.passed).toBe(true);
  expect(result.checks[0].notes).toEqual([
    expect.stringMatching(/^plain http \(no TLS\): refused, "Failed to connect": the member wants TLS and hangs up/),
    expect.stringMatching(/^TLS without a client certificate: refused, "sslv3 alert bad certificate alert number 42": the member asked for a client certificate \(client-cert-auth\), got none/),
    expect.stringMatching(/^TLS trusting another CA: refused, "unable to verify the first certificate": the client cannot trace the member's certificate to a CA it trusts/),
  ]);
});

test('a lab that starts its own members is skipped, with the reason, on a cluster the workbook does not manage', async () => {
  const result = await run('11', { solution: true, cluster: undefined, endpoints: testCluster().endpoints, namespace: '/students/skip/' });
  expect(result.checks.map((c) => c.status)).toEqual(result.checks.map(() => 'skipped'));
  expect(result.checks[0].message).toMatch(/runs on your own machine only \(it starts its own etcd member with TLS and authentication\); run it without --endpoints/);
});
