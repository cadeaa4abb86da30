// Broken: a put does not overwrite an existing value.
export * from './base.ts';
import type { EtcdClient } from '../../../../kit.ts';
export async function putValue(client: EtcdClient, key: string, value: string): Promise<void> {
  await client.if(key, 'Version', '==', 0).then(client.put(key).value(value)).commit();
}
