// Broken: values are stored as Latin-1, so anything beyond it comes back mangled.
export * from './base.ts';
import type { EtcdClient } from '../../../../kit.ts';
export async function putValue(client: EtcdClient, key: string, value: string): Promise<void> {
  await client.put(key).value(Buffer.from(value, 'latin1')).exec();
}
