/**
 * Lab 11 checks: connectSecure() and createReadOnlyUser(), on a one-member
 * cluster with mutual TLS and auth that the run starts for itself.
 *
 * Every user and password is new each run. The client certificate the student
 * gets (CN=student) is not an etcd user, so only the password can make the
 * calls work. createReadOnlyUser() is called twice, for two readers on two
 * sibling prefixes (each must be refused the other's: one role shared by
 * every reader shows), with decoy keys right outside each prefix; the first
 * call goes through a slowed link to the member (helpers/slow-link.ts), held
 * when the call resolves, so that work it did not await shows every run.
 */
import type { Etcd3 } from 'etcd3';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { isHandleRef, type HandleRef } from '../sandbox/protocol.ts';
import { createPrefixOwner } from '../cluster/auth.ts';
import { type SecureLabCluster, firstLine, outcomeOf, password, secureLabCluster, withClient } from './helpers/secure-cluster.ts';
import { tlsObserver } from './helpers/tls-observer.ts';
import { slowLink } from './helpers/slow-link.ts';
import { waitFor } from './helpers/time.ts';
import { HANDSHAKE_MEANING, handshake } from '../connection/handshake.ts';
import type { Connection } from '../connection/connection.ts';
import { value } from './helpers/data.ts';
import { classifyEtcdError } from '../connection/etcd-errors.ts';

/**
 * What an error text of a secured cluster means, once the connection itself
 * works (which TLS step failed is told by diagnosis(), from the wire; LAB.md,
 * "Reading the errors", says the same at length).
 */
function meaning(error: string): string {
  switch (classifyEtcdError(error).kind) {
    case 'tls':
    case 'refused':
      return 'the connection failed before etcd read a request: a TLS problem, or plain http to a TLS port.';
    case 'auth-failed': return 'etcd does not know this user name with this password.';
    case 'permission-denied':
      return 'etcd knows who the client is, and that user\'s roles do not allow this. A client that gives no user name acts as its certificate\'s common name ("student" here, a user with no roles).';
    case 'no-user': return 'the client did not log in, and its certificate names no user.';
    default: return '';
  }
}

/** The reason inside gRPC's "14 UNAVAILABLE: No connection established. Last error: <reason>", without OpenSSL's internals. */
function lastError(error: string): string {
  const reason = /Last error: (.*)$/.exec(error)?.[1] ?? error;
  return reason.replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:\w+:/, '').replace(/:\.\.\/deps\/openssl\S*/, '').replace(/^Error: /, '').replace(/\s*\(\d{4}-\d\d-\d\dT[^)]*\)$/, '');
}

function withMeaning(error: string): string {
  const m = meaning(error);
  return m ? `${error}\n(${m})` : error;
}

interface SecureArgs {
  endpoints: string[];
  caCert: Uint8Array;
  clientCert: Uint8Array;
  clientKey: Uint8Array;
  username: string;
  password: string;
}

function secureArgs(lab: SecureLabCluster, username: string, pw: string, overrides: Partial<SecureArgs> = {}): SecureArgs {
  return {
    endpoints: lab.endpoints,
    caCert: Buffer.from(lab.ca),
    clientCert: Buffer.from(lab.pem.student.cert),
    clientKey: Buffer.from(lab.pem.student.key),
    username,
    password: pw,
    ...overrides,
  };
}

/** A user of its own for this check, who may read and write `/lab11/<name>/`. */
async function writer(ctx: CheckContext, lab: SecureLabCluster): Promise<{ username: string; password: string; prefix: string }> {
  const username = `writer-${ctx.rng.token()}`;
  const pw = password(ctx);
  const prefix = `/lab11/${username}/`;
  await createPrefixOwner(lab.root, username, pw, prefix);
  return { username, password: pw, prefix };
}

async function connect(ctx: CheckContext, args: SecureArgs): Promise<HandleRef> {
  const client = await ctx.student.call<unknown>('connectSecure', [args]);
  expect(isHandleRef(client), `connectSecure() must return an etcd3 client (new Etcd3(...)), it returned ${show(client)}`);
  const kind = await ctx.student.probe<{ kind: string; hasKvApi: boolean }>('describe', [client]);
  expect(kind.ok && kind.value.hasKvApi, `connectSecure() must return an etcd3 client, it returned a ${kind.ok ? kind.value.kind : 'value'} without get() and put()`);
  return client;
}

/**
 * Why the student's client fails, from what it does on the wire: connectSecure()
 * is called again with the same options but an endpoint of the observer's,
 * and one call goes through it. Falls back to the meaning of the error text
 * when the TLS part is right (the problem is the login or the permissions).
 */
async function diagnosis(ctx: CheckContext, lab: SecureLabCluster, args: SecureArgs, error: string): Promise<string | undefined> {
  const observer = await tlsObserver({ server: lab.pem.server, ca: lab.ca, expectedClientCert: Buffer.from(args.clientCert).toString() });
  try {
    const client = await connect(ctx, { ...args, endpoints: [observer.endpoint] });
    const [seen] = await Promise.all([observer.seen(3000), ctx.student.probe('roundTrip', [client, '/lab11/observed', 'x'], { timeoutMs: 3000 })]);
    switch (seen.kind) {
      case 'plain':
        return `Your client does not use TLS: its first bytes were ${seen.detail}, the start of plain HTTP/2, where a TLS hello belongs. etcd3 speaks TLS when it has \`credentials\` (or https:// endpoints); with neither, it speaks plain http.`;
      case 'distrusts-server':
        return `Your client ended the TLS handshake itself${seen.detail === 'econnreset' ? '' : ` (${seen.detail})`}: it does not trust the member's certificate, which opts.caCert signed. Without credentials.rootCertificate, etcd3 trusts only the public CAs: pass opts.caCert there.`;
      case 'no-certificate':
        return 'Your client finished the TLS handshake without a client certificate, and this cluster (client-cert-auth) refuses clients without one. Pass opts.clientCert as credentials.certChain and opts.clientKey as credentials.privateKey.';
      case 'other-certificate':
        return `Your client showed a certificate (${seen.detail}) that is not opts.clientCert. Present the certificate and key it is given, not files read from disk.`;
      case 'never-connected':
        return 'Your client never connected to the endpoints it was given: build it with opts.endpoints.';
      case 'given-certificate':
        return meaning(error) || undefined;
    }
  } catch {
    return meaning(error) || undefined;
  } finally {
    await observer.close();
  }
}

type Trip = { ok: true } | { ok: false; error: string };

/**
 * A put and a get of `key` through the student's client. The client stays
 * open until the check ends: closing it would also break a client the
 * student's code hands out again (a cache), which this lab must catch.
 */
async function trip(ctx: CheckContext, client: HandleRef, key: string, written: string): Promise<Trip> {
  const outcome = await ctx.student.probe<{ ok: boolean; value?: string | null; error?: { message: string } }>('roundTrip', [client, key, written]);
  if (!outcome.ok) return { ok: false, error: ctx.student.explain('the put/get through your client', outcome) };
  if (!outcome.value.ok) return { ok: false, error: outcome.value.error ? firstLine(outcome.value.error.message) : 'failed' };
  if (outcome.value.value !== written) return { ok: false, error: `the get returned ${show(outcome.value.value)} after a put of ${show(written)}` };
  return { ok: true };
}

/** A user made by createReadOnlyUser(): its prefix, and the keys inside it. */
interface Reader {
  username: string;
  password: string;
  prefix: string;
  inside: Map<string, string>;
  /** Decoys just outside the prefix, on every side. */
  outside: string[];
}

/** What the runner saw right after a createReadOnlyUser() call resolved, the link to the member held. */
interface AtResolve {
  reader: Reader;
  /** The read of a key under the prefix, as the user, right then. */
  atOnce: string;
  /** ms after the call resolved that the same read worked (undefined: it never did within LATE_WORK_MS). */
  workedAfterMs?: number;
}

/** Two readers on two sibling prefixes (each must be refused the other's), and what the first looked like at once. */
interface ReaderSetup {
  readers: [Reader, Reader];
  atResolve?: AtResolve;
}

/** The delay of every byte from the student's root client to the member during the watched call: an awaited request costs this much. */
const LINK_DELAY_MS = 300;
/** How long the runner waits for work that landed late to show. */
const LATE_WORK_MS = 3000;

function decoysAround(prefix: string, ctx: CheckContext): string[] {
  const base = prefix.slice(0, -1);
  return [
    base, // the prefix without its slash
    `${base}0`, // the first key after the prefix's range ('/' + 1 = '0')
    `${base}-old/${ctx.rng.token(4)}`, // a sibling that shares the text before the slash
    `/lab11/salaries-${ctx.rng.token(4)}`, // elsewhere under the parent
  ];
}

function newReader(ctx: CheckContext): Reader {
  const prefix = `/lab11/reports-${ctx.rng.token(4)}/`;
  const inside = new Map<string, string>();
  for (let i = ctx.rng.int(3, 5); i > 0; i--) inside.set(`${prefix}${ctx.rng.token(5)}`, value(ctx.rng));
  inside.set(`${prefix}nested/${ctx.rng.token(4)}`, value(ctx.rng));
  return { username: `reader-${ctx.rng.token()}`, password: password(ctx), prefix, inside, outside: decoysAround(prefix, ctx) };
}

/** Whether `reader` can read a key under its prefix right now (a login and a get of its own); the error when not. */
async function canRead(lab: SecureLabCluster, reader: Reader): Promise<{ ok: true } | { ok: false; error: string }> {
  const [key, expected] = [...reader.inside][0];
  const outcome = await outcomeOf(() => withClient(asReader(lab, reader), async (client) => {
    const got = await client.get(key).string();
    if (got !== expected) throw new Error(`get ${key} returned ${show(got)}`);
  }, { singleAttempt: true }));
  return outcome.ok ? { ok: true } : { ok: false, error: outcome.error };
}

/**
 * createReadOnlyUser() with a root client whose requests reach the member
 * LINK_DELAY_MS late: when the call resolves, the link is held and the
 * runner reads as the new user at once. Work the function did not await is
 * then still on its way; if the read fails now and works once the link is
 * released, the function resolved before its work was done.
 */
async function createWatched(ctx: CheckContext, lab: SecureLabCluster, reader: Reader): Promise<AtResolve | undefined> {
  const link = await slowLink(lab.endpoints[0]);
  try {
    const root = ctx.clientFor([link.endpoint], { tls: lab.connection('root').tls, label: 'root-watched' });
    // Connected (TLS and all) before the delay: only the function's own requests are slowed.
    await ctx.student.probe('timedGet', [root, '/lab11/warm-up']);
    link.delay(LINK_DELAY_MS);
    const outcome = await ctx.student.attempt('createReadOnlyUser', [root, reader.username, reader.password, reader.prefix]);
    link.hold();
    if (!outcome.ok) throw ctx.student.failure('createReadOnlyUser()', outcome);
    const first = await canRead(lab, reader);
    link.release();
    link.delay(0);
    if (first.ok) return undefined;
    const workedAfterMs = await waitFor(async () => (await canRead(lab, reader)).ok, LATE_WORK_MS, 100);
    return { reader, atOnce: first.error, workedAfterMs };
  } finally {
    await link.close();
  }
}

function readerSetup(ctx: CheckContext, lab: SecureLabCluster): Promise<ReaderSetup> {
  return ctx.once('reader', async () => {
    const readers: [Reader, Reader] = [newReader(ctx), newReader(ctx)];
    while (readers[1].prefix === readers[0].prefix) readers[1] = newReader(ctx);
    for (const reader of readers) {
      for (const [k, v] of reader.inside) await lab.root.put(k).value(v).exec();
      for (const k of reader.outside) await lab.root.put(k).value('decoy').exec();
    }
    // The first user is made through a slowed link (work landing after the call resolved shows);
    // the second through a direct one. Root logs in by certificate: the function gets a client that is root.
    const atResolve = await createWatched(ctx, lab, readers[0]);
    const root = ctx.clientFor(lab.endpoints, { tls: lab.connection('root').tls, label: 'root' });
    await ctx.student.call('createReadOnlyUser', [root, readers[1].username, readers[1].password, readers[1].prefix]);
    return { readers, atResolve };
  });
}

function asReader(lab: SecureLabCluster, reader: Pick<Reader, 'username' | 'password'>): ReturnType<SecureLabCluster['connection']> {
  return lab.connection('reader', { username: reader.username, password: reader.password });
}

/** The role names of `username` (as root sees them), or [] when it has none or does not exist. */
async function rolesOf(lab: SecureLabCluster, username: string): Promise<string[]> {
  try {
    return (await lab.root.user(username).roles()).map((r) => r.name);
  } catch {
    return [];
  }
}

/** "createReadOnlyUser(root, "reader-x", password, "/lab11/reports-ab/")": the call that made `reader`. */
function madeBy(reader: Reader): string {
  return `createReadOnlyUser(root, ${show(reader.username)}, password, ${show(reader.prefix)})`;
}

async function denied(work: () => Promise<unknown>): Promise<{ denied: boolean; what: string }> {
  const outcome = await outcomeOf(work);
  if (outcome.ok) return { denied: false, what: 'it succeeded' };
  return { denied: /permission denied/i.test(outcome.error), what: outcome.error };
}

const checks: LabChecks = {
  async 'secure-put-get'(ctx) {
    const lab = await secureLabCluster(ctx);
    const user = await writer(ctx, lab);
    const key = `${user.prefix}${ctx.rng.token()}`;
    const written = value(ctx.rng);
    const args = secureArgs(lab, user.username, user.password);
    const result = await trip(ctx, await connect(ctx, args), key, written);
    if (!result.ok) {
      throw new CheckFailure(`a put and a get through the client of connectSecure() failed on a cluster with mutual TLS and auth`, {
        expected: `${key} = ${show(written)}, written as ${user.username}`,
        actual: result.error,
        explain: await diagnosis(ctx, lab, args, result.error),
      });
    }
    const stored = await lab.root.get(key).string();
    expect(stored === written, 'the client of connectSecure() wrote somewhere else than the cluster it was given', { expected: show(written), actual: show(stored) });
    ctx.note(`put and get as ${user.username}, over mutual TLS`);
  },

  async 'trusts-given-ca'(ctx) {
    const lab = await secureLabCluster(ctx);
    const user = await writer(ctx, lab);
    const key = `${user.prefix}${ctx.rng.token()}`;
    const cases = ctx.rng.shuffle([
      {
        what: 'a caCert that did not sign the server\'s certificate',
        args: secureArgs(lab, user.username, user.password, { caCert: Buffer.from(lab.stranger.ca) }),
        fix: 'Trust opts.caCert (credentials.rootCertificate), not a CA file read from disk; make a new client on every call.',
      },
      {
        what: 'a clientCert from a CA the cluster does not trust',
        args: secureArgs(lab, user.username, user.password, { clientCert: Buffer.from(lab.stranger.client.cert), clientKey: Buffer.from(lab.stranger.client.key) }),
        fix: 'Present opts.clientCert and opts.clientKey (credentials.certChain and credentials.privateKey), not files read from disk; make a new client on every call.',
      },
    ]);
    for (const c of cases) {
      const result = await trip(ctx, await connect(ctx, c.args), key, 'x');
      if (result.ok) {
        throw new CheckFailure(`connectSecure() with ${c.what} still reached the cluster: the client does not use what it is given`, {
          expected: 'the TLS handshake fails, so every call fails', actual: 'the put and get worked', explain: c.fix,
        });
      }
    }
    // What the cluster does with clients that do not follow the rules (the runner's own clients: shown, not graded).
    // One attempt and no login, so that etcd3's error keeps the TLS reason ("Last error: null" otherwise).
    const student = lab.connection('student');
    const demos: { what: string; connection: Connection }[] = [
      { what: 'plain http (no TLS)', connection: { endpoints: lab.endpoints.map((e) => e.replace('https:', 'http:')) } },
      { what: 'TLS without a client certificate', connection: { ...student, tls: { ca: lab.ca } } },
      { what: 'TLS trusting another CA', connection: { ...student, tls: { ...student.tls!, ca: lab.stranger.ca } } },
    ];
    for (const demo of demos) {
      const outcome = await outcomeOf(() => withClient(demo.connection, (c: Etcd3) => c.get(key).string(), { singleAttempt: true }));
      if (outcome.ok) throw new Error(`the lab's cluster accepted a client with ${demo.what}: its TLS settings are wrong`);
      const underneath = await handshake(demo.connection.endpoints[0], demo.connection.tls);
      ctx.note(`${demo.what}: refused, "${lastError(outcome.error)}": ${HANDSHAKE_MEANING[underneath.kind]}`);
    }
  },

  async 'logs-in-as-user'(ctx) {
    const lab = await secureLabCluster(ctx);
    const [first, second] = [await writer(ctx, lab), await writer(ctx, lab)];
    // As the second user: its own keys work, the first user's are refused.
    const args = secureArgs(lab, second.username, second.password);
    const own = await trip(ctx, await connect(ctx, args), `${second.prefix}${ctx.rng.token()}`, value(ctx.rng));
    if (!own.ok) {
      throw new CheckFailure(`connectSecure() as ${second.username} could not write under ${second.prefix}, which that user owns`, {
        actual: own.error, explain: await diagnosis(ctx, lab, args, own.error),
      });
    }
    const foreign = await trip(ctx, await connect(ctx, secureArgs(lab, second.username, second.password)), `${first.prefix}${ctx.rng.token()}`, 'x');
    if (foreign.ok) {
      throw new CheckFailure(`connectSecure() as ${second.username} could write under ${first.prefix}, which only ${first.username} may: the client is not logged in as the user it was given`, {
        expected: 'permission denied', actual: 'the put worked',
        explain: 'Use opts.username and opts.password (the `auth` option) of this call; do not reuse a client made for another user, or log in as root.',
      });
    }
    // The wrong password must not get in.
    const wrong = await trip(ctx, await connect(ctx, secureArgs(lab, second.username, password(ctx))), `${second.prefix}${ctx.rng.token()}`, 'x');
    expect(!wrong.ok, `connectSecure() with a wrong password for ${second.username} still could write: the client does not log in with the password it was given`, {
      explain: 'Pass auth: { username: opts.username, password: opts.password } to new Etcd3().',
    });
    ctx.note(`a wrong password is refused: ${wrong.ok ? '' : wrong.error.slice(0, 90)}`);
  },

  async 'reader-reads-prefix'(ctx) {
    const lab = await secureLabCluster(ctx);
    const setup = await readerSetup(ctx, lab);
    const late = setup.atResolve;
    if (late?.workedAfterMs !== undefined) {
      throw new CheckFailure(`right after ${madeBy(late.reader)} resolved, ${late.reader.username} could not read its prefix; ${late.workedAfterMs < 100 ? 'a moment' : `${late.workedAfterMs} ms`} later it could: part of the work landed after the function had resolved`, {
        expected: `once the promise resolves, ${late.reader.username} reads every key under ${late.reader.prefix}`,
        actual: `at once: ${withMeaning(late.atOnce)}`,
        explain: 'A call without await (role.grant(), user.create(), user.addRole(), or one inside forEach(async …)) goes on after your function has returned: whoever uses the user at once is refused. Await every call, one after the other.',
      });
    }
    for (const reader of setup.readers) {
      const read = await outcomeOf(() => withClient(asReader(lab, reader), async (client) => {
        for (const [k, v] of reader.inside) {
          const got = await client.get(k).string();
          if (got !== v) throw new Error(`get ${k} returned ${show(got)}, expected ${show(v)}`);
        }
        const listed = await client.getAll().prefix(reader.prefix).keys();
        const want = [...reader.inside.keys()].sort();
        if (listed.sort().join('\n') !== want.join('\n')) throw new Error(`a range over ${reader.prefix} returned ${show(listed)}, expected ${show(want)}`);
      }));
      if (!read.ok) {
        const roles = await rolesOf(lab, reader.username);
        throw new CheckFailure(`${reader.username}, made by ${madeBy(reader)}, cannot read its prefix`, {
          expected: `gets of ${reader.inside.size} keys under ${reader.prefix} and a range over the prefix work`,
          actual: withMeaning(read.error),
          explain: roles.length === 0
            ? `${reader.username} has no role (root sees none): grant the role to the user, user.addRole(role), once both exist.`
            : `${reader.username} has the role(s) ${roles.map((r) => show(r)).join(', ')}, which do not allow this. Grant { permission: 'Read', range: root.range({ prefix }) } (a key alone allows that one key).`,
        });
      }
    }
    ctx.note(`${setup.readers.map((r) => `${r.username} reads ${r.inside.size} keys under ${r.prefix}`).join('; ')}${late ? '' : ', at once when the call resolved'}`);
  },

  async 'reader-cannot-write'(ctx) {
    const lab = await secureLabCluster(ctx);
    const setup = await readerSetup(ctx, lab);
    for (const reader of setup.readers) {
      const [existing] = ctx.rng.sample([...reader.inside.keys()], 1);
      await withClient(asReader(lab, reader), async (client) => {
        const fresh = `${reader.prefix}new-${ctx.rng.token(4)}`;
        const attempts = [
          { what: `a put of a new key ${fresh}`, work: () => client.put(fresh).value('x').exec() },
          { what: `a put over ${existing}`, work: () => client.put(existing).value('overwritten').exec() },
          { what: `a delete of ${existing}`, work: () => client.delete().key(existing).exec() },
        ];
        for (const attempt of attempts) {
          const result = await denied(attempt.work);
          if (!result.denied) {
            throw new CheckFailure(`${reader.username} (read-only) was not refused ${attempt.what}`, {
              expected: 'etcdserver: permission denied', actual: result.what,
              explain: 'The role needs permission \'Read\' only: \'Readwrite\' (or \'Write\') lets the user change what it should only read.',
            });
          }
        }
      });
      expect((await lab.root.get(existing).string()) === reader.inside.get(existing), `${existing} was changed by the read-only user ${reader.username}`);
    }
    ctx.note('writes and deletes are refused: permission denied');
  },

  async 'reader-only-prefix'(ctx) {
    const lab = await secureLabCluster(ctx);
    const setup = await readerSetup(ctx, lab);
    const [a, b] = setup.readers;
    for (const [reader, other] of ctx.rng.shuffle([[a, b], [b, a]] as [Reader, Reader][])) {
      await withClient(asReader(lab, reader), async (client) => {
        for (const key of ctx.rng.shuffle(reader.outside)) {
          const result = await denied(() => client.get(key).string());
          if (!result.denied) {
            throw new CheckFailure(`${reader.username} may read ${key}, which is outside ${reader.prefix}`, {
              expected: 'etcdserver: permission denied', actual: result.what === 'it succeeded' ? 'the get worked' : result.what,
              explain: `The permission is too wide. root.range({ prefix: ${show(reader.prefix)} }) covers exactly the keys that start with the prefix, trailing slash included; a range without an end, or a shorter prefix, covers more.`,
            });
          }
        }
        // The other reader's keys: two users of createReadOnlyUser() must not see each other's prefix.
        const [foreign] = ctx.rng.sample([...other.inside.keys()], 1);
        const crossed = await denied(() => client.get(foreign).string());
        if (!crossed.denied) {
          const [mine, theirs] = [await rolesOf(lab, reader.username), await rolesOf(lab, other.username)];
          const shared = mine.filter((r) => theirs.includes(r));
          throw new CheckFailure(`${reader.username} may read ${foreign}, under ${other.prefix}: the prefix of ${other.username}, made by another call, ${madeBy(other)}`, {
            expected: 'etcdserver: permission denied', actual: crossed.what === 'it succeeded' ? 'the get worked' : crossed.what,
            explain: shared.length
              ? `The two users share the role ${shared.map((r) => show(r)).join(', ')}: every call grants its prefix to that one role, so every reader may read every reader's prefix. Give each user a role of its own (e.g. named after the user).`
              : `${reader.username}'s role(s) ${mine.map((r) => show(r)).join(', ') || '(none)'} allow more than its own prefix: grant only root.range({ prefix }) of this call.`,
          });
        }
        const all = await denied(() => client.getAll().prefix('/lab11/').keys());
        expect(all.denied, `${reader.username} may list everything under /lab11/`, { expected: 'permission denied', actual: all.what });
      });
    }
    ctx.note(`each of ${a.username} and ${b.username} is refused the other's prefix and ${a.outside.length} keys just outside its own`);
  },
};

export default checks;
