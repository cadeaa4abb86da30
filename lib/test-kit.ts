/**
 * The test kit of lab 12: what your test file imports.
 *
 * ```ts
 * const { getValue, putValue, listKeys, deleteKey } = await subject(); // the implementation under test
 * const client = await freshClient();                                 // a namespace of its own, empty
 * afterAll(closeClients);                                             // deletes those namespaces
 * ```
 *
 * When the checks run your tests, `subject()` is the reference solution of
 * lab 02, then each broken version; when you run them yourself
 * (`npm run test-lab12`), it is your own `labs/02-kv-basics.ts`.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Etcd3, Namespace } from 'etcd3';
import { LocalCluster } from './cluster/cluster.ts';
import type { Connection, } from './connection/connection.ts';
import { paths } from './paths.ts';
import { openClient } from './connection/client.ts';

export { ClusterUnavailableError, KeyNotFoundError } from './kit.ts';

/** The four functions of lab 02. */
export interface KvFunctions {
  listKeys(client: Namespace | Etcd3): Promise<string[]>;
  getValue(client: Namespace | Etcd3, key: string): Promise<string>;
  putValue(client: Namespace | Etcd3, key: string, value: string): Promise<void>;
  deleteKey(client: Namespace | Etcd3, key: string): Promise<void>;
}

/** The implementation your tests are run against. */
export async function subject(): Promise<KvFunctions> {
  const file = process.env.LAB12_SUBJECT ?? join(paths.labs, '02-kv-basics.ts');
  return (await import(pathToFileURL(file).href)) as KvFunctions;
}

let connection: Promise<Connection> | undefined;

/** The checks say which cluster (a class cluster comes with TLS and a user); run by hand, the local classroom cluster (started if it is down). */
function clusterConnection(): Promise<Connection> {
  connection ??= process.env.LAB12_CONNECTION
    ? Promise.resolve(JSON.parse(process.env.LAB12_CONNECTION) as Connection)
    : (async () => {
      const cluster = LocalCluster.classroom();
      await cluster.start();
      return { endpoints: cluster.endpoints };
    })();
  return connection;
}

const opened: { root: Etcd3; prefix: string }[] = [];

/**
 * An etcd3 client whose keys all live under a fresh, empty namespace: what one
 * test does cannot be seen by another, and listKeys() sees only this test's keys.
 */
export async function freshClient(): Promise<Namespace> {
  const root = openClient(await clusterConnection(), { deadlineMs: 5000 });
  // Inside the run's namespace (a class cluster's /students/<name>/), which ends with a slash.
  const prefix = `${(process.env.LAB12_NAMESPACE ?? '').replace(/\/$/, '')}/lab12/${randomBytes(6).toString('hex')}/`;
  opened.push({ root, prefix });
  return root.namespace(prefix);
}

/** Deletes every namespace freshClient() made and closes the clients. Call it in afterAll. */
export async function closeClients(): Promise<void> {
  for (const { root, prefix } of opened.splice(0)) {
    await root.delete().prefix(prefix).exec().catch(() => {});
    root.close();
  }
}
