/**
 * Making sure etcd is on the machine (`npm run setup`).
 *
 * - Already there (ETCD_BIN, PATH, project-local): report the version.
 * - Debian/Ubuntu as root: install the distro packages etcd-server and
 *   etcd-client, and stop the service the package starts on port 2379
 *   (it would take the classroom cluster's port).
 * - Anywhere else: download the official release for this OS/arch into the
 *   project-local folder, verified against the release's SHA256SUMS.
 *   The base URL is configurable (ETCD_DOWNLOAD_URL) so that this path is
 *   tested against a local HTTP server.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ChecksumMismatchError, EtcdInstallError } from '../errors.ts';
import { paths, shown } from '../paths.ts';
import { type EtcdBinaries, etcdVersion, findEtcd, projectEtcdBin } from './binaries.ts';

const run = promisify(execFile);

export const DEFAULT_RELEASE = {
  version: 'v3.5.17',
  baseUrl: 'https://github.com/etcd-io/etcd/releases/download',
};

export interface InstallOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  arch?: string;
  installDir?: string;
  /** Allow the Debian package route (root on Debian/Ubuntu). */
  allowApt?: boolean;
  log?: (line: string) => void;
}

export interface InstallResult {
  binaries: EtcdBinaries;
  version: string;
  /** What setup did: found it, installed the distro packages, or downloaded the release. */
  how: 'found' | 'apt' | 'download';
}

export async function ensureEtcd(options: InstallOptions = {}): Promise<InstallResult> {
  const env = options.env ?? process.env;
  const installDir = options.installDir ?? paths.etcdInstall;
  const log = options.log ?? (() => {});
  const found = findEtcd(env, installDir);
  if (found) return { binaries: found, version: await etcdVersion(found.etcd), how: 'found' };

  const platform = options.platform ?? process.platform;
  if ((options.allowApt ?? true) && platform === 'linux' && isRoot() && existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get')) {
    log('etcd not found: installing Debian packages etcd-server and etcd-client (apt-get)');
    await installWithApt(log);
  } else {
    const release = releaseFor(platform, options.arch ?? process.arch, env);
    log(`etcd not found: downloading ${release.archiveUrl}`);
    await installFromRelease(release, installDir, log);
  }
  const binaries = findEtcd(env, installDir);
  if (!binaries) throw new EtcdInstallError('the install finished but etcd is still not found', 'set ETCD_BIN to the folder that holds etcd and etcdctl');
  return { binaries, version: await etcdVersion(binaries.etcd), how: binaries.source === 'project' ? 'download' : 'apt' };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function installWithApt(log: (line: string) => void): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-qq'], { env, maxBuffer: 64 << 20 });
    await run('apt-get', ['install', '-y', '-qq', 'etcd-server', 'etcd-client'], { env, maxBuffer: 64 << 20 });
  } catch (error) {
    const detail = String((error as { stderr?: string }).stderr ?? error).trim().split('\n').pop();
    throw new EtcdInstallError(`apt-get could not install etcd-server/etcd-client: ${detail}`, 'run `apt-get update && apt-get install etcd-server etcd-client` by hand and read its message');
  }
  // The package enables a system etcd on 127.0.0.1:2379; the workbook runs its own cluster there.
  try {
    await run('systemctl', ['is-active', '--quiet', 'etcd']);
    await run('systemctl', ['disable', '--now', 'etcd']);
    log('stopped and disabled the system etcd service (it listens on 2379, the classroom cluster needs that port)');
  } catch {
    // no systemd, or the service is not running: nothing to do
  }
}

export interface Release {
  version: string;
  archiveName: string;
  archiveUrl: string;
  sumsUrl: string;
  /** Folder name inside the archive. */
  folder: string;
}

const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
const ARCH_NAMES: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' };

export function releaseFor(platform: NodeJS.Platform, arch: string, env: NodeJS.ProcessEnv = process.env): Release {
  const version = env.ETCD_VERSION ?? DEFAULT_RELEASE.version;
  const baseUrl = (env.ETCD_DOWNLOAD_URL ?? DEFAULT_RELEASE.baseUrl).replace(/\/+$/, '');
  const os = OS_NAMES[platform];
  const cpu = ARCH_NAMES[arch];
  if (!os || !cpu) {
    throw new EtcdInstallError(
      `there is no official etcd release for ${platform}/${arch}`,
      'build etcd from source (https://etcd.io/docs/latest/install/) and set ETCD_BIN to the folder that holds etcd and etcdctl',
    );
  }
  const folder = `etcd-${version}-${os}-${cpu}`;
  const archiveName = `${folder}.${os === 'linux' ? 'tar.gz' : 'zip'}`;
  return { version, archiveName, folder, archiveUrl: `${baseUrl}/${version}/${archiveName}`, sumsUrl: `${baseUrl}/${version}/SHA256SUMS` };
}

async function download(url: string, what: string, release: Release): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    throw new EtcdInstallError(`could not download ${what} from ${url}: ${(error as Error).cause ?? (error as Error).message}`, manualSteps(release));
  }
  if (!response.ok) throw new EtcdInstallError(`downloading ${url} answered HTTP ${response.status}`, manualSteps(release));
  return Buffer.from(await response.arrayBuffer());
}

function manualSteps(release: Release): string {
  return `download ${release.archiveName} from https://github.com/etcd-io/etcd/releases/tag/${release.version}, check it against SHA256SUMS, unpack it and set ETCD_BIN to the unpacked folder (on Debian/Ubuntu: \`sudo apt-get install etcd-server etcd-client\`)`;
}

/** The expected SHA-256 of `name` in a SHA256SUMS file ("<hex>  <name>" per line). */
export function expectedSha256(sums: string, name: string): string | undefined {
  for (const line of sums.split('\n')) {
    const [hash, file] = line.trim().split(/\s+\*?/);
    if (file === name && /^[0-9a-f]{64}$/i.test(hash)) return hash.toLowerCase();
  }
  return undefined;
}

export async function installFromRelease(release: Release, installDir: string, log: (line: string) => void = () => {}): Promise<void> {
  const sums = (await download(release.sumsUrl, 'the checksum list', release)).toString('utf8');
  const expected = expectedSha256(sums, release.archiveName);
  if (!expected) throw new EtcdInstallError(`${release.sumsUrl} lists no checksum for ${release.archiveName}`, manualSteps(release));
  const archive = await download(release.archiveUrl, 'etcd', release);
  const actual = createHash('sha256').update(archive).digest('hex');
  if (actual !== expected) throw new ChecksumMismatchError(release.archiveName, expected, actual);
  log(`SHA-256 verified (${actual.slice(0, 16)}…)`);

  const work = await mkdtemp(join(tmpdir(), 'etcd-download-'));
  try {
    const archivePath = join(work, release.archiveName);
    await writeFile(archivePath, archive);
    try {
      // bsdtar (macOS, Windows) reads zip files as well as tar.gz.
      await run('tar', ['-xf', archivePath, '-C', work]);
    } catch (error) {
      throw new EtcdInstallError(`could not unpack ${release.archiveName}: ${(error as Error).message}`, manualSteps(release));
    }
    const unpacked = existsSync(join(work, release.folder)) ? join(work, release.folder) : work;
    const bin = projectEtcdBin(installDir);
    await mkdir(bin, { recursive: true });
    const exe = release.archiveName.includes('windows') ? '.exe' : '';
    const files = await readdir(unpacked);
    // etcdutl (3.5+) is optional: lab 15 uses it for snapshots when it is there.
    for (const name of ['etcd', 'etcdctl', 'etcdutl']) {
      if (!files.includes(name + exe)) {
        if (name === 'etcdutl') continue;
        throw new EtcdInstallError(`${release.archiveName} has no ${name}${exe}`, manualSteps(release));
      }
      await copyFile(join(unpacked, name + exe), join(bin, name + exe));
      await chmod(join(bin, name + exe), 0o755);
    }
    log(`installed etcd ${release.version} into ${shown(bin)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
