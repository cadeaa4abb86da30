/**
 * Lab 12's reference implementation of lab 02: the reference solution where
 * the checkout has one (the instructor's), else, in the student edition that
 * ships no solutions, the student's own lab 02 beside the lab 12 file. The
 * broken versions are built on the same base (broken/base.ts), so a student
 * whose lab 02 passes its checks gets the same lab 12 as with the solution.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { paths } from '../../../paths.ts';

export interface Reference {
  file: string;
  /** true: the student's own lab 02 (no solutions in this checkout). */
  own: boolean;
}

export function lab02Reference(labFile: string): Reference {
  const solution = join(paths.solutions, '02-kv-basics.ts');
  if (existsSync(solution)) return { file: solution, own: false };
  return { file: join(dirname(labFile), '02-kv-basics.ts'), own: true };
}
