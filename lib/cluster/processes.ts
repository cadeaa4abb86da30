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
export function commandLine(pid: number): string | undefined {
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

/** Linux only: every live etcd process, pid → command line (empty elsewhere). */
export function etcdProcesses(): Map<number, string> {
  const found = new Map<number, string>();
  if (process.platform !== 'linux') return found;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = commandLine(Number(entry));
    if (cmd && /(^|\/)etcd /.test(cmd)) found.set(Number(entry), cmd);
  }
  return found;
}

/** The etcd process started with this config file, among `processes` (found by scanning /proc). */
export function findMemberProcess(configFile: string, processes: Map<number, string>): number | undefined {
  for (const [pid, cmd] of processes) if (cmd.includes(`--config-file ${configFile}`)) return pid;
  return undefined;
}

/** Every etcd process whose command line mentions `needle` (tests: "nothing left behind"). */
export function etcdProcessesMentioning(needle: string): number[] {
  return [...etcdProcesses()].filter(([, cmd]) => cmd.includes(needle)).map(([pid]) => pid);
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
      // A process stuck in the kernel (uninterruptible I/O) may take a moment even after SIGKILL.
      for (let i = 0; i < 200 && alive(pid); i++) await sleep(10);
      return;
    }
    await sleep(10);
  }
}
