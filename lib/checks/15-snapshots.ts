/**
 * Lab 15 checks: saveSnapshot() on one member of the local cluster.
 *
 * The file is judged by etcd's own tools (`snapshot status`, `snapshot
 * restore`) and by its contents once restored into a member of the run's
 * own; the revision is judged against what the file holds. The lab process
 * writes a key right before the first snapshot of each client starts and
 * again when its first chunk arrives (lib/sandbox/adversaries/snapshot-writes.ts), so a
 * revision read before or after the stream, without checking, is wrong every
 * time rather than now and then.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalCluster } from '../cluster/cluster.ts';
import { generateCluster } from '../cluster/generate.ts';
import { freePortBase } from '../cluster/probe.ts';
import { SnapshotToolError, restoreSnapshot, snapshotStatus } from '../etcd/snapshot-files.ts';
import { shown } from '../paths.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import type { CallOutcome } from '../sandbox/sandbox.ts';
import { labClusterDir, removeAbandoned } from '../cluster/throwaway.ts';
import { openClient } from '../connection/client.ts';

interface Saved {
  revision: string;
  bytes: number;
}

/** The run's folder: snapshots/ for the student's files, and the restored member's config and data. */
function runDir(ctx: CheckContext): Promise<string> {
  return ctx.once('snapshot-dir', async () => {
    await removeAbandoned(`lab${ctx.lab.id}`);
    const dir = labClusterDir(ctx.lab.id);
    mkdirSync(join(dir, 'snapshots'), { recursive: true });
    // Clean-ups run last-registered first: the restored member (if any) is stopped before this goes.
    ctx.atEnd(() => rm(dir, { recursive: true, force: true }));
    return dir;
  });
}

/** Random keys under /lab15/<run>/: small and large values, some overwritten, some deleted. */
async function seed(ctx: CheckContext): Promise<string> {
  const prefix = `/lab15/${ctx.rng.token(6)}/`;
  const keys = Array.from({ length: ctx.rng.int(30, 45) }, () => `${prefix}${ctx.rng.token(8)}`);
  for (const key of keys) {
    // A few values of 8-32 KiB, so that the data spans more than one chunk of the stream.
    const big = ctx.rng.int(0, 9) === 0;
    await ctx.kv.put(key).value(big ? ctx.rng.token(ctx.rng.int(8, 32) * 1024) : ctx.rng.token(12)).exec();
  }
  for (const key of ctx.rng.sample(keys, 8)) await ctx.kv.put(key).value(`again-${ctx.rng.token(8)}`).exec();
  for (const key of ctx.rng.sample(keys, 5)) await ctx.kv.delete().key(key).exec();
  return prefix;
}

interface Attempt {
  outcome: CallOutcome<unknown>;
  file: string;
  member: string;
}

/** One call of saveSnapshot() through a fresh client of one member, with the harness's writes around the snapshot. */
async function takeSnapshot(ctx: CheckContext, prefix: string, name: string): Promise<Attempt> {
  const dir = await runDir(ctx);
  const file = join(dir, 'snapshots', `${name}-${ctx.rng.token(4)}.db`);
  const member = ctx.rng.pick(ctx.target.endpoints);
  const marker = `${ctx.target.namespace}${prefix}marker`;
  const client = ctx.client({
    hosts: [member], namespace: undefined, label: `${name}-${ctx.rng.token(4)}`,
    adversary: { name: 'snapshot-writes', args: { key: marker, before: `before-${ctx.rng.token(6)}`, during: `during-${ctx.rng.token(6)}` } },
  });
  const outcome = await ctx.student.attempt('saveSnapshot', [client, file], { timeoutMs: ctx.timeoutMs });
  return { outcome, file, member };
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

/** `snapshot status` of the student's file, or the failure that explains why etcd's tool refused it. */
async function statusOf(file: string) {
  try {
    return await snapshotStatus(file);
  } catch (error) {
    if (!(error instanceof SnapshotToolError)) throw error;
    throw new CheckFailure(`\`etcdctl snapshot status\` does not accept the file saveSnapshot() wrote: ${error.output}`, {
      explain: 'Write every blob as bytes, unchanged and in order: no toString(), no JSON, nothing between them.',
    });
  }
}

const checks: LabChecks = {
  async 'snapshot-file'(ctx) {
    const prefix = await seed(ctx);
    const attempt = await takeSnapshot(ctx, prefix, 'file');
    const result = saved(ctx, attempt);
    const size = statSync(attempt.file).size;
    expect(result.bytes === size, `saveSnapshot() says it wrote ${show(result.bytes)} bytes; the file has ${size}`, {
      expected: size,
      actual: show(result.bytes),
      explain: 'Count the bytes of every blob (response.blob.length), and resolve only once the file is complete: on the stream\'s end, out.end(resolve).',
    });
    const status = await statusOf(attempt.file);
    expect(status.totalKey > 0, `\`etcdctl snapshot status\` finds no keys in the file`, { actual: show(status) });
    ctx.note(`${size} bytes from ${attempt.member}: revision ${status.revision}, ${status.totalKey} key revisions (etcdctl snapshot status)`);
  },

  async 'snapshot-revision'(ctx) {
    const prefix = await seed(ctx);
    const rounds = 3;
    const seen: string[] = [];
    for (let round = 1; round <= rounds; round++) {
      const attempt = await takeSnapshot(ctx, prefix, `revision-${round}`);
      const result = saved(ctx, attempt);
      expectRevisionText(result.revision);
      const status = await statusOf(attempt.file);
      const [said, holds] = [BigInt(result.revision), BigInt(status.revision)];
      if (said !== holds) {
        const when = said < holds ? 'older than the snapshot: read before it started' : 'newer than the snapshot: read after it';
        throw new CheckFailure(`snapshot ${round} of ${rounds}: saveSnapshot() returned revision ${result.revision}, but the file holds revision ${status.revision} (etcdctl snapshot status), ${when}`, {
          expected: status.revision,
          actual: result.revision,
          explain: 'Other clients write while you take a snapshot (the checks did, just before it started and while it streamed). A revision read before the stream is only a lower bound, one read after it only an upper bound; when the two are equal, that is the revision. If not, take the snapshot again.',
        });
      }
      seen.push(status.revision);
      // Something changes between rounds: every snapshot holds a revision of its own.
      await ctx.kv.put(`${prefix}round`).value(String(round)).exec();
    }
    ctx.note(`${rounds} snapshots, revisions ${seen.join(', ')}, each as etcdctl snapshot status reads it`);
  },

  async restore(ctx) {
    const prefix = await seed(ctx);
    const attempt = await takeSnapshot(ctx, prefix, 'restore');
    const result = saved(ctx, attempt);
    expectRevisionText(result.revision);
    await statusOf(attempt.file);

    // A fresh one-member cluster from the file, as an operator would after losing the cluster.
    const dir = await runDir(ctx);
    const clientPort = await freePortBase(1, 28500);
    const spec = generateCluster({ dir, size: 1, clientPort, peerPort: clientPort + 1000, namePrefix: 'restored' });
    const member = spec.members[0];
    try {
      await restoreSnapshot(attempt.file, { dataDir: member.dataDir, name: member.name, peerUrl: member.peerUrls[0], token: `etcd-lab-${clientPort}` });
    } catch (error) {
      if (!(error instanceof SnapshotToolError)) throw error;
      throw new CheckFailure(`\`etcdctl snapshot restore\` refused the file saveSnapshot() wrote: ${error.output}`, {
        explain: /hash/i.test(error.output)
          ? 'The stream ends with 32 bytes of SHA-256 after the database (sent with remaining_bytes 0, like the last chunk of data): write every blob until the stream ends.'
          : 'Write every blob as bytes, unchanged and in order, until the stream ends.',
      });
    }
    const restored = new LocalCluster(spec);
    ctx.atEnd(() => restored.destroy());
    await restored.start();
    const wanted = `${ctx.target.namespace}${prefix}`;
    const reader = openClient({ endpoints: restored.endpoints }, { deadlineMs: 5000 });
    let inFile: Record<string, string>;
    try {
      inFile = await reader.getAll().prefix(wanted).strings();
    } finally {
      reader.close();
      await restored.stop();
    }
    const atRevision = await ctx.etcd.getAll().prefix(wanted).revision(result.revision).strings();
    const missing = Object.keys(atRevision).filter((k) => !(k in inFile));
    const extra = Object.keys(inFile).filter((k) => !(k in atRevision));
    const changed = Object.keys(atRevision).filter((k) => k in inFile && inFile[k] !== atRevision[k]);
    const cut = (v: string) => (v.length > 40 ? `${v.slice(0, 40)}… (${v.length} chars)` : v);
    expect(missing.length + extra.length + changed.length === 0,
      `restored, the file differs from the cluster at revision ${result.revision}: ${missing.length} key(s) missing, ${extra.length} extra, ${changed.length} with another value`, {
        expected: `the ${Object.keys(atRevision).length} keys under ${wanted} at revision ${result.revision}`,
        actual: [
          ...missing.slice(0, 2).map((k) => `missing ${k}`),
          ...extra.slice(0, 2).map((k) => `extra ${k}`),
          ...changed.slice(0, 2).map((k) => `${k} is ${show(cut(inFile[k]))}, at revision ${result.revision} it was ${show(cut(atRevision[k]))}`),
        ].join('; '),
        explain: 'A file that restores but does not match the revision you returned: the revision is not the snapshot\'s (read it before and after, and retry until they agree).',
      });
    ctx.note(`restored into a fresh member: the ${Object.keys(inFile).length} keys under ${wanted} match revision ${result.revision}`);
  },
};

export default checks;
