/**
 * What lab 16's clients did and saw in one phase: a history for the checker
 * (lib/history: operations with call and return on one clock, outcomes ok /
 * fail / unknown), the events on the same clock (kills, the partition, the
 * heal, restarts, leader changes), and what the history cannot hold: requests
 * that never got an answer, answers that break the protocol.
 *
 * Times are ms of the runner's `performance.now()`, counted from the start of
 * the scenario, so that every phase and every event share one clock.
 */
import { writeFileSync } from 'node:fs';
import type { EventKind, HistoryEvent, Operation } from '../../../history/index.ts';
import type { ListInput, ListOutput } from '../../../history/models/list-operations.ts';
import { type Reply, type Sent, describeReply } from './http.ts';

/** One HTTP request of an operation: which member's service, when, and what came back. */
export interface Attempt {
  service: string;
  sentAt: number;
  at: number;
  reply: string;
}

export type KvOperation = Operation<ListInput, ListOutput> & {
  /** The member whose service answered (ok or fail), for messages. */
  via?: string;
  attempts: Attempt[];
};

/** A request that got no answer at all within the hang limit. */
export interface Hang {
  request: string;
  service: string;
  sentAt: number;
}

/** An answer that breaks the contract (a 200 GET without a list, a 400 to a valid write). */
export interface ProtocolProblem {
  request: string;
  service: string;
  reply: string;
  expected: string;
}

export class Recorder {
  readonly operations: KvOperation[] = [];
  readonly events: HistoryEvent[] = [];
  readonly hangs: Hang[] = [];
  readonly problems: ProtocolProblem[] = [];
  private readonly pending = new Set<Promise<void>>();
  private nextId = 1;

  constructor(
    /** performance.now() at the start of the scenario: time 0 of every phase. */
    readonly origin: number,
    readonly hangMs: number,
  ) {}

  /** A time on the scenario's clock (ms, two decimals). */
  time(at = performance.now()): number {
    return Math.round((at - this.origin) * 100) / 100;
  }

  id(): number {
    return this.nextId++;
  }

  add(op: KvOperation): KvOperation {
    this.operations.push(op);
    return op;
  }

  event(kind: EventKind, text: string, at = performance.now()): void {
    this.events.push({ at: this.time(at), kind, text });
  }

  /** Keeps an eye on a request until its final answer: one that never comes is a hang. */
  track(sent: Sent, request: string, service: string): void {
    const watched = sent.final.then((reply: Reply) => {
      if (reply.kind === 'timeout') this.hangs.push({ request, service, sentAt: this.time(reply.sentAt) });
    });
    this.pending.add(watched);
    void watched.finally(() => this.pending.delete(watched));
  }

  problem(problem: ProtocolProblem): void {
    if (this.problems.length < 50) this.problems.push(problem);
  }

  attempt(service: string, reply: Reply): Attempt {
    return { service, sentAt: this.time(reply.sentAt), at: this.time(reply.at), reply: describeReply(reply) };
  }

  /** Resolves once every request sent has its final answer (or has hung for the hang limit). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** The history file `npm run check-history` reads (lib/history/README.md), with the attempts as extra fields. */
  write(file: string, extra: Record<string, unknown> = {}): void {
    const events = [...this.events].sort((a, b) => a.at - b.at);
    writeFileSync(file, `${JSON.stringify({ model: 'list-store', ...extra, operations: this.operations, events }, null, 1)}\n`);
  }
}
