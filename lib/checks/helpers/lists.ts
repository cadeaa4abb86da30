/** Lists in messages: cut to a few items, saying that they are cut and how many are left out. */
import { show } from '../../runner/failure.ts';

/** `"a", "b", "c"`, or `"a", "b", "c" … and 14 more (17 in all)` when there are more than `max`. */
export function listed(items: readonly unknown[], max = 6): string {
  const head = items.slice(0, max).map((item) => show(item, 80)).join(', ');
  return items.length > max ? `${head} … and ${items.length - max} more (${items.length} in all)` : head;
}

/** The first `max` entries of a record, plus a note of how many are left out. */
export function firstEntries<T>(record: Record<string, T>, max = 4): Record<string, T | string> {
  const entries = Object.entries(record);
  const head: Record<string, T | string> = Object.fromEntries(entries.slice(0, max));
  if (entries.length > max) head['…'] = `and ${entries.length - max} more (${entries.length} in all)`;
  return head;
}
