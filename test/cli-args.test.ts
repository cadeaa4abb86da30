import { expect, test } from 'vitest';
import { forwardedOptions, parseLabArgs } from '../lib/cli/lab-args.ts';

test('parses a lab run with every option', () => {
  expect(parseLabArgs(['4', '--seed', '12', '--endpoints', 'http://a:1, http://b:2', '--namespace', '/students/x/', '--timeout', '3', '--only', 'a,b', '--json', 'r.json'])).toEqual({
    labs: ['4'], solution: false, labsDir: undefined, seed: 12, endpoints: ['http://a:1', 'http://b:2'],
    namespace: '/students/x/', timeoutMs: 3000, only: ['a', 'b'], json: 'r.json', watch: false,
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
    expect(parseLabArgs(['1']).endpoints).toEqual(['http://10.0.0.1:2379']);
  } finally {
    delete process.env.ETCD_ENDPOINTS;
  }
});

test('watch mode passes every option but the lab on to each run', () => {
  const args = parseLabArgs(['4', '--watch', '--seed', '7', '--timeout', '20', '--only', 'race', '--endpoints', 'http://a:1', '--namespace', '/n/']);
  expect(forwardedOptions(args)).toEqual(['--seed', '7', '--endpoints', 'http://a:1', '--namespace', '/n/', '--timeout', '20', '--only', 'race']);
  expect(forwardedOptions(parseLabArgs(['4', '--solution']))).toEqual(['--solution']);
});
