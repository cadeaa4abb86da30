/**
 * Lab 15 checks: saveSnapshot() on a one-member etcd of the run's own
 * (helpers/own-member.ts) that nobody else writes to: on the shared cluster
 * other runs write all the time, and a snapshot of a known revision (the
 * revision before and after it equal) may never come.
 *
 * The file is judged by etcd's own tools (`snapshot status`, `snapshot
 * restore`) and by its contents once restored into a member of the run's
 * own; the revision is judged against what the file holds. Around the first
 * two or three snapshots of each client, the lab process writes a key (a
 * few times right before the snapshot starts, a few times when its first
 * chunk arrives: lib/sandbox/adversaries/snapshot-writes.ts), so a revision
 * read before or after the stream without checking, a guess of "before plus
 * one", or one retry and then trust, is wrong every run rather than now and
 * then. One snapshot goes into a named pipe the runner reads
 * (helpers/piped-file.ts), to see whether the function resolved before its
 * file was complete.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalCluster } from '../cluster/cluster.ts';
import { SnapshotToolError, restoreSnapshot, snapshotStatus } from '../etcd/snapshot-files.ts';
import { shown } from '../paths.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import type { CallOutcome } from '../sandbox/sandbox.ts';
import type { SnapshotRound } from '../sandbox/adversaries/snapshot-writes.ts';
import { labClusterDir, removeAbandoned } from '../cluster/throwaway.ts';
import { openClient } from '../connection/client.ts';
import { PIPE_CAPACITY, pipedFile } from './helpers/piped-file.ts';
import { sleep } from './helpers/time.ts';
import { Relay } from './helpers/relay.ts';
import { ownMember, quietClient } from './helpers/own-member.ts';

interface Saved {
  revision: string;
  bytes: number;
}

/** The run's folder: snapshots/ for the student's files, and the restored member's config and data. */
function runDir(ctx: CheckContext): Promise<string> {
  return ctx.once('snapshot-dir', async () => {
    await removeAbandoned(`lab${ctx.lab.id}`);
    const dir = labClusterDir(ctx.lab.id);
    // The student's code may write only in the run's folder (its box): the snapshots go there.
    mkdirSync(join(ctx.scratch, 'snapshots'), { recursive: true });
    // Clean-ups run last-registered first: the restored member (if any) is stopped before this goes.
    ctx.atEnd(() => rm(dir, { recursive: true, force: true }));
    return dir;
  });
}

/** Random keys under /lab15/<run>/ on the quiet member: small and large values, some overwritten, some deleted. */
async function seed(ctx: CheckContext): Promise<string> {
  const { kv } = await quietClient(ctx);
  const prefix = `/lab15/${ctx.rng.token(6)}/`;
  const keys = Array.from({ length: ctx.rng.int(30, 45) }, () => `${prefix}${ctx.rng.token(8)}`);
  for (const key of keys) {
    // A few values of 8-32 KiB, so that the data spans more than one chunk of the stream.
    const big = ctx.rng.int(0, 9) === 0;
    await kv.put(key).value(big ? ctx.rng.token(ctx.rng.int(8, 32) * 1024) : ctx.rng.token(12)).exec();
  }
  for (const key of ctx.rng.sample(keys, 8)) await kv.put(key).value(`again-${ctx.rng.token(8)}`).exec();
  for (const key of ctx.rng.sample(keys, 5)) await kv.delete().key(key).exec();
  return prefix;
}

interface Attempt {
  outcome: CallOutcome<unknown>;
  file: string;
  member: string;
  rounds: SnapshotRound[];
}

/**
 * The puts around the first snapshots of one client: two or three snapshots
 * in a row, each with 1-3 puts before and 1-3 during (`manyBefore`: at
 * least 2 before the first, so that "the revision before plus one" is wrong).
 */
function disturbance(ctx: CheckContext, manyBefore = false): SnapshotRound[] {
  return Array.from({ length: ctx.rng.int(2, 3) }, (_, i) => ({ before: ctx.rng.int(i === 0 && manyBefore ? 2 : 1, 3), during: ctx.rng.int(1, 3) }));
}

interface SnapshotPlan {
  /** The puts around the first snapshots (none: a quiet client). */
  rounds: SnapshotRound[];
  /** The file to give (default: a new one in the run's folder). */
  file?: string;
}

/** A new path for a snapshot, in the run's folder (the one place the student's code may write). */
async function snapshotFile(ctx: CheckContext, name: string): Promise<string> {
  await runDir(ctx);
  return join(ctx.scratch, 'snapshots', `${name}-${ctx.rng.token(4)}.db`);
}

/**
 * The client of one call of saveSnapshot(): the run's quiet member, a label
 * of its own, the harness's writes around its snapshots (the only writes the
 * member sees: other runs and students write to the shared cluster, whose
 * revision never stands still long enough for a snapshot of a known one).
 */
async function snapshotClient(ctx: CheckContext, prefix: string, name: string, rounds: SnapshotRound[]) {
  const quiet = await quietClient(ctx);
  const [member] = quiet.member.endpoints;
  const marker = `${prefix}marker`;
  const client = ctx.client({
    hosts: [member], namespace: undefined, auth: quiet.auth, tls: undefined, label: `${name}-${ctx.rng.token(4)}`,
    adversary: rounds.length ? { name: 'snapshot-writes', args: { key: marker, value: `${name}-${ctx.rng.token(6)}`, rounds } } : undefined,
  });
  return { client, member };
}

/** One call of saveSnapshot() through a fresh client of one member, with the harness's writes around the snapshot. */
async function takeSnapshot(ctx: CheckContext, prefix: string, name: string, plan: SnapshotPlan): Promise<Attempt> {
  const file = plan.file ?? (await snapshotFile(ctx, name));
  const { client, member } = await snapshotClient(ctx, prefix, name, plan.rounds);
  const outcome = await ctx.student.attempt('saveSnapshot', [client, file], { timeoutMs: ctx.timeoutMs });
  return { outcome, file, member, rounds: plan.rounds };
}

/** "2 puts before and 1 during the 1st snapshot, 3 and 2 around the 2nd": what the harness did, for messages. */
function described(rounds: SnapshotRound[]): string {
  const nth = ['1st', '2nd', '3rd'];
  return rounds.map((r, i) => `${r.before} put(s) right before and ${r.during} while the ${nth[i] ?? `${i + 1}th`} snapshot streamed`).join(', ');
}

/** The result (and the file is there), or the failure a student reads. */
function saved(ctx: CheckContext, attempt: Attempt): Saved {
  const { outcome } = attempt;
  if (!outcome.ok) throw ctx.student.failure('saveSnapshot()', outcome);
  const value = outcome.value as Partial<Saved> | null;
  expect(typeof value === 'object' && value !== null && 'revision' in value && 'bytes' in value, 'saveSnapshot() must resolve with { revision, bytes }', { actual: show(value) });
  expect(existsSync(attempt.file), `saveSnapshot() resolved, but there is no file at ${shown(attempt.file)}`, {
    explain: 'Write to the path you are given (createWriteStream(file)), and resolve only once it is written.',
  });
  return value as Saved;
}

function expectRevisionText(revision: unknown): asserts revision is string {
  expect(typeof revision === 'string' && /^\d+$/.test(revision), `saveSnapshot() returned revision ${show(revision)}: it must be a decimal string, like every revision etcd3 gives you`, {
    expected: 'a string of digits, e.g. "1234"',
    actual: show(revision),
    explain: 'etcd revisions are int64s; etcd3 keeps them as strings (a number loses precision beyond 2^53). Return the header.revision you read, unchanged.',
  });
}

/**
 * What etcd's tool said, for a student: its complaint, or, when it crashed
 * on the file (a Go panic, whose last line is a stack frame), that it could
 * not read the file as a database at all.
 */
function toolSaid(output: string): string {
  return /\.go:\d+|^goroutine |^panic:/.test(output) ? 'it crashed reading the file, which is not a whole bbolt database (bytes missing, changed or added)' : output;
}

/** `snapshot status` of the student's file, or the failure that explains why etcd's tool refused it. */
async function statusOf(file: string) {
  try {
    return await snapshotStatus(file);
  } catch (error) {
    if (!(error instanceof SnapshotToolError)) throw error;
    throw new CheckFailure(`\`etcdctl snapshot status\` does not accept the file saveSnapshot() wrote: ${toolSaid(error.output)}`, {
      explain: 'Write every blob as bytes, unchanged and in order, from the first to the stream\'s end: no toString(), no JSON, nothing between them, nothing left out.',
    });
  }
}

/** The failure of a function that resolved before its file was complete: `then` bytes in it when it resolved, `later` after. */
function notComplete(then: number, later: number, said: unknown, when: string): CheckFailure {
  return new CheckFailure(`saveSnapshot() resolved before its file was complete: when it resolved, the file held at most ${then} of the ${show(said)} bytes it reported; ${when} ${later}`, {
    expected: 'every byte written to the file before the promise resolves',
    actual: `at most ${then} bytes when it resolved, ${later} after`,
    explain: 'The write stream writes on its own time: out.end() starts the last writes, it does not wait for them. Resolve in its callback, out.end(resolve) (or on the stream\'s \'finish\'), and await every write you start. A caller that copies the file as soon as you resolve gets a cut-off backup.',
  });
}

/** How long the runner leaves the pipe unread: a snapshot of the local cluster streams in well under a second, even with both cores busy. */
const PIPE_HELD_MS = 3000;

/**
 * saveSnapshot() into a named pipe the runner does not read for a while:
 * if the call resolves meanwhile, having written more than a pipe holds, it
 * resolved before its file was complete (`unwrittenAtResolve`: at least that
 * many bytes were not written yet). Then the pipe is read to the end and
 * becomes a regular file with what was written.
 */
async function snapshotIntoPipe(ctx: CheckContext, prefix: string): Promise<{ attempt: Attempt; unwrittenAtResolve?: number }> {
  const file = await snapshotFile(ctx, 'pipe');
  const pipe = pipedFile(file);
  const { client, member } = await snapshotClient(ctx, prefix, 'pipe', []);
  const call = ctx.student.attempt('saveSnapshot', [client, file], { timeoutMs: ctx.timeoutMs + PIPE_HELD_MS });
  const first = await Promise.race([call.then(() => 'settled' as const), sleep(PIPE_HELD_MS).then(() => 'held' as const)]);
  const receivedAtResolve = pipe.received;
  pipe.drain();
  const outcome = await call;
  const stillPipe = await pipe.finish(2000);
  const attempt: Attempt = { outcome, file, member, rounds: [] };
  const said = outcome.ok ? (outcome.value as Partial<Saved> | null)?.bytes : undefined;
  if (first !== 'settled' || !stillPipe || typeof said !== 'number') return { attempt };
  return { attempt, unwrittenAtResolve: said - receivedAtResolve - PIPE_CAPACITY };
}

/** The file restored (`snapshot restore`, which checks its SHA-256) into a member of the run's own, started. */
function restoredMember(ctx: CheckContext, file: string): Promise<LocalCluster> {
  return ownMember(ctx, 'restored', async (member, port) => {
    try {
      await restoreSnapshot(file, { dataDir: member.dataDir, name: member.name, peerUrl: member.peerUrls[0], token: `etcd-lab-${port}` });
    } catch (error) {
      if (!(error instanceof SnapshotToolError)) throw error;
      throw new CheckFailure(`\`etcdctl snapshot restore\` refused the file saveSnapshot() wrote: ${toolSaid(error.output)}`, {
        explain: /hash/i.test(error.output)
          ? 'The stream ends with 32 bytes of SHA-256 after the database (sent with remaining_bytes 0, like the last chunk of data): write every blob until the stream ends.'
          : 'Write every blob as bytes, unchanged and in order, until the stream ends.',
      });
    }
  });
}

/**
 * A member nobody else writes to, holding about 1 MiB: its revision stands
 * still, so code that retries a snapshot whose revision moved cannot hide a
 * broken stream behind a retry that went through.
 */
async function quietMember(ctx: CheckContext): Promise<LocalCluster> {
  const { member, kv } = await quietClient(ctx);
  for (let i = 0; i < 32; i++) await kv.put(`/lab15/quiet/${i}`).value(ctx.rng.token(32 * 1024)).exec();
  return member;
}

/** The first `n` items, described, and how many more there are ("and 3 more missing"). */
function firstOf(items: string[], n: number, describe: (item: string) => string, what: string): string[] {
  const shownItems = items.slice(0, n).map(describe);
  return items.length > n ? [...shownItems, `and ${items.length - n} more ${what}`] : shownItems;
}

/**
 * Where the member's answers are cut: past the stream's first chunks (32 KiB
 * each) and well before its end (the quiet member holds about 1 MiB).
 */
const CUT_AFTER_BYTES = 96 * 1024;
/** A snapshot of the quiet member (about 1 MiB) takes well under a second: a call still running after 8 s hangs. */
const BROKEN_CALL_MS = 8000;

/** A call that had to fail: it must reject (any error), not resolve, hang or end the process. */
function expectRejected(ctx: CheckContext, outcome: CallOutcome<unknown>, what: string, why: string, explain: string): string {
  if (outcome.ok) {
    throw new CheckFailure(`${what} resolved with ${show(outcome.value)}, but ${why}`, {
      expected: 'a rejection with the error: a backup that is not whole is never reported as saved',
      actual: `resolved with ${show(outcome.value)}`,
      explain,
    });
  }
  if (outcome.kind === 'threw' && (outcome.error.todo || outcome.error.name === 'MissingExport')) throw ctx.student.failure('saveSnapshot()', outcome);
  if (outcome.kind !== 'threw') throw ctx.student.failure('saveSnapshot()', outcome, BROKEN_CALL_MS, { expected: `a rejection with the error, because ${why}`, explain });
  return `${outcome.error.name}: ${outcome.error.message.split('\n')[0]}`;
}

const checks: LabChecks = {
  async 'snapshot-file'(ctx) {
    const prefix = await seed(ctx);
    // The file is there already, with the bytes of an older backup: saveSnapshot() must overwrite it.
    const file = await snapshotFile(ctx, 'file');
    const old = Buffer.from(ctx.rng.token(ctx.rng.int(4096, 40_000)));
    writeFileSync(file, old);
    const attempt = await takeSnapshot(ctx, prefix, 'file', { rounds: disturbance(ctx), file });
    const result = saved(ctx, attempt);
    const size = statSync(file).size;
    if (result.bytes !== size) {
      // Still growing a moment later: the function resolved before its last writes.
      await sleep(500);
      const later = statSync(file).size;
      if (later !== size) throw notComplete(size, later, result.bytes, 'half a second later it had');
      const kept = size >= old.length && readFileSync(file).subarray(0, old.length).equals(old);
      throw new CheckFailure(kept
        ? `saveSnapshot() appended to ${shown(file)} instead of overwriting it: the file still starts with the ${old.length} bytes it held before the call (it has ${size} bytes; saveSnapshot() says it wrote ${show(result.bytes)})`
        : `saveSnapshot() says it wrote ${show(result.bytes)} bytes; the file has ${size}`, {
        expected: `${size} (the file's size)`,
        actual: show(result.bytes),
        explain: kept
          ? 'Open the file to write it from the start (createWriteStream(file), flags \'w\'), not to append (flags \'a\'): a file that is there already, or the file of an earlier attempt, is replaced.'
          : 'Count the bytes of every blob (response.blob.length) of the snapshot that ends up in the file, and resolve only once the file is complete: on the stream\'s end, out.end(resolve).',
      });
    }
    const status = await statusOf(file);
    expect(status.totalKey > 0, '`etcdctl snapshot status` finds no keys in the file', { actual: show(status) });

    // The same into a named pipe: what had been written when saveSnapshot() resolved?
    const piped = await snapshotIntoPipe(ctx, prefix);
    const pipedResult = saved(ctx, piped.attempt);
    if (piped.unwrittenAtResolve !== undefined) {
      if (piped.unwrittenAtResolve > 0) {
        throw notComplete(pipedResult.bytes - piped.unwrittenAtResolve, statSync(piped.attempt.file).size, pipedResult.bytes, 'once the checks read the pipe (a named pipe as the file) it had');
      }
      ctx.note('resolved only once the file was complete (checked through a named pipe)');
    } else {
      ctx.note(`into a named pipe: not judged (the call did not resolve within ${PIPE_HELD_MS / 1000} s while the pipe was held, or the file was replaced)`);
    }
    const pipedSize = statSync(piped.attempt.file).size;
    expect(pipedResult.bytes === pipedSize, `saveSnapshot() says it wrote ${show(pipedResult.bytes)} bytes; the file has ${pipedSize}`, { expected: pipedSize, actual: show(pipedResult.bytes) });
    ctx.note(`${size} bytes from ${attempt.member}, over an older file of ${old.length} bytes: revision ${status.revision}, ${status.totalKey} key revisions (etcdctl snapshot status)`);
  },

  async 'snapshot-revision'(ctx) {
    const prefix = await seed(ctx);
    const calls = 3;
    // One call of the three gets at least 2 puts before its first snapshot: "before plus one" is wrong there.
    const many = ctx.rng.int(1, calls);
    const seen: string[] = [];
    for (let call = 1; call <= calls; call++) {
      const attempt = await takeSnapshot(ctx, prefix, `revision-${call}`, { rounds: disturbance(ctx, call === many) });
      const result = saved(ctx, attempt);
      expectRevisionText(result.revision);
      const status = await statusOf(attempt.file);
      const [said, holds] = [BigInt(result.revision), BigInt(status.revision)];
      if (said !== holds) {
        const when = said < holds ? `${holds - said} revision(s) older than the snapshot: read before it started, or guessed` : `${said - holds} revision(s) newer than the snapshot: read after it`;
        throw new CheckFailure(`call ${call} of ${calls}: saveSnapshot() returned revision ${result.revision}, but the file holds revision ${status.revision} (etcdctl snapshot status), ${when}`, {
          expected: status.revision,
          actual: result.revision,
          explain: `Other clients write while you take a snapshot: the checks made ${described(attempt.rounds)}. A revision read before the stream is only a lower bound, one read after it only an upper bound (read it once the stream has ended); when the two are equal, that is the revision. If not, take the snapshot again, as many times as it takes: no guess, and no giving up after one retry.`,
        });
      }
      seen.push(status.revision);
      // Something changes between calls: every snapshot holds a revision of its own.
      await (await quietClient(ctx)).kv.put(`${prefix}round`).value(String(call)).exec();
    }
    ctx.note(`${calls} calls, revisions ${seen.join(', ')}, each as etcdctl snapshot status reads it, with writes around 2-3 snapshots in a row each time`);
  },

  async 'broken-stream'(ctx) {
    const member = await quietMember(ctx);
    const { auth } = await quietClient(ctx);
    // A file that cannot be created: its folder does not exist (inside the run's folder, where the code may write).
    const nowhere = join(ctx.scratch, 'snapshots', `no-such-folder-${ctx.rng.token(4)}`, 'snapshot.db');
    const quiet = ctx.clientFor(member.endpoints, { label: `nowhere-${ctx.rng.token(4)}`, auth });
    const unwritable = await ctx.student.attempt('saveSnapshot', [quiet, nowhere], { timeoutMs: BROKEN_CALL_MS });
    const fileError = expectRejected(ctx, unwritable, `saveSnapshot(client, ${show(shown(nowhere))})`, 'that file\'s folder does not exist: nothing could be written',
      'A write stream reports a file it cannot open or write with an \'error\' event, not by throwing: listen for it (out.on(\'error\', reject)) and reject. Unheard, the error escapes your promise, which then never settles or resolves all the same.');

    // The member's answers cut half way: the connection resets in the middle of the snapshot stream.
    const relay = await Relay.start(member.endpoints);
    ctx.atEnd(() => relay.close());
    const client = ctx.clientFor(relay.hosts, { label: `cut-${ctx.rng.token(4)}`, auth });
    const file = await snapshotFile(ctx, 'cut');
    relay.cutAfter(CUT_AFTER_BYTES);
    const outcome = await ctx.student.attempt('saveSnapshot', [client, file], { timeoutMs: BROKEN_CALL_MS });
    if (relay.answeredBytes < CUT_AFTER_BYTES) {
      ctx.note(`a file it could not write: rejected with ${fileError}; a broken stream: not judged (the snapshot ended before ${CUT_AFTER_BYTES / 1024} KiB)`);
      return;
    }
    const streamError = expectRejected(ctx, outcome, 'saveSnapshot()', `the member's connection was cut after ${CUT_AFTER_BYTES / 1024} KiB of the snapshot (of a member nobody else writes to): ${outcome.ok && existsSync(file) ? `the file holds ${statSync(file).size} bytes, a cut-off backup` : 'no whole backup was saved'}`,
      'A stream that breaks emits \'error\' and then still ends: resolving on \'end\' alone reports a cut-off file as a backup. Listen for the snapshot stream\'s \'error\' (stream.on(\'error\', reject)) and reject with it.');
    ctx.note(`a file it could not write: rejected with ${fileError}; the stream cut after ${CUT_AFTER_BYTES / 1024} KiB: rejected with ${streamError}`);
  },

  async restore(ctx) {
    const prefix = await seed(ctx);
    const attempt = await takeSnapshot(ctx, prefix, 'restore', { rounds: disturbance(ctx) });
    const result = saved(ctx, attempt);
    expectRevisionText(result.revision);
    await statusOf(attempt.file);

    // A fresh one-member cluster from the file, as an operator would after losing the cluster.
    const restored = await restoredMember(ctx, attempt.file);
    const wanted = prefix;
    // A snapshot of a cluster with authentication on restores with its users: root logs in.
    const reader = openClient({ endpoints: restored.endpoints, auth: (await quietClient(ctx)).auth }, { deadlineMs: 5000 });
    let inFile: Record<string, string>;
    try {
      inFile = await reader.getAll().prefix(wanted).strings();
    } finally {
      reader.close();
      await restored.stop();
    }
    const atRevision = await (await quietClient(ctx)).kv.getAll().prefix(wanted).revision(result.revision).strings();
    const missing = Object.keys(atRevision).filter((k) => !(k in inFile));
    const extra = Object.keys(inFile).filter((k) => !(k in atRevision));
    const changed = Object.keys(atRevision).filter((k) => k in inFile && inFile[k] !== atRevision[k]);
    const cut = (v: string) => (v.length > 40 ? `${v.slice(0, 40)}… (${v.length} chars)` : v);
    expect(missing.length + extra.length + changed.length === 0,
      `restored, the file differs from the cluster at revision ${result.revision}: ${missing.length} key(s) missing, ${extra.length} extra, ${changed.length} with another value`, {
        expected: `the ${Object.keys(atRevision).length} keys under ${wanted} at revision ${result.revision}`,
        actual: [
          ...firstOf(missing, 2, (k) => `missing ${k}`, 'missing'),
          ...firstOf(extra, 2, (k) => `extra ${k}`, 'extra'),
          ...firstOf(changed, 2, (k) => `${k} is ${show(cut(inFile[k]))}, at revision ${result.revision} it was ${show(cut(atRevision[k]))}`, 'with another value'),
        ].join('; '),
        explain: 'A file that restores but does not match the revision you returned: the revision is not the snapshot\'s (read it before and after, and retry until they agree).',
      });
    ctx.note(`restored into a fresh member: the ${Object.keys(inFile).length} keys under ${wanted} match revision ${result.revision}`);
  },
};

export default checks;
