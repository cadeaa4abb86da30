/**
 * The options that point a command at a class cluster (lab, grade): one
 * declaration, so every command spells them the same way. The password has
 * no flag on purpose: ETCD_PASSWORD or the connection file.
 */
import { type Command, Option } from 'commander';
import type { ConnectionFlags } from '../connection/file.ts';
import { endpointList } from './arg-parsers.ts';

export function addConnectionOptions(program: Command): Command {
  return program
    .addOption(new Option('--connection <file>', 'a class cluster\'s connection file (default: etcd-connection.json, if present)').env('ETCD_CONNECTION'))
    .addOption(new Option('--endpoints <urls>', 'an existing cluster instead of the local one (comma-separated)').env('ETCD_ENDPOINTS'))
    .addOption(new Option('--ca <file>', 'the CA certificate of a TLS cluster').env('ETCD_CACERT'))
    .addOption(new Option('--cert <file>', 'your client certificate (mutual TLS)').env('ETCD_CERT'))
    .addOption(new Option('--key <file>', 'the key of your client certificate').env('ETCD_KEY'))
    .addOption(new Option('--user <name>', 'the etcd user to log in as (password: ETCD_PASSWORD)').env('ETCD_USER'));
}

export function connectionFlags(o: { connection?: string; endpoints?: string; ca?: string; cert?: string; key?: string; user?: string }): ConnectionFlags {
  return { connection: o.connection, endpoints: endpointList(o.endpoints), ca: o.ca, cert: o.cert, key: o.key, user: o.user };
}

/** The flags as arguments again (watch mode passes them to each run). */
export function connectionArgv(flags: ConnectionFlags): string[] {
  return [
    flags.connection ? ['--connection', flags.connection] : [],
    flags.endpoints ? ['--endpoints', flags.endpoints.join(',')] : [],
    flags.ca ? ['--ca', flags.ca] : [],
    flags.cert ? ['--cert', flags.cert] : [],
    flags.key ? ['--key', flags.key] : [],
    flags.user ? ['--user', flags.user] : [],
  ].flat();
}
