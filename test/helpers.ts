/**
 * Shared by the integration tests: the suite's cluster and a quiet runLab.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { LocalCluster } from '../lib/cluster/cluster.ts';
import { loadClusterSpec } from '../lib/cluster/config.ts';
import { projectRoot } from '../lib/paths.ts';
import { type LabResult, type RunLabOptions, runLab } from '../lib/runner/run-lab.ts';

export function testCluster(): LocalCluster {
  const dir = inject('clusterDir');
  const files = readdirSync(join(dir, 'config')).sort().map((f) => join(dir, 'config', f));
  return new LocalCluster(loadClusterSpec(files, { cwd: dir, stateDir: dir }));
}

export const fixtures = join(projectRoot, 'test', 'fixtures');

/** Runs a lab on the test cluster, silently, without touching progress. */
export function run(lab: string, options: RunLabOptions = {}): Promise<LabResult> {
  return runLab(lab, { cluster: testCluster(), renderer: 'silent', recordProgress: false, ...options });
}

export function wrongDir(lab: string, variant: string): string {
  return join(fixtures, 'wrong', lab, variant);
}

/** Lab processes started by this test process (none may be left after a run). */
export function sandboxProcesses(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
      if (cmd.includes('lib/sandbox/child.ts') && parent === process.pid) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

export function byId(result: LabResult) {
  return Object.fromEntries(result.checks.map((c) => [c.id, c]));
}

/** Waits (up to 2 s) for this process's lab processes to be gone; returns those still there. */
export async function noSandboxLeft(): Promise<number[]> {
  for (let i = 0; i < 40 && sandboxProcesses().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return sandboxProcesses();
}
