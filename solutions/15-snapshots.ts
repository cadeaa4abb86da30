/**
 * Lab 15 · Snapshots: back up the cluster, and know which revision you saved (reference solution)
 */
import { createWriteStream } from 'node:fs';
import type { Etcd3 } from '../lib/kit.ts';

/** The member's current revision: the header of any read says it. */
async function currentRevision(client: Etcd3): Promise<string> {
  return (await client.get('/').exec()).header.revision;
}

/** Streams one snapshot into `file`; resolves with the bytes written once the file is complete on disk. */
async function writeSnapshot(client: Etcd3, file: string): Promise<number> {
  const stream = await client.maintenance.snapshot();
  const out = createWriteStream(file);
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (response) => {
      bytes += response.blob.length;
      out.write(response.blob);
    });
    stream.on('error', reject);
    out.on('error', reject);
    // Every blob, the last 32 bytes (the SHA-256 of the rest) included; then wait until they are on disk.
    stream.on('end', () => out.end(resolve));
  });
  return bytes;
}

/**
 * Saves a snapshot of the member `client` talks to (one member) into `file`
 * (created or overwritten), exactly as the member streams it. Resolves once
 * every byte is in the file, with the revision of the key-value store the
 * file holds (a decimal string, as etcd3 gives revisions) and the number of
 * bytes written. Rejects with the error when the file cannot be written or
 * the member's stream breaks before its end: a backup that is not whole is
 * never reported as saved.
 */
export async function saveSnapshot(client: Etcd3, file: string): Promise<{ revision: string; bytes: number }> {
  // etcd 3.4 does not say which revision a snapshot holds. It is at least the
  // revision before the stream and at most the one after: when the two are
  // equal, nothing was written in between and the snapshot holds exactly that.
  for (let attempt = 1; attempt <= 10; attempt++) {
    const before = await currentRevision(client);
    const bytes = await writeSnapshot(client, file);
    if ((await currentRevision(client)) === before) return { revision: before, bytes };
  }
  throw new Error('the cluster kept changing during 10 snapshots: no snapshot of a known revision');
}
