/**
 * A path that is a named pipe (FIFO) the runner reads, for lab 15: how much
 * of a file had a student's function written when it resolved?
 *
 * A regular file cannot tell: a write stream that was ended but not waited
 * for is flushed a few milliseconds later, long before the runner can look.
 * A pipe holds at most PIPE_CAPACITY bytes that nobody has read; while the
 * runner does not read, the writer's bytes wait in its own process. So a
 * function that resolves while the runner is not reading has written at
 * most PIPE_CAPACITY bytes: if it says it wrote more, it resolved before its
 * file was complete. Then the runner reads everything, and the path becomes
 * a regular file with the bytes of the last writer (a file is overwritten
 * each time it is opened again, so each writer that opens the pipe after
 * the previous one closed it starts a new content).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, lstatSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { sleep } from './time.ts';

/** What a Linux pipe holds unread (16 pages); nothing in the workbook or Node makes it larger. */
export const PIPE_CAPACITY = 64 * 1024;

export interface PipedFile {
  /** Bytes the runner has read so far (all writers). */
  readonly received: number;
  /** Starts reading, in the background, until stop(). */
  drain(): void;
  /**
   * Reads until no writer has the pipe open (waiting up to `graceMs` for
   * one), stops, and turns the path into a regular file holding the last
   * writer's bytes. Returns false when the path was no longer the pipe
   * (replaced by the code under test, e.g. a rename): then it is left alone.
   */
  finish(graceMs: number): Promise<boolean>;
}

export function pipedFile(path: string): PipedFile {
  execFileSync('mkfifo', [path]);
  // Non-blocking: opening needs no writer, and a read with nothing to read says EAGAIN instead of waiting.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const buffer = Buffer.alloc(1024 * 1024);
  let contents: Buffer[] = [];
  let received = 0;
  let draining = false;
  let stopped = false;
  /** True once a writer's bytes arrived and all writers closed since (the next bytes are a new content). */
  let closedSinceData = false;
  let lastSeen = performance.now();

  /** One read: 'data', 'empty' (a writer is there, nothing to read) or 'no-writer'. */
  const readOnce = (): 'data' | 'empty' | 'no-writer' => {
    try {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) return 'no-writer';
      if (closedSinceData) {
        contents = [];
        closedSinceData = false;
      }
      contents.push(Buffer.from(buffer.subarray(0, n)));
      received += n;
      lastSeen = performance.now();
      return 'data';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return 'empty';
      throw error;
    }
  };

  const loop = async () => {
    while (!stopped) {
      const got = readOnce();
      if (got === 'no-writer' && contents.length) closedSinceData = true;
      if (got !== 'data') await sleep(2);
    }
  };

  return {
    get received() {
      return received;
    },
    drain() {
      if (draining) return;
      draining = true;
      void loop();
    },
    async finish(graceMs) {
      this.drain();
      // Done when no writer has had the pipe open for a moment, or none came at all within the grace.
      for (;;) {
        await sleep(20);
        const quiet = performance.now() - lastSeen;
        if ((closedSinceData || received === 0) && quiet > (received === 0 ? graceMs : 100)) break;
        if (quiet > graceMs) break;
      }
      stopped = true;
      closeSync(fd);
      if (!lstatSync(path, { throwIfNoEntry: false })?.isFIFO()) return false;
      rmSync(path);
      writeFileSync(path, Buffer.concat(contents));
      return true;
    },
  };
}
