/**
 * What a check gets to work with, and what a lab's checks module exports.
 *
 * A checks module (lib/checks/NN-slug.ts) maps each check id of the catalog
 * to a function. The function throws CheckFailure (via `expect`) to fail,
 * CheckSkipped when it cannot run here, and returns to pass.
 */
import type { Etcd3, Namespace } from 'etcd3';
import type { CheckEntry, LabEntry } from '../catalog.ts';
import type { LocalCluster } from '../cluster/cluster.ts';
import type { Connection } from '../connection/connection.ts';
import type { ClientArg, ClientRecipe } from '../sandbox/protocol.ts';
import type { Random } from './random.ts';
import type { StudentCode } from './student.ts';

/** The cluster a run talks to (endpoints, and TLS and a user for a secured one). */
export interface Target extends Connection {
  /** Prefix of every key of this run ('' for none): students sharing a cluster each get their own. */
  namespace: string;
  /** Present when the workbook manages the cluster (it may move leaders, kill members, ...). */
  cluster?: LocalCluster;
  /**
   * What the student's code connects with, when it is narrower than the
   * runner's own credentials (grading: a user per submission, limited to its
   * namespace, while the runner is root). Absent: the same as the runner's.
   */
  student?: Pick<Connection, 'auth' | 'tls'>;
}

export interface CheckContext {
  lab: LabEntry;
  check: CheckEntry;
  seed: number;
  /** This check's own random stream (seeded). */
  rng: Random;
  student: StudentCode;
  /** The runner's trusted client, inside the run's namespace: the checker's source of truth. */
  kv: Namespace;
  /** The runner's trusted client without namespace: only for cluster-wide questions (leases, status). */
  etcd: Etcd3;
  target: Target;
  /** The client argument a student's function receives (built in the lab process from this recipe). */
  client(overrides?: Partial<ClientRecipe>): ClientArg;
  /**
   * A client argument for other members than the run's (a cluster the check
   * started, a port nobody listens on): no namespace, no user, no deadline
   * unless given.
   */
  clientFor(hosts: string[], settings?: Pick<ClientRecipe, 'label' | 'deadlineMs' | 'tls' | 'auth'>): ClientArg;
  /** How the student's code reaches the run's cluster (its user, never the runner's): lab 12's test runs. */
  studentConnection(): Connection;
  /**
   * Another lab process running the same file: its own clients, its own fate
   * (a check may SIGKILL it to play a crashed client). Stopped after the check.
   */
  spawn(): StudentCode;
  /**
   * Work done once per lab run and shared by its checks (lab 12 runs the
   * student's tests once, then each check reads its part): the first call
   * with `key` starts `work`, later ones get the same promise.
   */
  once<T>(key: string, work: () => Promise<T>): Promise<T>;
  /**
   * Registers a secret of this run (a password) and returns it: the runner
   * blanks it out of every message, note and piece of student output it shows.
   */
  secret<T extends string | undefined>(value: T): T;
  /** Work to do when the lab run ends, whatever happened (stopping a cluster a check started). */
  atEnd(cleanup: () => Promise<void> | void): void;
  /** A line shown under the check in the task list (timings, measured figures). */
  note(text: string): void;
  /** Per-call timeout of this check, in ms. */
  timeoutMs: number;
  /**
   * The run's folder: the one place the student's code may write (the lab
   * process's box, lib/sandbox/box.ts), e.g. a snapshot file. Removed after the run.
   */
  scratch: string;
}

export type CheckFn = (ctx: CheckContext) => Promise<void>;

/** A lab's checks, keyed by the ids in lib/catalog.yaml. */
export type LabChecks = Record<string, CheckFn>;
