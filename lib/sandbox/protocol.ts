/**
 * The messages between the runner and the process that runs a student's lab
 * file. Arguments and results cross the process boundary by structured clone;
 * what cannot be cloned crosses as a reference:
 *
 * - `{ $client: recipe }`: the child builds (once) an etcd3 client from the
 *   recipe and passes it to the student's function.
 * - `{ $handle: n }`: an object or function the student's code returned
 *   (an Etcd3, a session, a stop function) stays in the child; the runner
 *   gets a handle and can pass it back or call its methods.
 * - `{ $callback: n }`: a function argument (an event listener, a critical
 *   section); calls to it in the child arrive in the runner as `callback`
 *   messages, and the promise it returns in the child settles with the
 *   runner's `reply`.
 */

import type { TlsPem } from '../connection/connection.ts';

/** How the child should build an etcd3 client for the student's code. */
export interface ClientRecipe {
  hosts: string[];
  /** Every key is prefixed with this (etcd3's namespace()). */
  namespace?: string;
  /** Per-call deadline; omitted = no deadline (etcd3's default: a hung member hangs the call). */
  deadlineMs?: number;
  /** One attempt per call: no etcd3 retries, no circuit breaker (lab 16's service clients). */
  singleAttempt?: boolean;
  auth?: { username: string; password: string };
  /** A secured cluster: the CA to trust and a client certificate (PEM text). */
  tls?: TlsPem;
  /** Clients with different labels are different Etcd3 instances (own connections), e.g. racing workers. */
  label?: string;
  /**
   * Harness code that disturbs this client on purpose, by name
   * (lib/sandbox/adversaries.ts), e.g. lab 15's writes around a snapshot.
   */
  adversary?: { name: string; args: unknown };
}

export interface ClientArg { $client: ClientRecipe }
export interface HandleRef { $handle: number; kind: string; methods: string[] }
export interface CallbackArg { $callback: number }

export type Arg = unknown;

/** An error thrown by student code, flattened for the trip to the runner. */
export interface ThrownError {
  name: string;
  message: string;
  stack?: string;
  /** The lab-kit class it is an instance of (KeyNotFoundError, ...), if any. */
  kitClass?: string;
  /** For NotImplementedError: which function is still a stub. */
  todo?: string;
  /** gRPC / Node error code, when the error carried one. */
  code?: string | number;
  /** ERR_ACCESS_DENIED (the box, box.ts): what the code tried ('FileSystemRead', 'ChildProcess', …) and on what. */
  denied?: { permission: string; resource?: string };
}

export type ToChild =
  | { type: 'load'; file: string }
  | { type: 'call'; id: number; fn: string; args: Arg[]; env?: Record<string, string | null> }
  | { type: 'invoke'; id: number; handle: number; method: string; args: Arg[] }
  | { type: 'probe'; id: number; probe: string; args: Arg[] }
  | { type: 'reply'; reply: number; ok: true; value: unknown }
  | { type: 'reply'; reply: number; ok: false; error: { name: string; message: string } }
  | { type: 'release' };

export type FromChild =
  | { type: 'ready' }
  | { type: 'loaded'; exports: string[] }
  | { type: 'load-failed'; error: ThrownError }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ThrownError }
  | { type: 'callback'; callback: number; args: unknown[]; reply: number }
  | { type: 'uncaught'; error: ThrownError }
  /** The student's code called process.exit(), inside the call to `fn` (undefined: outside any call). */
  | { type: 'exiting'; fn?: string; code?: number };

export function isClientArg(value: unknown): value is ClientArg {
  return typeof value === 'object' && value !== null && '$client' in value;
}
export function isHandleRef(value: unknown): value is HandleRef {
  return typeof value === 'object' && value !== null && '$handle' in value;
}
export function isCallbackArg(value: unknown): value is CallbackArg {
  return typeof value === 'object' && value !== null && '$callback' in value;
}
