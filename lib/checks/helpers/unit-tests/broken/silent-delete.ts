// Broken: deleting a missing key succeeds silently.
export * from './base.ts';
import type { EtcdClient } from '../../../../kit.ts';
export async function deleteKey(client: EtcdClient, key: string): Promise<void> {
  await client.delete().key(key).exec();
}
