/**
 * Users, roles and `auth enable` on a cluster the workbook manages: the
 * secured class cluster and lab 11's short-lived one.
 *
 * The caller connects as root with certs/root.crt (CN=root): on a cluster
 * with client-cert-auth that is root before and after auth is enabled, so
 * these steps can be repeated safely.
 */
import { type Etcd3, EtcdRoleExistsError, EtcdUserExistsError } from 'etcd3';
import type { Connection, } from '../connection/connection.ts';
import { openClient } from '../connection/client.ts';

async function ignoring<T>(work: Promise<T>, ...expected: (new (...a: never[]) => Error)[]): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!expected.some((type) => error instanceof type)) throw error;
  }
}

/** Creates root with `rootPassword` (or sets it, when root exists), its role, then turns authentication on. */
export async function enableAuth(asRoot: Connection, rootPassword: string): Promise<void> {
  const client = openClient(asRoot, { deadlineMs: 5000 });
  try {
    try {
      await client.user('root').create(rootPassword);
    } catch (error) {
      if (!(error instanceof EtcdUserExistsError)) throw error;
      await client.user('root').setPassword(rootPassword);
    }
    await ignoring(client.role('root').create(), EtcdRoleExistsError);
    await client.user('root').addRole('root');
    await client.auth.authEnable();
  } finally {
    client.close();
  }
}

export function prefixOwnerRole(username: string): string {
  return `prefix-owner:${username}`;
}

/**
 * A user who may read and write under `prefix` and nowhere else (a student
 * on the class cluster). Its role is named `prefix-owner:<username>`. Running it
 * again sets the password again.
 */
export async function createPrefixOwner(client: Etcd3, username: string, password: string, prefix: string): Promise<void> {
  const role = prefixOwnerRole(username);
  await ignoring(client.role(role).create(), EtcdRoleExistsError);
  await client.role(role).grant({ permission: 'Readwrite', range: client.range({ prefix }) });
  try {
    await client.user(username).create(password);
  } catch (error) {
    if (!(error instanceof EtcdUserExistsError)) throw error;
    await client.user(username).setPassword(password);
  }
  await client.user(username).addRole(role);
}
