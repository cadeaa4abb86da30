// Broken: the list is sorted by locale rules, not by bytes.
export * from './base.ts';
import type { EtcdClient } from '../../../../kit.ts';
export async function listKeys(client: EtcdClient): Promise<string[]> {
  const keys = await client.getAll().keys();
  return keys.sort((a, b) => a.localeCompare(b));
}
