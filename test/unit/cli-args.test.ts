import { describe, expect, test } from 'vitest';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forwardedOptions, parseLabArgs } from '../../lib/cli/lab-args.ts';
import { resolveConnection, writeConnectionFile } from '../../lib/connection/file.ts';

test('parses a lab run with every option', () => {
  expect(parseLabArgs(['4', '--seed', '12', '--endpoints', 'http://a:1, http://b:2', '--namespace', '/students/x/', '--timeout', '3', '--only', 'a,b', '--json', 'r.json'])).toEqual({
    labs: ['4'], solution: false, labsDir: undefined, seed: 12,
    cluster: { connection: undefined, endpoints: ['http://a:1', 'http://b:2'], ca: undefined, cert: undefined, key: undefined, user: undefined },
    namespace: '/students/x/', timeoutMs: 3000, only: ['a', 'b'], json: 'r.json', watch: false, warm: false, serve: false,
  });
  expect(parseLabArgs(['4', '--watch', '--seed', '3'])).toMatchObject({ labs: ['4'], watch: true, seed: 3 });
  expect(parseLabArgs([])).toMatchObject({ labs: [], solution: false });
  expect(parseLabArgs(['3', '--solution'])).toMatchObject({ labs: ['3'], solution: true });
  expect(parseLabArgs(['4-10', 'watches'])).toMatchObject({ labs: ['4-10', 'watches'] });
  expect(parseLabArgs(['3', '--labs-dir', 'sub/labs'])).toMatchObject({ labsDir: 'sub/labs' });
});

test('bad input is a UsageError that says what to do', () => {
  expect(() => parseLabArgs(['1', '--seed', 'abc'])).toThrow(/--seed must be a whole number/);
  expect(() => parseLabArgs(['1', '--solution', '--labs-dir', 'x'])).toThrow(/cannot be used together/);
  expect(() => parseLabArgs(['1', '--endpoints', 'localhost'])).toThrow(/is not an endpoint/);
  expect(() => parseLabArgs(['1', '--bogus'])).toThrow(/unknown option '--bogus'/);
  expect(() => parseLabArgs(['4-10', '--watch'])).toThrow(/--watch follows one lab/);
  expect(() => parseLabArgs(['4', '5', '--watch'])).toThrow(/--watch follows one lab/);
  expect(() => parseLabArgs(['4', '--watch', '--json', 'x'])).toThrow(/cannot be used together/);
});

test('ETCD_ENDPOINTS is read when --endpoints is absent', () => {
  process.env.ETCD_ENDPOINTS = 'http://10.0.0.1:2379';
  try {
    expect(parseLabArgs(['1']).cluster.endpoints).toEqual(['http://10.0.0.1:2379']);
  } finally {
    delete process.env.ETCD_ENDPOINTS;
  }
});

test('watch mode passes every option but the lab on to each run', () => {
  const args = parseLabArgs(['4', '--watch', '--seed', '7', '--timeout', '20', '--only', 'race', '--endpoints', 'http://a:1', '--namespace', '/n/']);
  expect(forwardedOptions(args)).toEqual(['--seed', '7', '--endpoints', 'http://a:1', '--namespace', '/n/', '--timeout', '20', '--only', 'race']);
  expect(forwardedOptions(parseLabArgs(['4', '--solution']))).toEqual(['--solution']);
});

describe('connection settings of a class cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conn-'));
  const ca = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
  writeFileSync(join(dir, 'ca.crt'), ca);
  const file = join(dir, 'ana.json');
  writeConnectionFile(file, { endpoints: ['https://10.0.0.5:2479'], namespace: '/students/ana/', username: 'ana', password: 'secret-ana', ca: 'ca.crt' });

  test('a connection file gives endpoints, user, CA (a path relative to the file) and namespace; it is private', () => {
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveConnection({ connection: file }, {})).toEqual({
      connection: { endpoints: ['https://10.0.0.5:2479'], auth: { username: 'ana', password: 'secret-ana' }, tls: { ca, cert: undefined, key: undefined } },
      namespace: '/students/ana/', source: expect.stringMatching(/ana\.json$/),
    });
  });

  test('etcd-connection.json in the project is used without any flag; flags win over it', () => {
    writeConnectionFile(join(dir, 'etcd-connection.json'), { endpoints: ['https://10.0.0.9:2479'], username: 'ben', password: 'secret-ben' });
    expect(resolveConnection({}, {}, dir)?.connection.auth?.username).toBe('ben');
    expect(resolveConnection({ endpoints: ['http://10.0.0.1:2379'] }, {}, dir)?.connection).toEqual({ endpoints: ['http://10.0.0.1:2379'], auth: undefined, tls: undefined });
    expect(resolveConnection({}, {}, join(dir, 'nowhere'))).toBeUndefined();
  });

  test('the password comes from the file or ETCD_PASSWORD, never a flag', () => {
    expect(resolveConnection({ endpoints: ['https://h:1'], user: 'cy' }, { ETCD_PASSWORD: 'secret-cy' })?.connection.auth).toEqual({ username: 'cy', password: 'secret-cy' });
    expect(() => resolveConnection({ endpoints: ['https://h:1'], user: 'cy' }, {})).toThrow(/user cy has no password/);
    expect(() => parseLabArgs(['1', '--password', 'x'])).toThrow(/unknown option '--password'/);
  });

  test('bad settings are one-line errors with the fix', () => {
    expect(() => resolveConnection({ connection: join(dir, 'missing.json') }, {})).toThrow(/does not exist/);
    writeFileSync(join(dir, 'bad.json'), '{ "endpoints": "10.0.0.5" }');
    expect(() => resolveConnection({ connection: join(dir, 'bad.json') }, {})).toThrow(/`endpoints` must be a list of URLs/);
    expect(() => resolveConnection({ ca: 'x.crt' }, {}, join(dir, 'nowhere'))).toThrow(/no endpoints were given/);
    expect(() => resolveConnection({ endpoints: ['https://h:1'], ca: join(dir, 'nope.crt') }, {})).toThrow(/cannot be read/);
    expect(() => resolveConnection({ endpoints: ['https://h:1'], ca: join(dir, 'ca.crt'), cert: join(dir, 'ca.crt') }, {})).toThrow(/needs its key/);
  });
});
