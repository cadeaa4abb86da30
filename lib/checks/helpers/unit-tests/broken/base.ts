/**
 * What a broken version is built on: at run time, a file `base.ts` beside the
 * copied broken version re-exports the reference (solutions/02-kv-basics.ts,
 * or in the student edition the student's own passing lab 02; see
 * ../reference.ts). This one only gives the type checker the signatures.
 */
export * from '../../../../../labs/02-kv-basics.ts';
