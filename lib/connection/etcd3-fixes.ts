/**
 * A bug of etcd3 1.1.2 this workbook works around, in every process that
 * imports this module (the runner's clients and the lab process, whose
 * student code shares its `etcd3` module).
 *
 * `client.maintenance.snapshot()` calls the gRPC stream as
 * `snapshot(metadata, options, {})`, where grpc-js expects
 * `snapshot(request, metadata, options)`: the metadata becomes the (empty)
 * request, and the login token never reaches etcd. On a cluster with
 * authentication on, every snapshot then fails with `auth: user name is
 * empty` (test/facts/15-snapshots.ts shows it against etcd 3.4.23). The fix
 * passes the same three things in grpc-js's order; everything else (the
 * connection, the call options, marking a failed member) is etcd3's own.
 */
import { createRequire } from 'node:module';
import { MaintenanceClient } from 'etcd3';

type Resolve = (options: unknown, factory: unknown, context: { service: string; method: string; isStream: boolean }) => unknown;
interface Pool {
  callOptionsFactory: unknown;
  markFailed(resource: unknown, error: unknown): void;
  withConnection<T>(service: string, fn: (c: { resource: unknown; client: { snapshot(request: object, metadata: unknown, options: unknown): NodeJS.EventEmitter }; metadata: unknown }) => T): Promise<T>;
}

const { resolveCallOptions } = createRequire(import.meta.url)('etcd3/lib/util') as { resolveCallOptions: Resolve };
const FIXED = Symbol.for('etcd-lab-workbook.snapshot-fixed');

/** etcd3's own snapshot(), as published (test/facts/15-snapshots.ts shows what it does). */
export const publishedSnapshot = MaintenanceClient.prototype.snapshot;

export function snapshotFixed(): boolean {
  return (MaintenanceClient.prototype as unknown as Record<symbol, boolean>)[FIXED] === true;
}

export function fixEtcd3(): void {
  const proto = MaintenanceClient.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[FIXED]) return;
  proto.snapshot = function snapshot(this: { client: Pool }, options?: unknown) {
    return this.client.withConnection('Maintenance', ({ resource, client, metadata }) => {
      const resolved = resolveCallOptions(options, this.client.callOptionsFactory, { service: 'Maintenance', method: 'snapshot', isStream: true });
      const stream = client.snapshot({}, metadata, resolved);
      stream.on('error', (error) => this.client.markFailed(resource, error));
      return stream;
    });
  };
  proto[FIXED] = true;
}

fixEtcd3();
