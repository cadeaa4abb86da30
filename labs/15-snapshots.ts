/**
 * Lab 15 · Snapshots: back up the cluster, and know which revision you saved
 *
 * Run the checks:   npm run lab 15
 * Read first:       LAB.md, "Lab 15 · Snapshots"
 *
 * `etcdctl snapshot save snapshot.db` in code: stream the backend of one
 * member into a file, through the maintenance API. A backup is only as good
 * as what you know about it, so also say which revision the file holds. The
 * checks write to the cluster right before your snapshot starts and again
 * while it streams; then they restore your file into an etcd member of their
 * own and compare it, key by key, with the cluster at the revision you gave.
 */
import { type Etcd3, todo } from '../lib/kit.ts';

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
  // TODO: write every chunk of client.maintenance.snapshot() to the file; find out which revision it holds.
  todo('saveSnapshot');
}
