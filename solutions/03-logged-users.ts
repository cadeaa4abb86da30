/**
 * Lab 03 · Logged users under one prefix (reference solution)
 */
import { hostname, userInfo } from 'node:os';
import type { EtcdClient, LoggedUser } from '../lib/kit.ts';

/** The key prefix of the registry (note the trailing slash). */
export const ROOT = '/logged_users/';

/**
 * Who and where you are: the user name the way Python's getpass.getuser()
 * finds it (the first of LOGNAME, USER, LNAME, USERNAME that is set and not
 * empty, else the OS account), and this machine's host name as the OS
 * reports it (node:os), whatever the environment says.
 */
export function currentUser(): LoggedUser {
  const fromEnv = ['LOGNAME', 'USER', 'LNAME', 'USERNAME'].map((name) => process.env[name]).find(Boolean);
  return { username: fromEnv ?? userInfo().username, hostname: hostname() };
}

/** Registers one user: /logged_users/<username> = hostname. Resolves once the key is written. */
export async function registerUser(client: EtcdClient, username: string, hostname: string): Promise<void> {
  await client.put(ROOT + username).value(hostname).exec();
}

/** Registers every user of `usernames` on the same host. Resolves once every one of them is written. */
export async function registerUsers(client: EtcdClient, usernames: string[], hostname: string): Promise<void> {
  // One put per user, as the notebook does (lab 04 turns this into one transaction).
  for (const username of usernames) await registerUser(client, username, hostname);
}

/** Every registered user: { username: hostname }, and nothing that is not under /logged_users/. */
export async function listLoggedUsers(client: EtcdClient): Promise<Record<string, string>> {
  // The trailing slash matters: "/logged_users" would also match "/logged_users_archive/...".
  const entries = await client.getAll().prefix(ROOT).strings();
  return Object.fromEntries(Object.entries(entries).map(([key, host]) => [key.slice(ROOT.length), host]));
}
