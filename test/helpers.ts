/**
 * Shared by the integration tests: the suite's cluster and a quiet runLab.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { LocalCluster } from '../lib/cluster/cluster.ts';
import { loadClusterSpec } from '../lib/cluster/config.ts';
import { projectRoot } from '../lib/paths.ts';
import { type RunLabOptions, runLab } from '../lib/runner/run-lab.ts';
import type { LabResult } from '../lib/runner/results.ts';

let clusterKey: 'clusterDir' | 'clusterDirB' = 'clusterDir';

/** For a test file (one worker, its own modules): use the second test cluster (test/labs-cluster.test.ts). */
export function useSecondTestCluster(): void {
  clusterKey = 'clusterDirB';
}

/** The test cluster of this test file. */
export function testCluster(): LocalCluster {
  const dir = inject(clusterKey);
  const files = readdirSync(join(dir, 'config')).sort().map((f) => join(dir, 'config', f));
  return new LocalCluster(loadClusterSpec(files, { cwd: dir, stateDir: dir }));
}

export const fixtures = join(projectRoot, 'test', 'fixtures');

/** Runs a lab on the test cluster, silently, without touching progress. */
export function run(lab: string, options: RunLabOptions = {}): Promise<LabResult> {
  return runLab(lab, { cluster: testCluster(), renderer: 'silent', ...options });
}

export function wrongDir(lab: string, variant: string): string {
  return join(fixtures, 'wrong', lab, variant);
}

/**
 * Lab processes started by this test process (none may be left after a run);
 * `anyParent`: every lab process on the machine, also those of CLIs the test started;
 * `orphans`: those whose runner has exited (the other test file may be running labs meanwhile).
 */
export function sandboxProcesses(options: { anyParent?: boolean; orphans?: boolean } = {}): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!/\.cache\/sandbox\/[^/]+\/child\.mjs/.test(cmd)) continue;
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
      // orphans: lab processes whose runner is gone (adopted by init), whoever started them.
      if (options.anyParent || (options.orphans ? parent === 1 : parent === process.pid)) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

/** Runs one of the CLIs (lib/cli/<script>.ts) as a user would, without colours (`input`: typed into it, then end of input). */
export function cli(script: string, args: string[], options: { input?: string; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `lib/cli/${script}.ts`, ...args], {
      cwd: options.cwd ?? projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export function byId(result: LabResult) {
  return Object.fromEntries(result.checks.map((c) => [c.id, c]));
}

/** Waits (up to 2 s) for this process's lab processes to be gone; returns those still there. */
export async function noSandboxLeft(): Promise<number[]> {
  for (let i = 0; i < 40 && sandboxProcesses().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return sandboxProcesses();
}
