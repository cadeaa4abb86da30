/**
 * `npm run playground` on a cluster given by --endpoints, with commands piped
 * in: every answer, and every mistake answered in one line. (The fault
 * console, in a real terminal, is tested in test/own/playground.ts.)
 */
import { expect, test } from 'vitest';
import { cli, testCluster } from '../helpers.ts';
import { parseCommand } from '../../lib/playground/commands.ts';

test('the playground answers list, get, put, delete and watch, and says what is wrong with a missing key or a bad command', async () => {
  const cluster = testCluster();
  const endpoints = cluster.endpoints.join(',');
  const [first, second] = cluster.members.map((m) => m.name);
  const key = `/playground/${Date.now().toString(36)}`;
  const input = [
    `put ${key}/a "hello world"`, `get ${key}/a`, `get ${key}/nope`, `watch ${key}/`, `put ${key}/b 2 via ${second}`,
    `delete ${key}/b`, `delete ${key}/b`, `list ${key}/`, 'status', `kill ${first}`, `get ${key}/a via etcd9`, 'frobnicate', `delete ${key}/a`, 'exit',
  ].join('\n');
  const { code, stdout, stderr } = await cli('playground', ['--endpoints', endpoints], { input });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toMatch(/this run's keys live under \/students\/[^/]+\//);
  expect(stdout).toMatch(new RegExp(`✔ ${key}/a = "hello world" at revision \\d+ \\(via \\w+\\)`));
  expect(stdout).toMatch(/^"hello world" \(via \w+\)$/m);
  expect(stdout).toContain(`✖ no key "${key}/nope" (never written, or deleted)`);
  expect(stdout).toMatch(new RegExp(`\\[watch ${key}/\\] put ${key}/b = "2"`));
  expect(stdout).toMatch(new RegExp(`✔ ${key}/b = "2" at revision \\d+ \\(via ${second}\\)`));
  expect(stdout).toMatch(new RegExp(`\\[watch ${key}/\\] delete ${key}/b`));
  expect(stdout).toContain(`✖ no key "${key}/b": nothing deleted`);
  expect(stdout).toMatch(/1 key\(s\) under/);
  expect(stdout).toMatch(new RegExp(`${first} +http://127\\.0\\.0\\.1:\\d+ +up`));
  expect(stdout).toContain('✖ kill needs the fault console, with members of its own: npm run playground -- --faults');
  expect(stdout).toContain(`✖ there is no member "etcd9" (members: ${cluster.members.map((m) => m.name).join(', ')})`);
  expect(stdout).toContain('✖ unknown command "frobnicate"; type help for the list');
}, 30_000);

test('the playground\'s parser: quotes, via, --serializable, partitions, and one line for each mistake', () => {
  const context = { members: ['n1', 'n2', 'n3'], faults: true };
  expect(parseCommand('put k "two  words"', context)).toEqual({ kind: 'put', key: 'k', value: 'two  words', via: undefined });
  expect(parseCommand('put k a b c via n2', context)).toEqual({ kind: 'put', key: 'k', value: 'a b c', via: 'n2' });
  expect(parseCommand('get k via n3 --serializable', context)).toEqual({ kind: 'get', key: 'k', via: 'n3', serializable: true });
  expect(parseCommand('partition n1,n2 n3', context)).toEqual({ kind: 'partition', groups: [['n1', 'n2'], ['n3']] });
  expect(parseCommand('   ', context)).toEqual({ kind: 'empty' });
  expect(() => parseCommand('partition n1,n2 n2,n3', context)).toThrow('n2 is in two groups');
  expect(() => parseCommand('partition n1,n2', context)).toThrow('at least two groups');
  expect(() => parseCommand('put k', context)).toThrow('put needs a key and a value');
  expect(() => parseCommand('put k "open', context)).toThrow('a quote is not closed');
  expect(() => parseCommand('delete k --serializable', context)).toThrow('--serializable is for get');
  expect(() => parseCommand('status now', context)).toThrow('status takes no arguments');
  expect(() => parseCommand('kill', context)).toThrow('kill takes one argument');
  expect(() => parseCommand('pause n7', context)).toThrow('there is no member "n7" (members: n1, n2, n3)');
});

test('the playground\'s bad flags are one line and the fix', async () => {
  const nodes = await cli('playground', ['--faults', '--nodes', '9']);
  expect(nodes.code).toBe(1);
  expect(nodes.stderr).toMatch(/^error\[\w+\]: --nodes must be between 1 and 7, got 9\n {2}fix: e\.g\. --nodes 5/);
  const both = await cli('playground', ['--faults', '--endpoints', 'http://127.0.0.1:2379']);
  expect(both.code).toBe(1);
  expect(both.stderr).toMatch(/--faults starts a cluster of its own; it cannot hurt one given by --connection or --endpoints/);
  expect(both.stderr.split('\n').filter(Boolean)).toHaveLength(2);
});
