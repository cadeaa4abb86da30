/**
 * The state of the network between members: which directed links are cut
 * (and how), and which are slowed down. The peer proxies consult it for every
 * request and every chunk; changing it tells them to drop what is now cut.
 */
export type CutMode = 'refuse' | 'blackhole';

/** "n1>n2": messages from n1 to n2. */
type LinkKey = `${string}>${string}`;
const key = (from: string, to: string): LinkKey => `${from}>${to}`;

export class Links {
  private readonly cuts = new Map<LinkKey, CutMode>();
  private readonly delays = new Map<LinkKey, number>();
  private readonly listeners = new Set<() => void>();

  constructor(readonly members: readonly string[]) {}

  private check(name: string): void {
    if (!this.members.includes(name)) throw new Error(`no member named ${name} (members: ${this.members.join(', ')})`);
  }

  /** Cuts messages from `from` to `to` (and back, unless oneWay). */
  cut(from: string, to: string, options: { oneWay?: boolean; mode?: CutMode } = {}): void {
    this.check(from);
    this.check(to);
    if (from === to) throw new Error(`cannot cut ${from} from itself`);
    this.cuts.set(key(from, to), options.mode ?? 'refuse');
    if (!options.oneWay) this.cuts.set(key(to, from), options.mode ?? 'refuse');
    this.changed();
  }

  /** Every member of a group can reach the others of its group, and nobody outside it. Members not named form one more group. */
  partition(groups: string[][], mode: CutMode = 'refuse'): void {
    groups.flat().forEach((m) => this.check(m));
    const named = new Set(groups.flat());
    if (named.size !== groups.flat().length) throw new Error('a member is in two groups');
    const rest = this.members.filter((m) => !named.has(m));
    const all = rest.length ? [...groups, rest] : groups;
    const groupOf = new Map(all.flatMap((g, i) => g.map((m) => [m, i] as const)));
    for (const a of this.members) {
      for (const b of this.members) {
        if (a !== b && groupOf.get(a) !== groupOf.get(b)) this.cuts.set(key(a, b), mode);
      }
    }
    this.changed();
  }

  isolate(name: string, mode: CutMode = 'refuse'): void {
    this.partition([[name]], mode);
  }

  /** Every message between `a` and `b` (both ways) waits `ms` first. */
  delay(a: string, b: string, ms: number): void {
    this.check(a);
    this.check(b);
    this.delays.set(key(a, b), ms);
    this.delays.set(key(b, a), ms);
    this.changed();
  }

  /** No cuts, no delays. */
  heal(): void {
    this.cuts.clear();
    this.delays.clear();
    this.changed();
  }

  cutMode(from: string, to: string): CutMode | undefined {
    return this.cuts.get(key(from, to));
  }

  delayMs(from: string, to: string): number {
    return this.delays.get(key(from, to)) ?? 0;
  }

  /** Members `name` can neither send to nor hear from. */
  isolatedFrom(name: string): string[] {
    return this.members.filter((m) => m !== name && this.cuts.has(key(name, m)) && this.cuts.has(key(m, name)));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.listeners.forEach((l) => l());
  }
}
