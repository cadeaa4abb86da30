/**
 * The box a lab process runs in: what a student's code may touch on this
 * machine.
 *
 * Node's permission model (--experimental-permission, every OS Node runs on)
 * lets the lab process read only node_modules/, the compiled lab process
 * (.cache/sandbox/<hash>/) and its run's folder (.cache/jobs/<run>/, where
 * its compiled lab file is), and write only that folder. It may not start
 * processes; worker threads are allowed (the lab process's own watchdog uses
 * one) and are held by the same rules. A denied access is an error with code
 * ERR_ACCESS_DENIED in the student's code: a check reports it as "your code
 * tried to read …" (student.ts).
 *
 * Its environment is the runner's minus anything that could be a secret
 * (ETCD_PASSWORD, tokens, keys): only the variables a lab needs.
 *
 * What the box does not hold: the network (the student's etcd client is
 * what it is given: on a shared cluster, a user limited to its namespace,
 * lib/grading/), CPU and memory (the runner's per-call timeouts stop a
 * spinning function), and the permission model's own limits (it is
 * experimental in Node 20; native addons are not loaded by any lab). Set
 * WORKBOOK_NO_BOX=1 to run without it (debugging only).
 */
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../paths.ts';
import { cacheDir } from './build.ts';

/** A fresh folder for one run of a lab, under the project root (so that `import 'etcd3'` resolves). */
export function newJobFolder(): string {
  const jobs = join(cacheDir, 'jobs');
  mkdirSync(jobs, { recursive: true });
  return mkdtempSync(join(jobs, `${process.pid}-`));
}

export function boxed(): boolean {
  return process.env.WORKBOOK_NO_BOX !== '1';
}

function realNodeModules(): string {
  const folder = join(paths.root, 'node_modules');
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
}

/** Node's arguments for a lab process whose compiled code is in `runtime` and whose run's folder is `job`. */
export function boxArguments(folders: { runtime: string; job: string }): string[] {
  const common = ['--enable-source-maps'];
  if (!boxed()) return common;
  // node_modules may be a link (a shared install, pnpm): imports resolve to the real folder, so it is the one to allow.
  const modules = [...new Set([join(paths.root, 'node_modules'), realNodeModules()])];
  return [
    ...common,
    '--experimental-permission',
    ...modules.map((m) => `--allow-fs-read=${m}/*`),
    `--allow-fs-read=${folders.runtime}/*`,
    `--allow-fs-read=${folders.job}/*`,
    `--allow-fs-write=${folders.job}/*`,
    // The lab process's watchdog is a worker thread (orphan-guard.ts); workers are held by the same rules.
    '--allow-worker',
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
  ];
}

/** Variables a lab process gets from the runner's environment (lab 03 reads the user's, the checks set them per call). */
const PASSED = /^(PATH|HOME|LANG|LC_\w+|TZ|TMPDIR|USER|LOGNAME|LNAME|USERNAME|HOSTNAME|__STRYKER_ACTIVE_MUTANT__|STRYKER_MUTATOR_WORKER|DEBUG)$/;

export function labEnvironment(from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1', FORCE_COLOR: '0' };
  for (const [name, value] of Object.entries(from)) if (PASSED.test(name) && value !== undefined) env[name] = value;
  return env;
}
