/**
 * Finding etcd, and installing the official release, tested against a local
 * HTTP server serving a test archive (these machines cannot reach GitHub).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findEtcd, requireEtcd } from '../../lib/etcd/binaries.ts';
import { ensureEtcd, expectedSha256, installFromRelease, releaseFor } from '../../lib/etcd/install.ts';

const VERSION = 'v9.9.9';
let server: Server;
let baseUrl: string;
let archive: Buffer;
const served = new Map<string, Buffer>();

function fakeBin(dir: string, name: string) {
  writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} Version: 9.9.9"\n`);
  chmodSync(join(dir, name), 0o755);
}

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'release-'));
  const folder = `etcd-${VERSION}-linux-amd64`;
  mkdirSync(join(work, folder));
  fakeBin(join(work, folder), 'etcd');
  fakeBin(join(work, folder), 'etcdctl');
  execFileSync('tar', ['-czf', join(work, `${folder}.tar.gz`), '-C', work, folder]);
  archive = readFileSync(join(work, `${folder}.tar.gz`));
  const sha = createHash('sha256').update(archive).digest('hex');
  served.set(`/${VERSION}/${folder}.tar.gz`, archive);
  served.set(`/${VERSION}/SHA256SUMS`, Buffer.from(`${'0'.repeat(64)}  other-file.zip\n${sha}  ${folder}.tar.gz\n`));
  server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    res.writeHead(body ? 200 : 404).end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => server.close());

const env = (extra: NodeJS.ProcessEnv = {}) => ({ PATH: '/nonexistent', ETCD_DOWNLOAD_URL: baseUrl, ETCD_VERSION: VERSION, ...extra });

test('downloads the release, verifies its SHA-256 and installs etcd and etcdctl into the project folder', async () => {
  const installDir = mkdtempSync(join(tmpdir(), 'install-'));
  const lines: string[] = [];
  const result = await ensureEtcd({ env: env(), platform: 'linux', arch: 'x64', installDir, allowApt: false, log: (l) => lines.push(l) });
  expect(result).toMatchObject({ how: 'download', version: '9.9.9' });
  expect(result.binaries.etcd).toBe(join(installDir, 'bin', 'etcd'));
  expect(statSync(join(installDir, 'bin', 'etcdctl')).mode & 0o111).toBeTruthy();
  expect(lines.join('\n')).toMatch(/SHA-256 verified/);
  // Found again without downloading.
  expect(findEtcd(env(), installDir)?.source).toBe('project');
});

test('a damaged download is refused and nothing is installed', async () => {
  const installDir = mkdtempSync(join(tmpdir(), 'install-'));
  const release = releaseFor('linux', 'x64', env());
  const good = served.get(`/${VERSION}/${release.archiveName}`)!;
  served.set(`/${VERSION}/${release.archiveName}`, Buffer.concat([good, Buffer.from('x')]));
  try {
    await expect(installFromRelease(release, installDir)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(existsSync(join(installDir, 'bin', 'etcd'))).toBe(false);
  } finally {
    served.set(`/${VERSION}/${release.archiveName}`, good);
  }
});

test('an unreachable server or a missing release says exactly what to do by hand', async () => {
  const installDir = mkdtempSync(join(tmpdir(), 'install-'));
  const missing = releaseFor('linux', 'arm64', env());
  await expect(installFromRelease(missing, installDir)).rejects.toThrow(/lists no checksum for etcd-v9.9.9-linux-arm64.tar.gz/);
  const down = releaseFor('linux', 'x64', env({ ETCD_DOWNLOAD_URL: 'http://127.0.0.1:1' }));
  const error = await installFromRelease(down, installDir).catch((e) => e);
  expect(error.code).toBe('ETCD_INSTALL_FAILED');
  expect(error.fix).toMatch(/download etcd-v9.9.9-linux-amd64.tar.gz from https:\/\/github.com\/etcd-io\/etcd\/releases\/tag\/v9.9.9.*set ETCD_BIN/);
  expect(() => releaseFor('aix', 'x64', env())).toThrow(/no official etcd release for aix\/x64/);
});

test('release names follow the official layout', () => {
  expect(releaseFor('darwin', 'arm64', {}).archiveUrl).toBe('https://github.com/etcd-io/etcd/releases/download/v3.5.17/etcd-v3.5.17-darwin-arm64.zip');
  expect(releaseFor('linux', 'x64', {}).archiveUrl).toBe('https://github.com/etcd-io/etcd/releases/download/v3.5.17/etcd-v3.5.17-linux-amd64.tar.gz');
  expect(expectedSha256(`${'a'.repeat(64)} *file.zip\n`, 'file.zip')).toBe('a'.repeat(64));
});

test('ETCD_BIN comes first, then PATH, then the project folder; none is the "run npm run setup" error', () => {
  const bin = mkdtempSync(join(tmpdir(), 'bin-'));
  fakeBin(bin, 'etcd');
  fakeBin(bin, 'etcdctl');
  const other = mkdtempSync(join(tmpdir(), 'bin-'));
  fakeBin(other, 'etcd');
  fakeBin(other, 'etcdctl');
  expect(findEtcd({ ETCD_BIN: bin, PATH: other }, '/nonexistent')).toMatchObject({ source: 'ETCD_BIN', etcd: join(bin, 'etcd') });
  expect(findEtcd({ PATH: other }, '/nonexistent')).toMatchObject({ source: 'PATH', etcd: join(other, 'etcd') });
  expect(() => requireEtcd({ PATH: '/nonexistent' })).toThrow(/etcd is not installed/);
  try {
    requireEtcd({ PATH: '/nonexistent' });
  } catch (error) {
    expect((error as { fix: string }).fix).toMatch(/npm run setup/);
  }
});
