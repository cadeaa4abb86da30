import { expect, test } from 'vitest';
import { parseLabArgs } from '../lib/cli/lab-args.ts';

test('parses a lab run with every option', () => {
  expect(parseLabArgs(['4', '--seed', '12', '--endpoints', 'http://a:1, http://b:2', '--namespace', '/students/x/', '--timeout', '3', '--only', 'a,b', '--json', 'r.json'])).toEqual({
    labs: ['4'], solution: false, labsDir: undefined, seed: 12, endpoints: ['http://a:1', 'http://b:2'],
    namespace: '/students/x/', timeoutMs: 3000, only: ['a', 'b'], json: 'r.json',
  });
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
});

test('ETCD_ENDPOINTS is read when --endpoints is absent', () => {
  process.env.ETCD_ENDPOINTS = 'http://10.0.0.1:2379';
  try {
    expect(parseLabArgs(['1']).endpoints).toEqual(['http://10.0.0.1:2379']);
  } finally {
    delete process.env.ETCD_ENDPOINTS;
  }
});
