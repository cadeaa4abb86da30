/**
 * Lab 03 · Logged users under one prefix
 *
 * Run the checks:   npm run lab 3
 * Read first:       LAB.md, "Lab 03 · Logged users"
 *
 * The etcd3 notebook keeps track of who is logged in where: each user is the
 * key /logged_users/<username> and its value is the user's hostname.
 */
import { type EtcdClient, type LoggedUser, todo } from '../lib/kit.ts';

/** The key prefix of the registry (note the trailing slash). */
export const ROOT = '/logged_users/';

/**
 * Who and where you are: the user name the way Python's getpass.getuser()
 * finds it (the first of LOGNAME, USER, LNAME, USERNAME that is set and not
 * empty, else the OS account), and this machine's host name as the OS
 * reports it (node:os), whatever the environment says.
 */
export function currentUser(): LoggedUser {
  // TODO: read the environment, then the OS (node:os).
  todo('currentUser');
}

/** Registers one user: /logged_users/<username> = hostname. Resolves once the key is written. */
export async function registerUser(client: EtcdClient, username: string, hostname: string): Promise<void> {
  // TODO
  todo('registerUser');
}

/** Registers every user of `usernames` on the same host. Resolves once every one of them is written. */
export async function registerUsers(client: EtcdClient, usernames: string[], hostname: string): Promise<void> {
  // TODO
  todo('registerUsers');
}

/** Every registered user: { username: hostname }, and nothing that is not under /logged_users/. */
export async function listLoggedUsers(client: EtcdClient): Promise<Record<string, string>> {
  // TODO: one prefix read.
  todo('listLoggedUsers');
}
