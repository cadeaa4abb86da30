/** `npm run cluster -- start|stop|status|reset [--yes]`: the local classroom cluster. */
import { hostname } from 'node:os';
import { LocalCluster } from '../cluster/cluster.ts';
import { withClient } from '../connection/client.ts';
import { activeClaims } from '../runner/claim.ts';
import type { Claim } from '../runner/records.ts';
import { clusterStatus } from '../cluster/inspect.ts';
import { memberTable } from '../reporters/member-tables.ts';
import { UsageError } from '../errors.ts';
import { etcdVersion, requireEtcd } from '../etcd/binaries.ts';
import { shown } from '../paths.ts';
import { command, parseArgv } from './arg-parsers.ts';
import { confirm } from './confirm.ts';
import { runCli } from './main.ts';
import { style } from '../terminal/style.ts';


/** The runs that hold claims on the cluster (nothing when it does not answer). */
async function runsUsing(cluster: LocalCluster): Promise<Claim[]> {
  if (!(await clusterStatus(cluster.endpoints, 500)).some((s) => s.up)) return [];
  return withClient(cluster.endpoints, { deadlineMs: 2000 }, activeClaims).catch(() => []);
}

async function status(cluster: LocalCluster): Promise<number> {
  const states = cluster.memberStates();
  const statuses = await clusterStatus(cluster.endpoints);
  console.log(memberTable(cluster.members.map((m, i) => ({ name: m.name, status: statuses[i], process: states[m.name].state }))));
  for (const m of cluster.members) {
    if (states[m.name].state === 'crashed') console.log(style.red(`${m.name} exited without \`npm run cluster -- stop\`: see ${shown(cluster.logFile(m.name))}; \`npm run cluster -- start\` restarts it.`));
  }
  const up = statuses.filter((s) => s.up).length;
  if (up === 0) console.log(style.dim('The cluster is stopped. `npm run cluster -- start` (or any `npm run lab N`) starts it.'));
  return 0;
}

await runCli(async () => {
  const program = command('cluster', 'Manage the local 3-member etcd cluster described by etcd_config/')
    .argument('<action>', 'start | stop | status | reset')
    .option('-y, --yes', 'reset, or stop while a run uses the cluster, without asking', false);
  parseArgv(program, process.argv.slice(2), 'usage: npm run cluster -- start|stop|status|reset [--yes]');
  const [action] = program.args;
  const { yes } = program.opts<{ yes: boolean }>();
  const cluster = LocalCluster.classroom();
  switch (action) {
    case 'start': {
      const etcd = requireEtcd();
      const report = await cluster.start();
      const how = report.started.length === 0 ? 'already running' : `started ${report.started.join(', ')} in ${(report.ms / 1000).toFixed(1)} s`;
      console.log(`etcd ${await etcdVersion(etcd.etcd)} cluster ${how}: ${cluster.endpoints.join(', ')}`);
      for (const name of report.recovered) console.log(style.yellow(`${name} had exited unexpectedly (see ${shown(cluster.logFile(name))}); restarted.`));
      return 0;
    }
    case 'stop': {
      const runs = await runsUsing(cluster);
      if (runs.length && !yes) {
        const who = runs.map((r) => `lab ${r.lab} (pid ${r.pid}${r.host === hostname() ? '' : ` on ${r.host}`})`).join(', ');
        if (!(await confirm(`A run is using the cluster right now: ${who}. Stopping it fails that run's checks. Stop anyway?`, '`npm run cluster -- stop`'))) {
          console.log('the cluster keeps running');
          return 1;
        }
      }
      const stopped = await cluster.stop();
      console.log(stopped.length ? `stopped ${stopped.join(', ')}` : 'the cluster was not running');
      return 0;
    }
    case 'status':
      return status(cluster);
    case 'reset': {
      if (!yes && !(await confirm('Stop the cluster and delete all its data (every key, every lab)?', '`npm run cluster -- reset`'))) {
        console.log('nothing deleted');
        return 1;
      }
      await cluster.reset();
      console.log(`the cluster is stopped and its data deleted (${cluster.members.map((m) => shown(m.dataDir)).join(', ')}); the next \`npm run lab\` starts it fresh`);
      return 0;
    }
    default:
      throw new UsageError(`unknown action "${action}"`, 'usage: npm run cluster -- start|stop|status|reset [--yes]');
  }
});
