/**
 * Which operations of a long part the report draws: a window of about 40
 * around the operation that could not be placed (more before it than after:
 * what led there matters more), so the bars stay readable. The report says
 * how many it left out on each side.
 */
import type { Operation } from '../operation.ts';

export type OperationWindow = { operations: Operation[]; leftOutBefore: number; leftOutAfter: number };

export const WINDOW_SIZE = 40;

export function windowAround(operations: readonly Operation[], focus: Operation | undefined, size = WINDOW_SIZE): OperationWindow {
  const sorted = [...operations].sort((a, b) => a.call - b.call || a.id - b.id);
  if (sorted.length <= size) return { operations: sorted, leftOutBefore: 0, leftOutAfter: 0 };
  const at = focus ? Math.max(0, sorted.indexOf(focus)) : sorted.length - 1;
  const after = Math.floor(size / 4);
  let start = Math.max(0, at - (size - after - 1));
  const end = Math.min(sorted.length, start + size);
  start = Math.max(0, end - size);
  return { operations: sorted.slice(start, end), leftOutBefore: start, leftOutAfter: sorted.length - end };
}
