// Broken: deleting a missing key succeeds silently.
export * from '../../../../../solutions/02-kv-basics.ts';
import type { EtcdClient } from '../../../../kit.ts';
export async function deleteKey(client: EtcdClient, key: string): Promise<void> {
  await client.delete().key(key).exec();
}
