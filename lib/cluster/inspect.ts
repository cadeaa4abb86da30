/**
 * Asking each member about itself over gRPC (Debian's etcd has no HTTP
 * gateway): status for `npm run cluster -- status`, the truth lab checks
 * compare against, and moving leadership on purpose.
 *
 * Every call has a deadline: a member that hangs must never hang us.
 */
import type { Etcd3 } from 'etcd3';
import { setTimeout as sleep } from 'node:timers/promises';
import { withClient } from '../connection/client.ts';
import { type Connection, asConnection } from '../connection/connection.ts';

/** gRPC's options of one call (its deadline). */
type CallOptions = Parameters<Etcd3['maintenance']['status']>[0];

/** Where to ask: endpoints, or a connection with TLS and a user (a secured cluster). */
export type Access = Connection | string[];

export interface MemberStatus {
  endpoint: string;
  up: boolean;
  /** Filled when up. */
  id?: string;
  leaderId?: string;
  isLeader?: boolean;
  raftTerm?: string;
  raftIndex?: string;
  revision?: string;
  dbSize?: number;
  version?: string;
  error?: string;
}

export interface MemberInfo {
  id: string;
  name: string;
  clientUrls: string[];
  peerUrls: string[];
}

/** One member, one piece of work. */
function withMember<T>(access: Access, endpoint: string, deadlineMs: number, work: (client: Etcd3) => Promise<T>, options: { singleAttempt?: boolean } = {}): Promise<T> {
  return withClient(access, { deadlineMs, endpoints: [endpoint], singleAttempt: options.singleAttempt }, work);
}

/** A member's view of itself, asked on a client of that member (`options`: a deadline of this call's own). */
export async function statusVia(client: Etcd3, endpoint: string, options?: CallOptions): Promise<MemberStatus> {
  const s = await client.maintenance.status(options);
  return {
    endpoint,
    up: true,
    id: s.header.member_id,
    leaderId: s.leader,
    isLeader: s.leader === s.header.member_id,
    raftTerm: s.raftTerm,
    raftIndex: s.raftIndex,
    revision: s.header.revision,
    dbSize: Number(s.dbSize),
    version: s.version,
  };
}

/** One member's view of itself: one request within `deadlineMs` (no retries: a hung member costs `deadlineMs`, not three times that). */
export async function memberStatus(endpoint: string, deadlineMs = 1000, access: Access = [endpoint]): Promise<MemberStatus> {
  try {
    return await withMember(access, endpoint, deadlineMs, (client) => statusVia(client, endpoint), { singleAttempt: true });
  } catch (error) {
    return { endpoint, up: false, error: (error as Error).message.split('\n')[0] };
  }
}

/**
 * HashKV at `revision`, asked on a client of one member: equal hashes at an
 * equal revision mean equal data. Needs an admin (root) user on a cluster
 * with auth.
 */
export async function hashKVVia(client: Etcd3, revision: string, options?: CallOptions): Promise<number> {
  // etcd3 1.1.2's maintenance.hashKV() asks gRPC for a method "hashKV" that
  // proto-loader named "HashKV" ("client[method] is not a function"): call it by that name.
  const pool = (client.maintenance as unknown as { client: { exec(service: string, method: string, req: unknown, options?: CallOptions): Promise<{ hash: number | string }> } }).client;
  return Number((await pool.exec('Maintenance', 'HashKV', { revision }, options)).hash);
}

/** HashKV of one member at `revision` (see hashKVVia). */
export function memberHashKV(endpoint: string, revision: string, deadlineMs = 1000, access: Access = [endpoint]): Promise<number> {
  return withMember(access, endpoint, deadlineMs, (client) => hashKVVia(client, revision));
}

export function clusterStatus(access: Access, deadlineMs = 1000): Promise<MemberStatus[]> {
  return Promise.all(asConnection(access).endpoints.map((e) => memberStatus(e, deadlineMs, access)));
}

/** The member list, as the first member that answers sees it. */
export async function memberList(access: Access, deadlineMs = 2000): Promise<MemberInfo[]> {
  let lastError: unknown;
  for (const endpoint of asConnection(access).endpoints) {
    try {
      return await withMember(access, endpoint, deadlineMs, async (client) => {
        const { members } = await client.cluster.memberList({});
        return members.map((m) => ({ id: m.ID, name: m.name, clientUrls: [...m.clientURLs], peerUrls: [...m.peerURLs] }));
      });
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`no member answered the member list: ${(lastError as Error)?.message}`);
}

/**
 * The leader's member id, once every answering member agrees on one
 * (right after an election they can briefly disagree). Waits up to `waitMs`.
 */
export async function agreedLeader(access: Access, waitMs = 5000): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const statuses = (await clusterStatus(access)).filter((s) => s.up);
    const leaders = new Set(statuses.map((s) => s.leaderId));
    if (statuses.length > 0 && leaders.size === 1) {
      const [leader] = leaders;
      if (leader && leader !== '0') return leader;
    }
    if (Date.now() > deadline) throw new Error(`the members do not agree on a leader (${[...leaders].join(', ') || 'none'})`);
    await sleep(50);
  }
}

/** Moves leadership to the member with `targetId` and waits until every member sees it. */
export async function moveLeader(access: Access, targetId: string, waitMs = 5000): Promise<void> {
  const statuses = await clusterStatus(access);
  const leader = statuses.find((s) => s.isLeader);
  if (!leader) throw new Error('there is no leader to move');
  if (leader.id !== targetId) {
    await withMember(access, leader.endpoint, 3000, (client) => client.maintenance.moveLeader({ targetID: targetId }));
  }
  const deadline = Date.now() + waitMs;
  while ((await agreedLeader(access, waitMs)) !== targetId) {
    if (Date.now() > deadline) throw new Error(`leadership did not move to ${targetId}`);
    await sleep(25);
  }
}
