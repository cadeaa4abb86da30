/**
 * A class cluster on three hosts (`npm run class -- bundle --host a,b,c
 * --out dir`): for every host, a folder to copy there with its member's
 * config (paths relative to the folder), the workbook's CA and the members'
 * certificate (covering the three hosts), and a start script. The members
 * find each other through the hosts' names or addresses on the peer port.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ensureCerts } from '../certs/store.ts';
import { configureHosts, defaultLayout } from './hosts.ts';

export async function writeBundles(hosts: string[], out: string): Promise<{ host: string; member: string; dir: string }[]> {
  const layout = defaultLayout();
  const { set } = await ensureCerts({ serverHosts: hosts });
  // The configs as this machine would use them; each bundle gets its own member's, made relative.
  const members = configureHosts(hosts, { ...layout, dir: join(out, '.configs') });
  const written = members.map(({ name, host }, i) => {
    const dir = join(out, host);
    mkdirSync(join(dir, 'certs'), { recursive: true });
    for (const file of ['ca.crt', 'server.crt', 'server.key']) copyFileSync(join(set.dir, file), join(dir, 'certs', file));
    const config = parse(readFileSync(join(out, '.configs', `secure${i + 1}.yaml`), 'utf8')) as Record<string, unknown>;
    const security = { 'cert-file': 'certs/server.crt', 'key-file': 'certs/server.key', 'trusted-ca-file': 'certs/ca.crt', 'client-cert-auth': true };
    Object.assign(config, { 'data-dir': `data/${name}`, 'client-transport-security': security, 'peer-transport-security': security });
    writeFileSync(join(dir, 'etcd.yaml'), `# ${name} of the class cluster on ${hosts.join(', ')}: this host is ${host}.\n${stringify(config)}`);
    writeFileSync(join(dir, 'start.sh'), `#!/bin/sh\n# Starts ${name} of the class cluster on this host (${host}); its data goes to data/${name} here.\ncd "$(dirname "$0")" && exec etcd --config-file etcd.yaml\n`, { mode: 0o755 });
    return { host, member: name, dir };
  });
  rmSync(join(out, '.configs'), { recursive: true, force: true });
  return written;
}
