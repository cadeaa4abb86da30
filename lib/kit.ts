/**
 * The lab kit: the one module every lab file imports.
 *
 * It holds the types the labs' signatures use and the error classes the lab
 * contracts ask you to throw. Throw these classes themselves (not copies with
 * the same name): the checks recognise them with `instanceof`.
 *
 * ```ts
 * import { KeyNotFoundError, type EtcdClient } from '../lib/kit.ts';
 * ```
 */
import type { Etcd3, Namespace } from 'etcd3';

export type { Etcd3, Namespace } from 'etcd3';

/**
 * The client the runner hands to your functions: an `Etcd3`, or a namespace
 * of one (every key you use is then silently prefixed, which is how a shared
 * class cluster keeps students apart). Both have the same key/value API.
 */
export type EtcdClient = Etcd3 | Namespace;

/** Base class of the errors the lab contracts name. */
export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The key does not exist (lab 02: getValue and deleteKey). */
export class KeyNotFoundError extends LabError {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}

/**
 * The cluster cannot be reached: refused, hung, no quorum, or etcd3's
 * circuit breaker is open. Callers can retry later; they should not crash.
 */
export class ClusterUnavailableError extends LabError {
  constructor(message = 'the etcd cluster is unavailable', options?: { cause?: unknown }) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Thrown by the stubs you start from. The runner shows it as "TODO: implement …". */
export class NotImplementedError extends LabError {
  constructor(readonly functionName: string) {
    super(`TODO: implement ${functionName}`);
  }
}

/** Marks a function you still have to write. Delete the call when you implement it. */
export function todo(functionName: string): never {
  throw new NotImplementedError(functionName);
}

/** A user and the machine they are logged in on (lab 03). */
export interface LoggedUser {
  username: string;
  hostname: string;
}

/** One member of the cluster as lab 01 describes it. */
export interface MemberDescription {
  name: string;
  /** The member id as etcd prints it: a decimal string (it does not fit in a JS number). */
  id: string;
  clientUrls: string[];
}

export interface ClusterDescription {
  members: MemberDescription[];
  /** The *name* of the member that is leader right now. */
  leader: string;
}

/** A change to a logged user, as lab 10's watches report it. */
export interface UserEvent {
  type: 'put' | 'delete';
  username: string;
  /** The new hostname (puts only). */
  hostname?: string;
  /** The revision of the change (etcd's mod_revision), as a number. */
  revision: number;
}

/** A registration that lives as long as its owner (lab 08). */
export interface Session {
  /** Ends the session: the key disappears at once. */
  close(): Promise<void>;
}
