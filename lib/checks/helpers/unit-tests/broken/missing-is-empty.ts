// Broken: a missing key reads as the empty string.
export * from './base.ts';
import type { EtcdClient } from '../../../../kit.ts';
export async function getValue(client: EtcdClient, key: string): Promise<string> {
  return (await client.get(key).string()) ?? '';
}
