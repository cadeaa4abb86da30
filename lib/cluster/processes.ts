/**
 * The etcd processes of a cluster, tracked across runner invocations.
 *
 * Members run detached (they outlive `npm run lab` so reruns are fast), so
 * their pids are written to `<stateDir>/pids.json`. A pid is only trusted if
 * the process behind it is still etcd started with that member's config
 * file: a pid reused by another program is never signalled. On Linux a
 * member whose pid file was lost is found again by scanning /proc.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TrackedMember {
  pid: number;
  configFile: string;
  startedAt: string;
}

/** name → process. A member missing here was stopped on purpose (or never started). */
export type PidTable = Record<string, TrackedMember>;

function pidFile(stateDir: string): string {
  return join(stateDir, 'pids.json');
}

export function readPids(stateDir: string): PidTable {
  try {
    return JSON.parse(readFileSync(pidFile(stateDir), 'utf8')) as PidTable;
  } catch {
    return {};
  }
}

export function writePids(stateDir: string, table: PidTable): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(pidFile(stateDir), JSON.stringify(table, null, 2) + '\n');
}

/** The command line of a live (non-zombie) process, or undefined. */
function commandLine(pid: number): string | undefined {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/\) Z /.test(stat)) return undefined;
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      return undefined;
    }
  }
  try {
    return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is an etcd started with exactly this config file. */
export function isMemberProcess(pid: number, configFile: string): boolean {
  const cmd = commandLine(pid);
  return cmd !== undefined && cmd.includes('etcd') && cmd.includes(`--config-file ${configFile}`);
}

/** Linux only: the pid of an etcd started with this config file, found by scanning /proc. */
export function findMemberProcess(configFile: string): number | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && isMemberProcess(pid, configFile)) return pid;
  }
  return undefined;
}

/** Every etcd process on this machine whose command line mentions `needle` (tests: "nothing left behind"). */
export function etcdProcessesMentioning(needle: string): number[] {
  if (process.platform !== 'linux') return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = commandLine(Number(entry));
    if (cmd && /(^|\/)etcd /.test(cmd) && cmd.includes(needle)) found.push(Number(entry));
  }
  return found;
}

function alive(pid: number): boolean {
  return commandLine(pid) !== undefined;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function terminate(pid: number, graceMs = 5000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      try { process.kill(pid, 'SIGKILL'); } catch { return; }
      while (alive(pid)) await sleep(10);
      return;
    }
    await sleep(10);
  }
}
