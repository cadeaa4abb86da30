/**
 * `npm run class -- <action>` (instructors): the secured class cluster.
 *
 *   start [--host h[,h,h]]      start it (etcd_config/secure*.yaml; --host: served there), auth on, class/root.json
 *   bundle --host a,b,c --out d what each host of a three-host cluster needs: its member's config, certificates, a start script
 *   setup --students names.txt  one user per student, limited to /students/<name>/; class/<name>.json
 *   status                      its members, and per student: the lab running now, the last run, their own keys
 *   stop                        stop it (data kept)
 *   reset                       stop it and delete its data and class/ files
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { classActivity } from '../class/activity.ts';
import { startClassCluster } from '../class/start.ts';
import { writeBundles } from '../class/bundle.ts';
import { classCluster, configureHosts, configuredHosts, isThisMachine } from '../class/hosts.ts';
import { readStudentNames, setupStudents } from '../class/students.ts';
import type { LastRun } from '../runner/records.ts';
import { clusterStatus, memberList } from '../cluster/inspect.ts';
import { memberTable } from '../reporters/member-tables.ts';
import { table } from '../terminal/table.ts';
import { outcomeMark } from '../reporters/lab-report.ts';
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
    .argument('<action>', 'start | setup | status | stop | reset | bundle')
    .option('--host <hosts>', 'start, bundle: serve the cluster there: one host (every member), or three (one member each), comma-separated')
    .option('--out <dir>', 'bundle: where to write one folder per host')
    .option('--students <file>', 'setup: a text file with one student name per line')
    .option('--connection <file>', 'setup, status: root\'s connection file (default: class/root.json, written by start)')
    .option('-y, --yes', 'reset without asking', false);
  parseArgv(program, process.argv.slice(2), 'usage: npm run class -- start [--host h] | setup --students names.txt | status | stop | reset | bundle --host a,b,c --out dir');
  const action = program.args[0];
  const o = program.opts<{ students?: string; connection?: string; yes: boolean; host?: string; out?: string }>();
  const hosts = o.host?.split(',').map((h) => h.trim()).filter(Boolean);
  if (hosts && action !== 'start' && action !== 'bundle') throw new UsageError(`--host is for start and bundle, not ${action}`, `npm run class -- ${action}`);
  const members = hosts && action === 'start' ? configureHosts(hosts) : undefined;
  const cluster = classCluster();
  const rootFile = join(paths.classFiles, 'root.json');

  switch (action) {
    case 'start': {
      const local = members?.filter((m) => isThisMachine(m.host)).map((m) => m.name);
      if (members && local!.length === 0) throw new UsageError(`none of ${hosts!.join(', ')} is this machine`, 'run start on one of the hosts (with --host naming all of them), or `npm run class -- bundle` for the others');
      const started = await startClassCluster({ cluster, serverHosts: hosts ?? configuredHosts(), only: local, log: (line) => console.log(style.dim(line)) });
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
    case 'bundle': {
      if (!hosts || !o.out) throw new UsageError('bundle needs the hosts and a folder', 'npm run class -- bundle --host a,b,c --out bundles/');
      const written = await writeBundles(hosts, resolve(o.out));
      for (const w of written) console.log(`${style.green('✔')} ${w.host}: ${shown(w.dir)} (${w.member}; on that host: ${style.bold('sh start.sh')})`);
      console.log(`
Copy each folder to its host and start it there (etcd 3.4+ on the PATH), then on this machine: ${style.bold(`npm run class -- start --host ${hosts.join(',')}`)} (it starts the members of this machine, waits for the others, turns authentication on and writes class/root.json).`);
      return 0;
    }
    default:
      throw new UsageError(`unknown action "${action}"`, 'use start, setup, status, stop, reset or bundle');
  }
});
