/**
 * etcd's own tools on snapshot files: `snapshot status` and `snapshot
 * restore`. etcd 3.5+ has them in etcdutl (3.6's etcdctl no longer does);
 * 3.4 (Debian's) has them in etcdctl.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type EtcdBinaries, requireEtcd } from './binaries.ts';

export interface SnapshotStatus {
  hash: number;
  revision: string;
  totalKey: number;
  totalSize: number;
}

/** The tool's own complaint, for a student to read ("snapshot missing hash but --skip-hash-check=false"). */
export class SnapshotToolError extends Error {
  constructor(readonly command: string, readonly output: string) {
    super(`${command}: ${output}`);
    this.name = 'SnapshotToolError';
  }
}

function tool(binaries: EtcdBinaries): { file: string; name: string } {
  return binaries.etcdutl ? { file: binaries.etcdutl, name: 'etcdutl' } : { file: binaries.etcdctl, name: 'etcdctl' };
}

async function runTool(args: string[], binaries: EtcdBinaries): Promise<string> {
  const { file, name } = tool(binaries);
  try {
    const { stdout } = await promisify(execFile)(file, args, { timeout: 30_000, env: { ...process.env, ETCDCTL_API: '3' } });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    // The last line that says something: zap logs come first, the error last.
    const said = (e.stderr ?? '').split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? e.message.split('\n')[0];
    throw new SnapshotToolError(`${name} ${args.slice(0, 2).join(' ')}`, said.replace(/^Error:\s*/, ''));
  }
}

/** `snapshot status --write-out json`: the revision and size the file holds, or SnapshotToolError when it is not a snapshot. */
export async function snapshotStatus(file: string, binaries = requireEtcd()): Promise<SnapshotStatus> {
  const out = await runTool(['snapshot', 'status', file, '--write-out', 'json'], binaries);
  const parsed = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  return {
    hash: Number(parsed.hash),
    revision: String(parsed.revision),
    totalKey: Number(parsed.totalKey),
    totalSize: Number(parsed.totalSize),
  };
}

export interface RestoreTarget {
  /** The data dir to create (must not exist). */
  dataDir: string;
  name: string;
  /** The member's peer URL, as it will advertise it. */
  peerUrl: string;
  token: string;
}

/** `snapshot restore`: a data dir for a new one-member cluster holding the snapshot's data (checks the file's hash). */
export async function restoreSnapshot(file: string, target: RestoreTarget, binaries = requireEtcd()): Promise<void> {
  await runTool([
    'snapshot', 'restore', file,
    '--name', target.name,
    '--data-dir', target.dataDir,
    '--initial-cluster', `${target.name}=${target.peerUrl}`,
    '--initial-advertise-peer-urls', target.peerUrl,
    '--initial-cluster-token', target.token,
  ], binaries);
}
