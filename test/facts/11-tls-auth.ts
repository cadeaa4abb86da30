/**
 * Facts of LAB.md, "Lab 11 · TLS and auth" (and its stub and hints), on a
 * member like the lab's own (https only, client-cert-auth, auth on) and on
 * a plain member with auth on, both started here on free ports.
 */
import { readFileSync } from 'node:fs';
import { type Etcd3, EtcdAuthenticationFailedError, EtcdPermissionDeniedError } from 'etcd3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CertName, ensureCerts, readPem } from '../../lib/certs/store.ts';
import { enableAuth } from '../../lib/cluster/auth.ts';
import { LocalCluster } from '../../lib/cluster/cluster.ts';
import { generateCluster } from '../../lib/cluster/generate.ts';
import { freePortBase } from '../../lib/cluster/probe.ts';
import { throwawayClusterDir } from '../../lib/cluster/throwaway.ts';
import { withClient } from '../../lib/connection/client.ts';
import type { Connection, Credentials } from '../../lib/connection/connection.ts';

const offset = Number(process.env.WORKBOOK_TEST_PORT_OFFSET ?? 0);
const ROOT_PASSWORD = 'facts-11-root';

describe('facts of Lab 11 · TLS and auth', () => {
  let secured: LocalCluster;
  let plain: LocalCluster;
  let as: (cert: CertName, user?: Credentials) => Connection;

  beforeAll(async () => {
    const { set } = await ensureCerts();
    const ca = readFileSync(set.ca, 'utf8');
    const securedPort = await freePortBase(1, 26300 + offset);
    secured = new LocalCluster(generateCluster({
      dir: throwawayClusterDir('facts11'), size: 1, clientPort: securedPort, peerPort: securedPort + 1000, namePrefix: 'secure',
      tls: { ca: set.ca, ...set.leaves.server }, extra: { 'bcrypt-cost': 4 },
    }));
    await secured.start();
    as = (cert, user) => ({ endpoints: secured.endpoints, tls: { ca, ...readPem(set.leaves[cert]) }, auth: user });
    await enableAuth(as('root'), ROOT_PASSWORD);
    const plainPort = await freePortBase(1, 26350 + offset);
    plain = new LocalCluster(generateCluster({ dir: throwawayClusterDir('facts11'), size: 1, clientPort: plainPort, peerPort: plainPort + 1000, namePrefix: 'plain', extra: { 'bcrypt-cost': 4 } }));
    await plain.start();
    await withClient(plain.endpoints, { deadlineMs: 5000 }, async (c) => {
      await c.user('root').create(ROOT_PASSWORD);
      await c.user('root').addRole('root');
      await c.auth.authEnable();
    });
  }, 60_000);

  afterAll(async () => {
    // destroy() stops the member and removes its folder (config, data, logs).
    for (const cluster of [secured, plain]) await cluster?.destroy();
  }, 60_000);

  const using = <T>(connection: Connection, work: (client: Etcd3) => Promise<T>) => withClient(connection, { deadlineMs: 5000 }, work);

  test('"A client that gives no user but shows a certificate acts as the certificate\'s *common name*": certs/root.crt, no password, is root', async () => {
    await using(as('root'), async (c) => {
      await c.put('/facts11/by-root').value('x').exec();
      expect((await c.getUsers()).map((u) => u.name)).toContain('root');
    });
  });

  test('"a certificate whose CN names a user, with its key, *is* a login as that user, no password asked"', async () => {
    await using(as('root', { username: 'root', password: ROOT_PASSWORD }), async (c) => {
      await c.put('/facts11/reader/x').value('visible').exec();
      const role = await c.role('facts11-reader').create();
      await role.grant({ permission: 'Read', range: c.range({ prefix: '/facts11/reader/' }) });
      await (await c.user('reader').create('a password nobody gives')).addRole(role);
    });
    // certs/reader.crt (CN=reader) and no password: etcd takes it for the user reader.
    await using(as('reader'), async (c) => {
      expect(await c.get('/facts11/reader/x').string()).toBe('visible');
      await expect(c.get('/facts11/by-root').string()).rejects.toBeInstanceOf(EtcdPermissionDeniedError);
    });
  });

  test('"`7 PERMISSION_DENIED: etcdserver: permission denied`": "a CN that is no user at all (`student` here) gets this answer too, for every key"', async () => {
    await using(as('student'), async (c) => {
      const error = await c.get('/facts11/anything').string().catch((e: Error) => e);
      expect(error).toBeInstanceOf(EtcdPermissionDeniedError);
      expect((error as Error).message).toMatch(/etcdserver: permission denied/);
    });
  });

  test('"`etcdserver: user name is empty`": "You meet it on a cluster without client certificates" (a client that does not log in)', async () => {
    await expect(using({ endpoints: plain.endpoints }, (c) => c.get('/facts11/x').string())).rejects.toThrow(/user name is empty/);
  });

  test('"`3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password`": a wrong password', async () => {
    const error = await using(as('student', { username: 'root', password: 'not it' }), (c) => c.get('/facts11/x').string()).catch((e: Error) => e);
    expect(error).toBeInstanceOf(EtcdAuthenticationFailedError);
    expect((error as Error).message).toMatch(/authentication failed, invalid user ID or password/);
  });

  test('"Only a user with the `root` *role* may change users and roles …: the `root` user has it, and so does any user it is granted to"', async () => {
    await using(as('root'), async (c) => {
      await c.user('deputy').create('deputy-pw');
      await c.user('deputy').addRole('root');
      await c.user('clerk').create('clerk-pw');
    });
    await using(as('student', { username: 'deputy', password: 'deputy-pw' }), async (c) => {
      await c.role('made-by-deputy').create();
      await c.user('made-by-deputy').create('x');
    });
    await expect(using(as('student', { username: 'clerk', password: 'clerk-pw' }), (c) => c.role('made-by-clerk').create())).rejects.toBeInstanceOf(EtcdPermissionDeniedError);
  });

  test('"cluster-wide operations such as snapshots": refused to a user without the root role (reader, by its certificate)', async () => {
    const outcome = await using(as('reader'), async (c) => {
      const stream = await c.maintenance.snapshot();
      return new Promise<string>((resolve) => {
        stream.on('data', () => resolve('a chunk arrived'));
        stream.on('error', (e: Error) => resolve(e.message));
        stream.on('end', () => resolve('ended'));
      });
    });
    expect(outcome).toMatch(/permission denied/);
  });

  test('"Some calls need no permission at all in etcd 3.4: a member\'s status and the member list, for instance, answer any client that gets through TLS"', async () => {
    await using(as('student'), async (c) => {
      const status = await c.maintenance.status();
      expect(status.version).toMatch(/^3\.4\./);
      expect((await c.cluster.memberList({})).members).toHaveLength(1);
    });
  });

  test('"A prefix is the range from the prefix to the prefix with its last byte plus one, so `/reports/` covers `/reports/2024` but not `/reports-old/x` nor `/reports` itself"', async () => {
    await using(as('root'), async (c) => {
      for (const key of ['/reports/2024', '/reports-old/x', '/reports']) await c.put(key).value('v').exec();
      const role = await c.role('reports-reader').create();
      await role.grant({ permission: 'Read', range: c.range({ prefix: '/reports/' }) });
      await (await c.user('reports').create('reports-pw')).addRole(role);
    });
    await using(as('student', { username: 'reports', password: 'reports-pw' }), async (c) => {
      expect(await c.get('/reports/2024').string()).toBe('v');
      for (const key of ['/reports-old/x', '/reports']) await expect(c.get(key).string(), key).rejects.toBeInstanceOf(EtcdPermissionDeniedError);
    });
  });

  /** The reason in gRPC's "14 UNAVAILABLE: No connection established. Last error: <reason>" of one attempt. */
  const reason = async (connection: Connection) => {
    const error = await withClient(connection, { deadlineMs: 5000, singleAttempt: true }, (c) => c.get('/facts11/x').string()).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  };

  test('"Reading the errors" table: "`Failed to connect`": plain http to a member that wants TLS', async () => {
    expect(await reason({ endpoints: secured.endpoints.map((e) => e.replace('https:', 'http:')) })).toMatch(/No connection established\. Last error: .*Failed to connect/);
  });

  test('"Reading the errors" table: "`unable to verify the first certificate`": TLS without `rootCertificate`', async () => {
    expect(await reason({ endpoints: secured.endpoints })).toMatch(/Last error: .*unable to verify the first certificate/);
  });

  test('"Reading the errors" table: "`… sslv3 alert bad certificate … SSL alert number 42`": no client certificate', async () => {
    const { tls } = as('student');
    expect(await reason({ endpoints: secured.endpoints, tls: { ca: tls!.ca } })).toMatch(/Last error: .*alert bad certificate.*SSL alert number 42/);
  });

  test('"Reading the errors" table: "`null`": with a user and password, whichever of the three steps failed, the reason is lost', async () => {
    const auth = { username: 'root', password: ROOT_PASSWORD };
    const { tls } = as('student');
    for (const connection of [
      { endpoints: secured.endpoints.map((e) => e.replace('https:', 'http:')), auth },
      { endpoints: secured.endpoints, auth },
      { endpoints: secured.endpoints, tls: { ca: tls!.ca }, auth },
    ]) {
      const error = await withClient(connection, { deadlineMs: 3000 }, (c) => c.get('/facts11/x').string()).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/No connection established\. Last error: null/);
    }
  });
});
