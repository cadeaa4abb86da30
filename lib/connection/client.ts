/**
 * Clients the workbook itself uses (never a student's): every unary call
 * has a deadline, so a hung member can never hang the caller.
 *
 * ```ts
 * const client = openClient(connection, { deadlineMs: 3000 });        // close() it yourself
 * const status = await withClient(endpoints, { deadlineMs: 1000 }, (c) => c.maintenance.status());
 * ```
 */
import { Etcd3 } from 'etcd3';
import './etcd3-fixes.ts';
import { type Connection, asConnection, clientOptions } from './connection.ts';

export interface ClientSettings {
  /** Every unary call gets this deadline (streams none). */
  deadlineMs: number;
  /** Ask only these endpoints (default: the connection's). */
  endpoints?: string[];
  /** One attempt to one member, no circuit breaker: for measurements and status. */
  singleAttempt?: boolean;
}

export function openClient(access: Connection | string[], settings: ClientSettings): Etcd3 {
  const connection = asConnection(access);
  return new Etcd3(clientOptions(settings.endpoints ? { ...connection, endpoints: settings.endpoints } : connection, settings.deadlineMs, { singleAttempt: settings.singleAttempt }));
}

/** A client for one piece of work, closed after it whatever happens. */
export async function withClient<T>(access: Connection | string[], settings: ClientSettings, work: (client: Etcd3) => Promise<T>): Promise<T> {
  const client = openClient(access, settings);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}
