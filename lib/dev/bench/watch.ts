/**
 * How fast `npm run lab N -- --watch` answers a save: from the moment the
 * file is written to the first check's result, and to the end of the run,
 * each set against the lab's own etcd work (what its checks took). The
 * difference is what the workbook adds: starting processes, loading the
 * runner and the student's file. Target: save → first result within 0.3 s
 * plus the first check's own work.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findLab, labPath } from '../../catalog.ts';
import { paths } from '../../paths.ts';

export interface WatchFigures {
  /** File written → first check's line printed. */
  saveToFirstMs: number[];
  /** The first check's own time (its etcd work). */
  firstCheckMs: number[];
  /** File written → the run's status line. */
  saveToLastMs: number[];
  /** All checks' own time. */
  etcdWorkMs: number[];
}

/** Waits until `pattern` appears in what the child printed after `from`; returns the time it did. */
async function printed(output: { text: string }, from: number, pattern: RegExp, timeoutMs = 60_000): Promise<{ at: number; end: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output.text.slice(from));
    if (match) return { at: performance.now(), end: from + match.index + match[0].length };
    if (performance.now() > deadline) throw new Error(`the watcher did not print ${pattern} within ${timeoutMs / 1000} s; it printed:\n${output.text.slice(from).slice(-2000)}`);
    await sleep(2);
  }
}

/** Lab 03's solution in a folder of its own, watched, saved `runs` times. */
export async function watchFigures(runs: number, namespace = '/bench-watch/'): Promise<WatchFigures> {
  const lab = findLab('3');
  // One level below the root, so that the file's '../lib/kit.ts' still resolves.
  const dir = join(paths.root, `.bench-watch-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = labPath(lab, dir);
  copyFileSync(labPath(lab, paths.solutions), file);
  const output = { text: '' };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(paths.root, 'lib', 'cli', 'lab.ts'), lab.id, '--watch', '--labs-dir', dir, '--namespace', namespace], {
    cwd: paths.root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  });
  child.stdout!.on('data', (d: Buffer) => (output.text += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (output.text += d.toString('utf8')));
  const report = join(tmpdir(), `etcd-lab-watch-${child.pid}.json`);
  const figures: WatchFigures = { saveToFirstMs: [], firstCheckMs: [], saveToLastMs: [], etcdWorkMs: [] };
  try {
    let mark = (await printed(output, 0, /\[watch\][^\n]*\n/)).end;
    for (let i = 0; i <= runs; i++) {
      await sleep(Number(process.env.BENCH_WATCH_PAUSE_MS ?? 5000)); // a student reads and edits between saves: the next runner gets ready meanwhile
      const from = output.text.length;
      const saved = performance.now();
      appendFileSync(file, `\n// save ${i}\n`);
      const first = await printed(output, from, /^[✔✖○] [^\n]*$/m);
      const last = await printed(output, first.end, /\[watch\][^\n]*\n/);
      mark = last.end;
      const result = JSON.parse(readFileSync(report, 'utf8')) as { checks: { ms: number }[] };
      if (i === 0) continue; // the first save warms the disk caches
      figures.saveToFirstMs.push(first.at - saved);
      figures.firstCheckMs.push(result.checks[0].ms);
      figures.saveToLastMs.push(last.at - saved);
      figures.etcdWorkMs.push(result.checks.reduce((sum, c) => sum + c.ms, 0));
    }
    void mark;
    return figures;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
