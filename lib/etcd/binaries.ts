/**
 * Finding etcd and etcdctl on this machine.
 *
 * Order: the folder named by ETCD_BIN, then PATH, then the project-local
 * install that `npm run setup` makes when the system has no etcd.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { EtcdNotInstalledError } from '../errors.ts';
import { paths, shown } from '../paths.ts';

export interface EtcdBinaries {
  etcd: string;
  etcdctl: string;
  /**
   * etcd 3.5+ ships `etcdutl` for offline work on data files (snapshot status
   * and restore, which 3.6's etcdctl no longer has); 3.4 does it all in etcdctl.
   */
  etcdutl?: string;
  /** Where they were found: 'ETCD_BIN', 'PATH' or 'project'. */
  source: 'ETCD_BIN' | 'PATH' | 'project';
}

const exe = process.platform === 'win32' ? '.exe' : '';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function inFolder(folder: string, source: EtcdBinaries['source']): EtcdBinaries | undefined {
  const etcd = join(folder, `etcd${exe}`);
  const etcdctl = join(folder, `etcdctl${exe}`);
  if (!executable(etcd) || !executable(etcdctl)) return undefined;
  const etcdutl = join(folder, `etcdutl${exe}`);
  return { etcd, etcdctl, etcdutl: executable(etcdutl) ? etcdutl : undefined, source };
}

/** The project-local install folder for etcd's binaries. */
export function projectEtcdBin(installDir = paths.etcdInstall): string {
  return join(installDir, 'bin');
}

export function findEtcd(env: NodeJS.ProcessEnv = process.env, installDir = paths.etcdInstall): EtcdBinaries | undefined {
  if (env.ETCD_BIN) {
    const found = inFolder(env.ETCD_BIN, 'ETCD_BIN');
    if (found) return found;
  }
  for (const folder of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const found = inFolder(folder, 'PATH');
    if (found) return found;
  }
  return inFolder(projectEtcdBin(installDir), 'project');
}

/** Like findEtcd, but a missing etcd is the one-line "run npm run setup" error. */
export function requireEtcd(env: NodeJS.ProcessEnv = process.env): EtcdBinaries {
  const found = findEtcd(env);
  if (found) return found;
  const places = [env.ETCD_BIN ? `ETCD_BIN=${env.ETCD_BIN}` : undefined, 'PATH', shown(projectEtcdBin())].filter(Boolean);
  throw new EtcdNotInstalledError(places.join(', '));
}

/** "3.4.23", read from `etcd --version`. */
export async function etcdVersion(etcd: string): Promise<string> {
  const { stdout } = await promisify(execFile)(etcd, ['--version'], { timeout: 10_000 });
  const match = /etcd Version:\s*(\S+)/.exec(stdout);
  return match ? match[1] : stdout.split('\n')[0].trim();
}
