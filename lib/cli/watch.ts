/**
 * `npm run lab 4 -- --watch`: rerun a lab's checks on every save of its file.
 *
 * Each run is a `npm run lab` of its own, in a child process: cancelling a
 * run (the file changed again) is a SIGTERM to that process, whose exit
 * kills the student's code with it; the cluster is not touched. No state
 * leaks from one run to the next. So that a save is answered at once, the
 * next run's process is started ahead, while the student edits: it loads
 * node, tsx, the runner, the lab's checks and a lab process with etcd3,
 * then waits for the watcher's go (lab-main's --warm). Between runs: the
 * screen is cleared (on a terminal) and one status line says how the last
 * run went. Keys, where there is a terminal: h hint, n next lab, q quit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type FSWatcher, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { clearScreenDown, cursorTo } from 'node:readline';
import { type LabEntry, labPath, loadCatalog } from '../catalog.ts';
import { paths, shown } from '../paths.ts';
import { nextHint } from '../state/hints.ts';
import { style } from '../terminal/style.ts';

export interface WatchSettings {
  lab: LabEntry;
  /** The folder whose lab file is watched and checked (labs/, solutions/ or --labs-dir). */
  folder: string;
  /** Options passed on to every run (--seed, --timeout, ...), without the lab and --watch. */
  forward: string[];
  debounceMs?: number;
}

const entry = join(paths.root, 'lib', 'cli', 'lab.ts');

export class LabWatcher {
  private lab: LabEntry;
  private run?: ChildProcess;
  /** The next run's process, loaded and waiting for its go. */
  private warm?: { child: ChildProcess; lab: string };
  private runExited?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private watcher?: FSWatcher;
  private readonly report = join(tmpdir(), `etcd-lab-watch-${process.pid}.json`);
  private lastFile = '';
  private closed = false;
  private resolveDone!: () => void;
  /** Resolves when the watcher stops (q or Ctrl-C on a terminal). */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly settings: WatchSettings) {
    this.lab = settings.lab;
  }

  private get file(): string {
    return labPath(this.lab, this.settings.folder);
  }

  start(): void {
    // However this process ends (q, or runCli's SIGINT/SIGTERM exit), the run in
    // progress ends with it, and its own exit kills the student's code.
    process.on('exit', () => {
      this.run?.kill('SIGTERM');
      this.warm?.child.kill('SIGTERM');
    });
    this.watchFolder();
    this.keys();
    void this.rerun();
  }

  /** Watches the folder, not the file: editors often save by writing a new file and renaming it. */
  private watchFolder(): void {
    this.watcher?.close();
    this.watcher = watch(dirname(this.file), (_event, name) => {
      if (name && name.toString() !== basename(this.file)) return;
      // Saves often come as several events; and some editors touch without changing.
      let content = '';
      try {
        content = readFileSync(this.file, 'utf8');
      } catch {
        return; // mid-rename
      }
      if (content === this.lastFile) return;
      clearTimeout(this.timer);
      // Editors save in several events: wait a moment for the last, not longer (the content check drops repeats).
      this.timer = setTimeout(() => void this.rerun(), this.settings.debounceMs ?? 30);
    });
  }

  private keys(): void {
    const stdin = process.stdin;
    if (!stdin.isTTY) return;
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', (data: Buffer) => {
      const key = data.toString();
      if (key === 'q' || key === '\u0003') void this.stop();
      else if (key === 'h') this.showHint();
      else if (key === 'n') void this.nextLab();
    });
  }

  private showHint(): void {
    const step = nextHint(this.lab);
    const newest = step.hints[step.hints.length - 1];
    console.log(`\n${style.cyan(`Hint ${step.hints.length} of ${step.total}`)}: ${newest}${step.exhausted ? style.dim(`\n(no more hints: LAB.md, "${this.lab.chapter}")`) : ''}`);
  }

  private async nextLab(): Promise<void> {
    const labs = loadCatalog();
    const next = labs[labs.indexOf(labs.find((l) => l.id === this.lab.id)!) + 1];
    if (!next) {
      console.log(style.dim('\nThis is the last lab.'));
      return;
    }
    this.lab = next;
    this.watchFolder();
    await this.rerun();
  }

  private async cancelRun(): Promise<void> {
    if (!this.run) return;
    this.run.kill('SIGTERM');
    await this.runExited;
  }

  private async rerun(): Promise<void> {
    if (this.closed) return;
    await this.cancelRun();
    try {
      this.lastFile = readFileSync(this.file, 'utf8');
    } catch {
      this.lastFile = '';
    }
    if (process.stdout.isTTY) {
      cursorTo(process.stdout, 0, 0);
      clearScreenDown(process.stdout);
    }
    rmSync(this.report, { force: true });
    const run = this.takeWarm();
    run.send('go');
    this.run = run;
    this.runExited = new Promise((resolve) => run.once('exit', (code, signal) => {
      if (this.run === run) this.run = undefined;
      this.status(code, signal);
      // The next run loads while the student reads and edits, not while this one runs.
      this.prepare();
      resolve();
    }));
  }

  /** A runner for the current lab, loaded ahead: the one waiting, or a new one (a save during a run). */
  private takeWarm(): ChildProcess {
    const waiting = this.warm?.child;
    const ready = this.warm?.lab === this.lab.id && waiting?.connected && waiting.exitCode === null ? waiting : undefined;
    if (!ready) this.warm?.child.kill('SIGTERM');
    this.warm = undefined;
    return ready ?? this.spawnRunner();
  }

  private prepare(): void {
    if (this.closed || this.warm) return;
    this.warm = { child: this.spawnRunner(), lab: this.lab.id };
  }

  private spawnRunner(): ChildProcess {
    return spawn(process.execPath, ['--import', 'tsx', entry, this.lab.id, ...this.settings.forward, '--json', this.report, '--warm'], {
      cwd: paths.root,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  private status(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.closed) return;
    const at = new Date().toTimeString().slice(0, 8);
    let outcome: string;
    if (signal || code === 143) outcome = style.yellow('cancelled (the file changed)');
    else {
      try {
        const result = JSON.parse(readFileSync(this.report, 'utf8')) as { status: string; checks: { status: string }[] };
        const passed = result.checks.filter((c) => c.status === 'passed').length;
        outcome = result.status === 'pass' ? style.green(`✔ all ${passed} checks pass`)
          : result.status === 'skip' ? style.yellow('○ cannot run on this cluster (the reason is above)')
            : style.red(`✖ ${passed}/${result.checks.length} checks pass`);
      } catch {
        outcome = style.red(`✖ the run ended with exit code ${code}`);
      }
    }
    const keys = process.stdin.isTTY ? '  ·  h hint  ·  n next lab  ·  q quit' : '';
    console.log(`\n${style.bold(`[watch] ${shown(this.file)}`)}: ${outcome} at ${at}. Save the file to rerun.${style.dim(keys)}`);
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.watcher?.close();
    this.warm?.child.kill('SIGTERM');
    this.warm = undefined;
    await this.cancelRun();
    rmSync(this.report, { force: true });
    if (process.stdin.isTTY) {
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
    this.resolveDone();
  }
}
