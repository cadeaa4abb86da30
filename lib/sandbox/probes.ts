/**
 * Probes: small pieces of *harness* code that run inside the lab process, on
 * objects the student's code returned (which cannot leave that process).
 * Lab 01, for instance, gets an Etcd3 back from `connect()` and asks a probe
 * to use it. Probes are trusted; they never decide a verdict, they measure.
 */
import type { Namespace } from 'etcd3';
import { type RpcPacing, takeRpcCount, takeRpcPacing, takeRpcs } from './rpc-log.ts';
import { kvWritesControl } from './adversaries/kv-writes.ts';

export interface TimedOutcome<T> {
  ms: number;
  ok: boolean;
  value?: T;
  error?: { name: string; message: string };
}

async function timed<T>(work: () => Promise<T>): Promise<TimedOutcome<T>> {
  const began = performance.now();
  try {
    const value = await work();
    return { ms: Math.round(performance.now() - began), ok: true, value };
  } catch (error) {
    const e = error as Error;
    return { ms: Math.round(performance.now() - began), ok: false, error: { name: e?.constructor?.name ?? e?.name ?? 'Error', message: String(e?.message ?? e) } };
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a probe's arguments come from the runner, typed by each probe itself
export const probes: Record<string, (...args: any[]) => unknown> = {
  /** What kind of object the student's code returned. */
  describe(value: unknown): { kind: string; hasKvApi: boolean } {
    const kind = value === null ? 'null' : typeof value === 'object' ? ((value as object).constructor?.name ?? 'Object') : typeof value;
    const hasKvApi = !!value && typeof (value as Namespace).get === 'function' && typeof (value as Namespace).put === 'function';
    return { kind, hasKvApi };
  },

  /** Writes `value` at `key` through the client, then reads it back through the same client. */
  roundTrip(client: Namespace, key: string, value: string): Promise<TimedOutcome<string | null>> {
    return timed(async () => {
      await client.put(key).value(value).exec();
      return client.get(key).string();
    });
  },

  /** One get through the client, timed: does the client give up on a hung member? */
  timedGet(client: Namespace, key: string): Promise<TimedOutcome<string | null>> {
    return timed(() => client.get(key).string());
  },

  /** The requests a harness-built client sent since the last time this was asked (e.g. ["KV.range", "KV.txn"]). */
  rpcs(client: Namespace): string[] {
    return takeRpcs(client);
  },

  /** How many requests a harness-built client sent since the last ask (lab 13: a retry loop that never pauses sends thousands). */
  rpcCount(client: Namespace): number {
    return takeRpcCount(client);
  },

  /** How a harness-built client's requests since the last ask filled its time, and its pauses before each `rpc` (lab 09: a waiter that never pauses). */
  rpcPacing(client: Namespace, rpc: string): RpcPacing {
    return takeRpcPacing(client, rpc);
  },

  /** Lab 16: arm, inspect or release the marked writes of a client with the kv-writes adversary. */
  kvWrites(client: unknown, action: 'arm' | 'disarm' | 'state' | 'release', arg?: unknown): unknown {
    return kvWritesControl(client, action, arg);
  },

  /** Closes a client the student's code returned, so its connections do not linger. */
  close(client: { close?: () => void }): void {
    client?.close?.();
  },
};
