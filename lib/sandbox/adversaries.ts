/**
 * Adversaries: harness code that disturbs, on purpose, a client the lab
 * process builds for the student's code, named in the client recipe
 * (`ctx.client({ adversary: { name, args } })`). Like probes
 * (./probes.ts) they are trusted and decide nothing: they make a mistake
 * show every run instead of by luck. A lab adds one here by name.
 */
import type { Etcd3 } from 'etcd3';
import { type SnapshotWrites, interposeSnapshotWrites } from './adversaries/snapshot-writes.ts';
import { interposeKvWrites } from './adversaries/kv-writes.ts';

const adversaries: Record<string, (root: Etcd3, args: never) => void> = {
  /** Lab 15: writes right before and during a snapshot. */
  'snapshot-writes': (root, args: SnapshotWrites) => interposeSnapshotWrites(root, args),
  /** Lab 16: marked writes held back, answered with a timeout once applied, or followed by a crash. */
  'kv-writes': (root) => interposeKvWrites(root),
};

export function disturb(root: Etcd3, adversary: { name: string; args: unknown }): void {
  const install = adversaries[adversary.name];
  if (!install) throw new Error(`unknown adversary ${adversary.name} (lib/sandbox/adversaries.ts)`);
  install(root, adversary.args as never);
}
