/**
 * `npm run class -- <action>` (instructors): the secured class cluster.
 *
 *   start                       start it (etcd_config/secure*.yaml), auth on, class/root.json
 *   setup --students names.txt  one user per student, limited to /students/<name>/; class/<name>.json
 *   status                      its members, and per student: the lab running now, the last run, their own keys
 *   stop                        stop it (data kept)
 *   reset                       stop it and delete its data and class/ files
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { classActivity } from '../class/activity.ts';
import { startClassCluster } from '../class/start.ts';
import { readStudentNames, setupStudents } from '../class/students.ts';
import type { LastRun } from '../runner/records.ts';
import { clusterStatus, memberList } from '../cluster/inspect.ts';
import { memberTable } from '../reporters/member-tables.ts';
import { table } from '../terminal/table.ts';
import { outcomeMark } from '../reporters/lab-report.ts';
import { LocalCluster } from '../cluster/cluster.ts';
import { UsageError } from '../errors.ts';
import { paths, shown } from '../paths.ts';
import { readConnectionFile } from '../connection/file.ts';
import { command, parseArgv } from './arg-parsers.ts';
import { confirm } from './confirm.ts';
import { runCli } from './main.ts';
import { style } from '../terminal/style.ts';

/** Root's connection: the file given, or the one `start` wrote (which must exist). */
function rootConnection(given: string | undefined, written: string) {
  if (!given && !existsSync(written)) {
    throw new UsageError(`there is no ${shown(written)}: the class cluster was not started from this checkout`, 'npm run class -- start (or give root\'s connection file of another cluster with --connection)');
  }
  return readConnectionFile(given ?? written);
}

/** "lab 07 ✔ 3/3 at 12:41:05" (UTC, as etcd and the logs have it). */
function lastRun(run: LastRun | undefined): string {
  if (!run) return style.dim('none yet');
  return `lab ${run.lab} ${outcomeMark(run.outcome)} ${run.passed}/${run.total} at ${run.at.slice(11, 19)} UTC`;
}

await runCli(async () => {
  const program = command('class', 'Run a secured etcd cluster a class shares, and give each student a user of their own')
    .argument('<action>', 'start | setup | status | stop | reset')
    .option('--students <file>', 'setup: a text file with one student name per line')
    .option('--connection <file>', 'setup, status: root\'s connection file (default: class/root.json, written by start)')
    .option('-y, --yes', 'reset without asking', false);
  parseArgv(program, process.argv.slice(2), 'usage: npm run class -- start | setup --students names.txt | status | stop | reset');
  const action = program.args[0];
  const o = program.opts<{ students?: string; connection?: string; yes: boolean }>();
  const cluster = LocalCluster.secure();
  const rootFile = join(paths.classFiles, 'root.json');

  switch (action) {
    case 'start': {
      const started = await startClassCluster({ cluster });
      console.log(`${style.green('✔')} the class cluster is up at ${started.endpoints.join(', ')} (mutual TLS, authentication on).`);
      if (started.authEnabled) console.log(`  Turned authentication on; root's connection file is ${shown(started.rootFile)} (keep it to yourself).`);
      console.log(style.dim(`Next: npm run class -- setup --students names.txt`));
      return 0;
    }
    case 'setup': {
      if (!o.students) throw new UsageError('setup needs the list of students', 'npm run class -- setup --students names.txt (one name per line)');
      const names = readStudentNames(o.students);
      const admin = rootConnection(o.connection, rootFile);
      const accounts = await setupStudents(admin.connection, names, { adminSource: admin.source });
      for (const a of accounts) {
        console.log(`${style.green('✔')} ${a.name}: may use ${a.namespace} only → ${shown(a.file)}${a.kept ? style.dim(' (password kept)') : ''}${a.certificate ? '' : style.dim(' (no client certificate: the cluster\'s CA is not certs/ca.crt)')}`);
      }
      console.log(`\nGive each student their file. They save it as ${style.bold('etcd-connection.json')} in their checkout, and every ${style.bold('npm run lab N')} then runs on the class cluster, inside their namespace.`);
      return 0;
    }
    case 'status': {
      const admin = rootConnection(o.connection, rootFile);
      const statuses = await clusterStatus(admin.connection, 2000);
      if (!statuses.some((s) => s.up)) {
        const { connectionProblem } = await import('../connection/problem.ts');
        throw await connectionProblem({ connection: admin.connection, source: admin.source, error: statuses[0]?.error ?? 'no endpoints' });
      }
      const names = await memberList(admin.connection).catch(() => []);
      console.log(memberTable(statuses.map((status) => ({ name: names.find((m) => m.clientUrls.includes(status.endpoint))?.name ?? status.endpoint, status }))));
      const students = await classActivity(admin.connection);
      if (students.length === 0) {
        console.log(style.dim('\nNo students yet: npm run class -- setup --students names.txt'));
        return 0;
      }
      const rows = [['student', 'namespace', 'running now', 'last run', 'own keys'].map(style.bold)];
      for (const s of students) rows.push([s.name, s.namespace, s.running.length ? style.green(s.running.map((l) => `lab ${l}`).join(', ')) : '-', lastRun(s.lastRun), String(s.keys)]);
      console.log(`\n${table(rows)}`);
      return 0;
    }
    case 'stop': {
      const stopped = await cluster.stop();
      console.log(stopped.length ? `${style.green('✔')} stopped ${stopped.join(', ')} (data kept; \`npm run class -- start\` brings it back).` : 'The class cluster was not running.');
      return 0;
    }
    case 'reset': {
      if (!o.yes && !(await confirm('Delete the class cluster\'s data, its users, and every connection file in class/?', '`npm run class -- reset`'))) return 1;
      await cluster.reset();
      rmSync(paths.classFiles, { recursive: true, force: true });
      console.log(`${style.green('✔')} the class cluster's data and class/ are gone.`);
      return 0;
    }
    default:
      throw new UsageError(`unknown action "${action}"`, 'use start, setup, status, stop or reset');
  }
});
