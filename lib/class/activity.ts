/**
 * What the students of a class cluster are doing (`npm run class -- status`):
 * per student, the lab running now (its claim), the last run, and their own keys.
 */
import { prefixOwnerRole } from '../cluster/auth.ts';
import { openClient } from '../connection/client.ts';
import type { Connection } from '../connection/connection.ts';
import { CLAIMS_PREFIX, LAST_RUN_KEY, type LastRun, WORKBOOK_PREFIX, parseClaim, parseLastRun } from '../runner/records.ts';
import { STUDENTS_PREFIX } from './students.ts';

export interface StudentActivity {
  name: string;
  namespace: string;
  /** The student's own keys in the namespace (the workbook's records not counted). */
  keys: number;
  /** The student's most recent run, if any. */
  lastRun?: LastRun;
  /** Labs the student is running at this moment (their runs' claims). */
  running: string[];
}

/** The students of a class cluster (users with a namespace of their own) and what is in their namespaces. */
export async function classActivity(admin: Connection): Promise<StudentActivity[]> {
  const client = openClient(admin, { deadlineMs: 5000 });
  try {
    // Students are the users `setupStudents` made: each holds the role prefix-owner:<name>.
    const users = (await client.getUsers()).map((u) => u.name).filter((n) => n !== 'root').sort();
    const roles = await Promise.all(users.map((name) => client.user(name).roles()));
    const students = users.filter((name, i) => roles[i].some((r) => r.name === prefixOwnerRole(name)));
    return await Promise.all(students.map(async (name): Promise<StudentActivity> => {
      const namespace = `${STUDENTS_PREFIX}${name}/`;
      const kv = client.namespace(namespace);
      const [keys, records, claims, last] = await Promise.all([
        kv.getAll().count(),
        kv.getAll().prefix(WORKBOOK_PREFIX).count(),
        kv.getAll().prefix(CLAIMS_PREFIX).strings(),
        kv.get(LAST_RUN_KEY).string(),
      ]);
      const running = [...new Set(Object.values(claims).map((c) => parseClaim(c)?.lab ?? '?'))];
      return { name, namespace, keys: keys - records, lastRun: last ? parseLastRun(last) : undefined, running };
    }));
  } finally {
    client.close();
  }
}
