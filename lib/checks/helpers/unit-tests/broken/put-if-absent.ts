// Broken: a put does not overwrite an existing value.
export * from '../../../../../solutions/02-kv-basics.ts';
import type { EtcdClient } from '../../../../kit.ts';
export async function putValue(client: EtcdClient, key: string, value: string): Promise<void> {
  await client.if(key, 'Version', '==', 0).then(client.put(key).value(value)).commit();
}
