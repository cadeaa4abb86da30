// Broken: a missing key throws a plain Error, not KeyNotFoundError.
export * from './base.ts';
import type { EtcdClient } from '../../../../kit.ts';
export async function getValue(client: EtcdClient, key: string): Promise<string> {
  const value = await client.get(key).string();
  if (value === null) throw new Error(`no such key: ${key}`);
  return value;
}
