// Broken: a missing key reads as the empty string.
export * from '../../../../../solutions/02-kv-basics.ts';
import type { EtcdClient } from '../../../../kit.ts';
export async function getValue(client: EtcdClient, key: string): Promise<string> {
  return (await client.get(key).string()) ?? '';
}
