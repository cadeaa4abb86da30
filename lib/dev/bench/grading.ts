/**
 * Batch grading throughput for `npm run bench`: six students (three with
 * the reference solutions, three with wrong implementations of the same
 * labs), graded with `--jobs 1` and with the default, on labs 02, 03, 05
 * and 06 with one seed. Figures: wall time, students per minute, and CPU
 * seconds per student (every process of the grade: the runner, the lab
 * processes, the job clusters' etcd members), from bash's `times` of the
 * command's children.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLab, labFileName, labPath, selectLabs } from '../../catalog.ts';
import { paths } from '../../paths.ts';

const LABS = ['02', '03', '05', '06'];
/** Each wrong student's labs: one wrong implementation per lab (the others correct). */
const WRONG: Record<string, [string, string][]> = {
  eve: [['02', 'falsy-get'], ['05', 'ascending']],
  fay: [['03', 'prefix-no-slash'], ['06', 'get-then-put']],
  gus: [['05', 'inclusive-end']],
};

export interface GradingRun {
  jobs: number | 'default';
  wallMs: number;
  cpuSeconds: number;
  students: number;
}

function submissions(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-grading-'));
  for (const student of ['ana', 'ben', 'cy', ...Object.keys(WRONG)]) {
    const labs = join(dir, student, 'labs');
    mkdirSync(labs, { recursive: true });
    for (const lab of selectLabs(LABS)) cpSync(labPath(lab, paths.solutions), labPath(lab, labs));
    for (const [id, variant] of WRONG[student] ?? []) cpSync(join(paths.root, 'test', 'fixtures', 'wrong', id, variant, labFileName(findLab(id))), join(labs, labFileName(findLab(id))));
  }
  return dir;
}

function timedGrade(dir: string, jobs: number | 'default'): Promise<{ wallMs: number; cpuSeconds: number }> {
  const jobArgs = jobs === 'default' ? '' : `--jobs ${jobs}`;
  // bash's `times` prints the children's user and system time on its second line ("0m1.5s 0m0.3s").
  const script = `node --import tsx lib/cli/grade.ts ${LABS.join(' ')} --submissions ${JSON.stringify(dir)} ${jobArgs} --seed 4242 >/dev/null 2>&1; times`;
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: paths.root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', () => {
      const line = out.trim().split('\n')[1] ?? '';
      const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      if (secs.length !== 2) reject(new Error(`no times from bash: ${out}`));
      else resolve({ wallMs: performance.now() - began, cpuSeconds: secs[0] + secs[1] });
    });
  });
}

export async function gradingFigures(): Promise<GradingRun[]> {
  const runs: GradingRun[] = [];
  for (const jobs of [1, 'default'] as const) {
    const dir = submissions();
    try {
      const { wallMs, cpuSeconds } = await timedGrade(dir, jobs);
      runs.push({ jobs, wallMs, cpuSeconds, students: 6 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return runs;
}
