// Broken: the list stops at 10 keys.
export * from './base.ts';
import type { EtcdClient } from '../../../../kit.ts';
export async function listKeys(client: EtcdClient): Promise<string[]> {
  return client.getAll().limit(10).keys();
}
