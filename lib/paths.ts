/**
 * Where things live. Every path the workbook uses is derived here from the
 * project root, so nothing depends on the directory a command was started in.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.ts';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const paths = {
  root: projectRoot,
  labs: join(projectRoot, 'labs'),
  solutions: join(projectRoot, 'solutions'),
  /** Pristine copies of the stubs in labs/, for `npm run reset` (works without git). */
  stubs: join(projectRoot, 'lib', 'stubs'),
  catalog: join(projectRoot, 'lib', 'catalog.yaml'),
  etcdConfig: join(projectRoot, 'etcd_config'),
  /** State of the default local cluster: pids, logs (data dirs come from the YAML files). */
  clusterState: join(projectRoot, '.cluster'),
  /** Project-local etcd install (npm run setup when the system has none). */
  etcdInstall: join(projectRoot, '.etcd'),
  /** Progress and hint state of this checkout. */
  workbookState: join(projectRoot, '.workbook'),
  labGuide: join(projectRoot, 'LAB.md'),
  /** Connection files of the class cluster (npm run class): passwords, never committed. */
  classFiles: join(projectRoot, 'class'),
  /** The TLS certificates (npm run certs). */
  certs: join(projectRoot, 'certs'),
};

/** A path as the user should read it: relative to the project root when inside it. */
export function shown(path: string): string {
  const abs = resolve(path);
  return abs.startsWith(projectRoot + '/') ? abs.slice(projectRoot.length + 1) : abs;
}

/**
 * The folder whose lab files a run uses: another folder (a submission being
 * graded, resolved against the current directory), the reference solutions,
 * or the student's own labs/.
 */
export function labsFolder(options: { labsDir?: string; solution?: boolean }): string {
  if (options.labsDir) return resolve(options.labsDir);
  if (options.solution && !existsSync(paths.solutions)) throw new UsageError('this copy of the workbook has no solutions/ (the student edition)', 'run your own lab file: leave out --solution');
  return options.solution ? paths.solutions : paths.labs;
}
