/**
 * A command run in a real pseudo-terminal, driven by keystrokes, as a person
 * would use it: util-linux's `script` holds the terminal (no native module
 * needed); what we write goes to the program as typed keys (Ctrl-C is "\x03").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { projectRoot } from '../lib/paths.ts';

export class Terminal {
  private readonly child: ChildProcess;
  private text = '';
  /** Where the next waitFor starts looking. */
  private mark = 0;
  readonly exited: Promise<number | null>;

  constructor(commandLine: string, options: { cols?: number; rows?: number; env?: NodeJS.ProcessEnv } = {}) {
    const shell = `stty cols ${options.cols ?? 140} rows ${options.rows ?? 40} && exec ${commandLine}`;
    this.child = spawn('script', ['-qfec', shell, '/dev/null'], { cwd: projectRoot, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.text += d.toString('utf8')));
    this.child.stderr!.on('data', (d: Buffer) => (this.text += d.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Everything shown so far, without colours and cursor moves. */
  get screen(): string {
    return plain(this.text);
  }

  /** Forget what was shown so far: the next waitFor looks only at new output. */
  skip(): void {
    this.mark = this.text.length;
  }

  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  /** Waits until `pattern` shows up after the previous wait; returns the output in between. */
  async waitFor(pattern: RegExp | string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fresh = plain(this.text.slice(this.mark));
      const match = typeof pattern === 'string' ? fresh.indexOf(pattern) : fresh.search(pattern);
      if (match >= 0) {
        this.mark = this.text.length;
        return fresh;
      }
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${pattern}; the terminal shows:\n${fresh.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Types a line and waits for the next prompt; returns what the command printed. */
  async command(line: string, prompt: string, timeoutMs?: number): Promise<string> {
    this.mark = this.text.length;
    this.type(`${line}\r`);
    return this.waitFor(new RegExp(`\\n${prompt.replace(/[()]/g, '\\$&')}`), timeoutMs);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** Ctrl-C, then up to `graceMs` for the program to stop by itself; SIGKILL after that. */
  async interrupt(graceMs: number): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.type('\x03');
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, graceMs))]);
    }
    this.kill();
  }
}

export function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}
