/**
 * A class cluster served on the network, in the production shape: one
 * member per host, on three addresses (loopback aliases 127.0.0.2-4 stand
 * for three machines), a server certificate covering them, and a student
 * whose connection file points there running a lab.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { writeBundles } from '../../lib/class/bundle.ts';
import { type HostLayout, classCluster, configureHosts } from '../../lib/class/hosts.ts';
import { startClassCluster } from '../../lib/class/start.ts';
import { setupStudents } from '../../lib/class/students.ts';
import { inspect } from '../../lib/certs/x509.ts';
import { readConnectionFile } from '../../lib/connection/file.ts';
import { paths } from '../../lib/paths.ts';
import { runLab } from '../../lib/runner/run-lab.ts';
import { TEST_HOSTS_CLIENT_PORT, TEST_HOSTS_PEER_PORT } from '../ports.ts';

const HOSTS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

/** etcd_config/secure*.yaml with the test's ports: the templates --host starts from. */
function testTemplates(dir: string): string {
  const templates = join(dir, 'templates');
  mkdirSync(templates);
  for (const file of readdirSync(paths.etcdConfig).filter((f) => /^secure\d+\.yaml$/.test(f))) {
    const text = readFileSync(join(paths.etcdConfig, file), 'utf8')
      .replace(/:(247\d)\b/g, (_, p: string) => `:${TEST_HOSTS_CLIENT_PORT + 2479 - Number(p)}`)
      .replace(/:(258\d)\b/g, (_, p: string) => `:${TEST_HOSTS_PEER_PORT + Number(p) - 2580}`);
    writeFileSync(join(templates, file), text);
  }
  return templates;
}

test('a class cluster on three hosts: one member each, a certificate for them, a student runs a lab there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'class-hosts-'));
  const layout: HostLayout = { dir: join(dir, 'cluster'), templates: testTemplates(dir), stateDir: join(dir, 'state'), cwd: paths.root, certs: join(dir, 'certs') };
  const members = configureHosts(HOSTS, layout);
  expect(members).toEqual([{ name: 'secure1', host: '127.0.0.2' }, { name: 'secure2', host: '127.0.0.3' }, { name: 'secure3', host: '127.0.0.4' }]);
  const cluster = classCluster(layout);
  try {
    const started = await startClassCluster({ cluster, dir: join(dir, 'class'), certsDir: layout.certs, serverHosts: HOSTS, only: members.map((m) => m.name) });
    expect(started.endpoints).toEqual(HOSTS.map((h) => `https://${h}:${TEST_HOSTS_CLIENT_PORT}`));
    expect(inspect(readFileSync(join(layout.certs, 'server.crt'), 'utf8')).hosts).toEqual(expect.arrayContaining(HOSTS));
    const [ana] = await setupStudents(readConnectionFile(started.rootFile).connection, ['ana'], { dir: join(dir, 'class'), certsDir: layout.certs });
    const file = readConnectionFile(ana.file);
    expect(file.connection.endpoints).toEqual(started.endpoints);
    const result = await runLab('03', { solution: true, connection: file.connection, namespace: file.namespace, renderer: 'silent' });
    expect(result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
  } finally {
    await cluster.destroy();
  }
  // What the other hosts need: their member's config, the certificates, a start script.
  const bundles = await writeBundles(HOSTS, join(dir, 'bundles'));
  expect(bundles.map((b) => b.host)).toEqual(HOSTS);
  const config = readFileSync(join(dir, 'bundles', '127.0.0.3', 'etcd.yaml'), 'utf8');
  expect(config).toMatch(/advertise-client-urls: https:\/\/127\.0\.0\.3:2479/);
  expect(config).toMatch(/initial-cluster: secure1=https:\/\/127\.0\.0\.2:2580,secure2=https:\/\/127\.0\.0\.3:2580,secure3=https:\/\/127\.0\.0\.4:2580/);
  expect(readdirSync(join(dir, 'bundles', '127.0.0.3', 'certs')).sort()).toEqual(['ca.crt', 'server.crt', 'server.key']);
}, 120_000);
