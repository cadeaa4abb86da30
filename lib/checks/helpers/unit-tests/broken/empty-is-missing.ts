// Broken: an empty value is taken for a missing key.
export * from './base.ts';
import { KeyNotFoundError, type EtcdClient } from '../../../../kit.ts';
export async function getValue(client: EtcdClient, key: string): Promise<string> {
  const value = await client.get(key).string();
  if (!value) throw new KeyNotFoundError(key);
  return value;
}
