/** `npm run setup` (after npm install): make sure etcd is on this machine and the configs are sound. */
import { ensureCerts } from '../certs/store.ts';
import { LocalCluster } from '../cluster/cluster.ts';
import { ensureEtcd } from '../etcd/install.ts';
import { shown } from '../paths.ts';
import { runCli } from './main.ts';
import { style } from '../terminal/style.ts';

await runCli(async () => {
  const result = await ensureEtcd({ log: (line) => console.log(style.dim(line)) });
  const where = result.binaries.source === 'ETCD_BIN' ? 'from ETCD_BIN' : result.binaries.source === 'PATH' ? 'on PATH' : 'in the project';
  console.log(`${style.green('✔')} etcd ${result.version} ${where}: ${shown(result.binaries.etcd)}`);
  const cluster = LocalCluster.classroom();
  console.log(`${style.green('✔')} etcd_config/ describes ${cluster.members.length} members: ${cluster.endpoints.join(', ')}`);
  const certs = await ensureCerts({ log: (line) => console.log(style.dim(line)) });
  console.log(`${style.green('✔')} certificates in certs/ for the TLS lab${certs.made.length ? ' (made them)' : ''}`);
  console.log(`\nReady. Next: ${style.bold('npm run lab 1')}`);
  return 0;
});
