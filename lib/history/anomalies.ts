/**
 * Direct checks for the list store, run before the search: each names a
 * well-known anomaly in plain words, with the operations involved.
 *
 * They rest on the harness writing every value once (each PUT and APPEND
 * carries a value no other operation writes), so an element in a list points
 * at the one operation that put it there. A value written more than once is
 * left to the search. Every check is sound: it only fires on histories no
 * order could explain, so the search reaches the same verdict; the anomaly
 * just says *what* went wrong in terms a student knows.
 *
 * - duplicate-append: a GET holds an element twice that was appended once
 *   (a retry applied twice);
 * - garbage-read: a GET holds an element no operation wrote to this key;
 * - failed-but-applied: a GET holds an element whose write was answered
 *   `fail` ("not applied", but it was);
 * - lost-update: an acknowledged write is missing from a GET that began
 *   after it returned and must show it, and no GET that began after it
 *   returned shows it (the update was lost, or "ok" came before the commit);
 * - stale-read: a GET misses an element whose write had returned ok before
 *   the GET began, while a GET that began after that return does show it
 *   (or the GET misses other elements so: one stale GET, not many losses).
 *
 * "Must contain" is careful about PUT, which replaces the list: a GET that
 * began after a write returned must show the write's element unless a PUT
 * came between them, and that PUT can only be the last one before the GET,
 * the one whose value its list starts with (a list that starts with an
 * appended element had no PUT before it at all). So the element may be
 * missing only when that PUT may have come after the write.
 */
import type { Anomaly } from './anomaly.ts';
import type { Part } from './model.ts';
import type { ListInput, ListOutput } from './models/list-operations.ts';
import type { Operation } from './operation.ts';

type ListOp = Operation<ListInput, ListOutput>;
type Read = { op: ListOp; values: ListOutput; set: Set<string> };

export function findListAnomalies(part: Part<ListInput, ListOutput>, history: readonly Operation[] = part.operations): Anomaly[] {
  const { key } = part;
  const writers = new Map<string, ListOp[]>();
  const reads: Read[] = [];
  for (const op of part.operations) {
    if (op.input.op !== 'GET') {
      const list = writers.get(op.input.value);
      if (list) list.push(op);
      else writers.set(op.input.value, [op]);
    } else if (op.outcome === 'ok' && op.output) {
      reads.push({ op, values: op.output, set: new Set(op.output) });
    }
  }
  const onlyWriter = (value: string) => {
    const list = writers.get(value);
    return list?.length === 1 ? list[0] : undefined;
  };
  const anomalies: Anomaly[] = [];
  const reported = new Set<string>();
  const once = (id: string, make: () => Anomaly) => {
    if (reported.has(id)) return;
    reported.add(id);
    anomalies.push(make());
  };

  for (const read of reads) {
    const counts = new Map<string, number>();
    for (const v of read.values) counts.set(v, (counts.get(v) ?? 0) + 1);
    for (const [value, count] of counts) {
      const writer = onlyWriter(value);
      if (!writers.has(value)) {
        once(`garbage ${value}`, () => garbage(key, read, value, history));
      } else if (writer?.outcome === 'fail') {
        once(`failed ${value}`, () => ({
          kind: 'failed-but-applied',
          key,
          text: `${name(writer)} was answered fail ("not applied"), but ${name(read.op)} shows ${value}: it was applied`,
          operations: [writer.id, read.op.id],
          at: read.op.call,
        }));
      }
      if (count > 1 && writer) {
        once(`duplicate ${value}`, () => ({
          kind: 'duplicate-append',
          key,
          text: `${name(read.op)} holds ${value} ${times(count)}, but ${value} was ${writer.input.op === 'PUT' ? 'written' : 'appended'} once (${name(writer)}): it was applied ${times(count)} (a retry applied again?)`,
          operations: [writer.id, read.op.id],
          at: read.op.call,
        }));
      }
    }
  }

  // The PUT that may have wiped an element before a GET can only be the last PUT before it: the one whose value the GET's list starts with.
  const lastPut = (read: Read): ListOp | undefined => {
    const writer = read.values.length ? onlyWriter(read.values[0]) : undefined;
    return writer?.input.op === 'PUT' ? writer : undefined;
  };
  const stale = new Map<Read, ListOp[]>();
  const addStale = (read: Read, writer: ListOp) => stale.set(read, [...(stale.get(read) ?? []), writer]);
  // Missed by one GET only and seen by none after it: a lost update, unless that GET is stale anyway.
  const missedOnce: { writer: ListOp; read: Read }[] = [];
  const lost = (writer: ListOp, missing: Read[]): Anomaly => ({
    kind: 'lost-update',
    key,
    text: `${name(writer)} returned ok, but no GET that began after it shows ${elementOf(writer)}, though ${missing.length === 1 ? `${name(missing[0].op)} had to` : `${missing.length} had to, the first ${name(missing[0].op)}`}: the update was lost, or "ok" was answered before it was committed`,
    operations: [writer.id, ...missing.slice(0, 5).map((r) => r.op.id)],
    at: writer.return!,
  });
  for (const [value, list] of writers) {
    const writer = list.length === 1 ? list[0] : undefined;
    if (!writer || writer.outcome !== 'ok') continue;
    const after = reads.filter((r) => r.op.call > writer.return!);
    const missing = after.filter((r) => {
      if (r.set.has(value) || (r.values.length && !writers.has(r.values[0]))) return false;
      const put = lastPut(r);
      return !put || put === writer || (put.return ?? Infinity) < writer.call;
    });
    if (!missing.length) continue;
    if (after.some((r) => r.set.has(value))) for (const r of missing) addStale(r, writer);
    else if (missing.length === 1) missedOnce.push({ writer, read: missing[0] });
    else anomalies.push(lost(writer, missing));
  }
  for (const { writer, read } of missedOnce) {
    if (stale.has(read)) addStale(read, writer);
    else anomalies.push(lost(writer, [read]));
  }
  for (const [read, missed] of stale) {
    const first = missed[0];
    anomalies.push({
      kind: 'stale-read',
      key,
      text: `${name(read.op)} is stale: it misses ${some(missed.map(elementOf))}, though ${missed.length === 1 ? name(first) : `${name(first)} and ${missed.length - 1} more`} returned ok before the GET began`,
      operations: [...missed.slice(0, 5).map((w) => w.id), read.op.id],
      at: read.op.call,
    });
  }
  return anomalies;
}

function garbage(key: string, read: Read, value: string, history: readonly Operation[]): Anomaly {
  const elsewhere = history.find((o) => o.key !== key && (o.input as Partial<{ value: unknown }>)?.value === value);
  return {
    kind: 'garbage-read',
    key,
    text: `${name(read.op)} shows ${value}, which no operation wrote to key ${key}${elsewhere ? ` (it was written to key ${elsewhere.key} by operation ${elsewhere.id}: keys mixed up?)` : ''}`,
    operations: elsewhere ? [elsewhere.id, read.op.id] : [read.op.id],
    at: read.op.call,
  };
}

const times = (count: number): string => (count === 2 ? 'twice' : `${count} times`);

const elementOf = (op: ListOp): string => (op.input as { value: string }).value;

/** An operation as the one-line texts name it: `GET → [x1, x3] (operation 17, client c2)`. */
function name(op: ListOp): string {
  const what = op.input.op === 'GET' ? `GET → ${brief(op.output ?? [])}` : `${op.input.op} ${op.input.value}`;
  return `${what} (operation ${op.id}, client ${op.client})`;
}

/** A list short enough for one line. */
function brief(values: readonly string[]): string {
  if (values.length <= 8) return `[${values.join(', ')}]`;
  return `[${values.slice(0, 3).join(', ')}, … ${values.length - 6} more …, ${values.slice(-3).join(', ')}]`;
}

function some(values: readonly string[]): string {
  return values.length <= 4 ? values.join(', ') : `${values.slice(0, 3).join(', ')} and ${values.length - 3} more`;
}
