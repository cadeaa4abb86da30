/**
 * Which requests a harness-built client sent to etcd. Every unary call of an
 * etcd3 client goes through its connection pool's exec(); the lab process
 * notes each one, so a check can ask "how many round trips did that take?"
 * (lab 06: a compare-and-swap is one transaction, not a get and a put).
 */
import type { Etcd3, Namespace } from 'etcd3';

const logs = new WeakMap<object, string[]>();

type Exec = (service: string, method: string, ...rest: unknown[]) => Promise<unknown>;

export function logRpcs(root: Etcd3, view: Namespace): void {
  const log: string[] = [];
  logs.set(view, log);
  const pool = (root as unknown as { pool: { exec: Exec } }).pool;
  const exec = pool.exec.bind(pool);
  pool.exec = (service, method, ...rest) => {
    log.push(`${service}.${method}`);
    return exec(service, method, ...rest);
  };
}

/** The requests `view` sent since the last call ("KV.range", "KV.txn", ...); clears the log. */
export function takeRpcs(view: object): string[] {
  const log = logs.get(view);
  return log ? log.splice(0) : [];
}
