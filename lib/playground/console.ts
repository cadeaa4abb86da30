/**
 * The playground's prompt: node's readline, with history and tab completion.
 * Lines run one at a time, in the order typed; what arrives in between (a
 * watch event) is printed above the prompt without eating what is being
 * typed. Ctrl-C ends the session at once, even in the middle of a command;
 * Ctrl-D (or the end of piped input) ends it after the last command.
 */
import { createInterface } from 'node:readline';
import { style } from '../terminal/style.ts';
import { COMMANDS, CommandError, parseCommand } from './commands.ts';
import type { PlaygroundSession } from './session.ts';

export interface ConsoleOptions {
  session: PlaygroundSession;
  faults: boolean;
  prompt: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** How the session ended: Ctrl-C, or exit / Ctrl-D / end of input. */
export type ConsoleEnd = 'interrupted' | 'done';

export class PlaygroundConsole {
  private readonly rl;
  private readonly queue: string[] = [];
  private running = false;
  private closed = false;
  private finished = false;
  private finish!: (end: ConsoleEnd) => void;
  readonly ended: Promise<ConsoleEnd>;

  constructor(private readonly options: ConsoleOptions) {
    const input = options.input ?? process.stdin;
    const output = options.output ?? process.stdout;
    const names = () => [...COMMANDS.filter((c) => options.faults || !c.faults).map((c) => c.name), 'via', '--serializable', ...options.session.memberNames];
    this.rl = createInterface({
      input, output, prompt: options.prompt, historySize: 500, terminal: (output as NodeJS.WriteStream).isTTY,
      completer: (line: string) => {
        const last = line.split(/\s+/).pop() ?? '';
        const hits = names().filter((n) => n.startsWith(last));
        return [hits, last];
      },
    });
    this.ended = new Promise((resolve) => (this.finish = resolve));
    this.rl.on('line', (line) => {
      this.queue.push(line);
      void this.drain();
    });
    this.rl.on('SIGINT', () => this.end('interrupted'));
    this.rl.on('close', () => {
      this.closed = true;
      if (!this.running && this.queue.length === 0) this.end('done');
    });
  }

  /** A line from outside the prompt (a watch event): above the prompt, keeping what is typed. */
  print(line: string): void {
    const output = (this.options.output ?? process.stdout) as NodeJS.WriteStream;
    if (output.isTTY && !this.running) {
      output.write(`\r\x1b[K${line}\n`);
      this.rl.prompt(true);
    } else {
      output.write(`${line}\n`);
    }
  }

  start(): void {
    this.rl.prompt();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const line = this.queue.shift()!;
        let keepGoing = true;
        try {
          const command = parseCommand(line, { members: this.options.session.memberNames, faults: this.options.faults });
          keepGoing = await this.options.session.execute(command);
        } catch (error) {
          const message = error instanceof CommandError ? error.message : `the command failed: ${(error as Error).message?.split('\n')[0]}`;
          this.print(`${style.red('✖')} ${message}`);
        }
        if (!keepGoing) return this.end('done');
      }
    } finally {
      this.running = false;
    }
    if (this.closed) this.end('done');
    else this.rl.prompt();
  }

  private end(how: ConsoleEnd): void {
    if (this.finished) return;
    this.finished = true;
    this.rl.removeAllListeners('close');
    this.rl.close();
    this.finish(how);
  }
}
