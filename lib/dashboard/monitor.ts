/**
 * The dashboard's heartbeat: asks every member about itself about twice a
 * second (through the operations core), keeps the last minutes of it for the
 * timeline, keeps the event log of writes and faults, and sends each open
 * page what it needs: the member table, whether they agree, and each
 * member's own copy of the keys that page follows.
 */
import { type Agreement, agreementOf } from '../reporters/member-tables.ts';
import type { ClusterOperations, MemberCopies, MemberView } from '../playground/operations.ts';

/** Between two looks at the members while a page is open; without one, the timeline is kept at a slower pace. */
export const INTERVAL_MS = 500;
const IDLE_INTERVAL_MS = 2000;
/** How far back the timeline goes. */
export const HISTORY_MS = 5 * 60_000;
const LOG_SIZE = 300;
/**
 * Each member's deadline within one look. Longer than the interval: on a busy
 * machine a member that answers late is slow, not gone (the next look then
 * starts at once).
 */
const LOOK_MS = 1000;

/** One member in one sample of the timeline (short names: 600 samples go to every page that opens). */
export interface MemberSample {
  /** up / paused / down */
  c: MemberView['condition'];
  /** Answers. */
  a: boolean;
  /** Leads. */
  l: boolean;
  /** Knows a leader (its own or another). */
  k: boolean;
  term?: number;
  index?: number;
}

export interface Sample {
  at: number;
  members: Record<string, MemberSample>;
}

export interface LogEntry {
  id: number;
  at: number;
  kind: 'write' | 'fault';
  /** What was asked: `put k = "v"`, `kill n2`. */
  title: string;
  ok?: boolean;
  /** The console's message for it. */
  text: string;
  /** Which member answered (and who did not before it). */
  aside?: string;
}

export interface Look {
  at: number;
  members: MemberView[];
  agreement: Agreement;
}

/** One open page: the keys it follows, and how to reach it. */
export interface Subscriber {
  keys: string[];
  send(event: string, data: unknown): void;
}

export class Monitor {
  readonly history: Sample[] = [];
  readonly log: LogEntry[] = [];
  latest?: Look;
  private readonly subscribers = new Set<Subscriber>();
  private stopped = false;
  private wake?: () => void;
  /** A poke that came during a look: the next look follows at once. */
  private poked = false;
  private nextId = 1;
  private running?: Promise<void>;

  constructor(private readonly ops: ClusterOperations, private readonly onError: (error: unknown) => void = () => {}) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Looks again now (or as soon as the look in progress ends): after a write or a fault, the page need not wait. */
  poke(): void {
    if (this.wake) this.wake();
    else this.poked = true;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    this.poke();
    return () => this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  record(entry: Omit<LogEntry, 'id' | 'at'>): LogEntry {
    const full = { id: this.nextId++, at: Date.now(), ...entry };
    this.log.push(full);
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
    for (const s of this.subscribers) s.send('log', full);
    return full;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const began = Date.now();
      try {
        await this.look();
      } catch (error) {
        this.onError(error);
      }
      if (this.stopped) break;
      if (this.poked) {
        this.poked = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const interval = this.subscribers.size ? INTERVAL_MS : IDLE_INTERVAL_MS;
        const timer = setTimeout(resolve, Math.max(0, interval - (Date.now() - began)));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async look(): Promise<void> {
    const keys = [...new Set([...this.subscribers].flatMap((s) => s.keys))];
    const [members, copies] = await Promise.all([this.ops.status(LOOK_MS), keys.length ? this.ops.copies(keys, LOOK_MS) : Promise.resolve([])]);
    const at = Date.now();
    this.latest = { at, members, agreement: agreementOf(members) };
    const point: Sample = { at, members: Object.fromEntries(members.map((m) => [m.name, sample(m)])) };
    this.history.push(point);
    while (this.history.length > 0 && this.history[0].at < at - HISTORY_MS) this.history.shift();
    for (const s of this.subscribers) s.send('state', { ...this.latest, sample: point, copies: only(copies, s.keys) });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.running;
  }
}

function sample(m: MemberView): MemberSample {
  return { c: m.condition, a: m.answering, l: !!m.isLeader, k: !!m.leaderName || !!m.isLeader, term: m.raftTerm ? Number(m.raftTerm) : undefined, index: m.raftIndex ? Number(m.raftIndex) : undefined };
}

/** Each member's copies of `keys` only (a page sees the keys it follows). */
function only(copies: MemberCopies[], keys: string[]): MemberCopies[] {
  if (keys.length === 0) return [];
  return copies.map((c) => (c.copies ? { member: c.member, copies: Object.fromEntries(keys.map((k) => [k, c.copies![k] ?? null])) } : c));
}
