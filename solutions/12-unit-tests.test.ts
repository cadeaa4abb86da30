/**
 * Lab 12 · Unit tests against a real etcd (reference solution)
 */
import { afterAll, describe, expect, test } from 'vitest';
import { KeyNotFoundError, closeClients, freshClient, subject } from '../lib/test-kit.ts';

const { listKeys, getValue, putValue, deleteKey } = await subject();
afterAll(closeClients);

// Keys whose byte order differs from JavaScript's default sort ('ｚ' < '😀' in bytes)
// and from localeCompare ('Zebra' < 'apple' in bytes).
const TRICKY = ['Zebra', 'apple', 'ｚ', '😀', 'a b', 'ß'];

describe('putValue and getValue', () => {
  test('a value put reads back byte for byte, unicode included', async () => {
    const client = await freshClient();
    for (const value of ['plain', 'zażółć gęślą jaźń', '中文 😀', '']) {
      await putValue(client, 'k', value);
      expect(await getValue(client, 'k')).toBe(value);
    }
  });

  test('a second put of the same key wins', async () => {
    const client = await freshClient();
    await putValue(client, 'k', 'first');
    await putValue(client, 'k', 'second');
    expect(await getValue(client, 'k')).toBe('second');
  });

  test('the empty string is a value, not a missing key', async () => {
    const client = await freshClient();
    await putValue(client, 'empty', '');
    expect(await getValue(client, 'empty')).toBe('');
  });

  test('a key that was never written rejects with KeyNotFoundError', async () => {
    const client = await freshClient();
    await putValue(client, 'missing-not', 'x'); // a neighbour that starts like it
    await expect(getValue(client, 'missing')).rejects.toBeInstanceOf(KeyNotFoundError);
  });
});

describe('listKeys', () => {
  test('returns every key, more than a page of them', async () => {
    const client = await freshClient();
    const keys = Array.from({ length: 25 }, (_, i) => `key-${String(i).padStart(2, '0')}`);
    for (const key of keys) await putValue(client, key, 'v');
    expect(await listKeys(client)).toEqual(keys);
  });

  test('returns keys in byte order', async () => {
    const client = await freshClient();
    for (const key of TRICKY) await putValue(client, key, 'v');
    const bytes = [...TRICKY].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(await listKeys(client)).toEqual(bytes);
  });

  test('an empty namespace has no keys', async () => {
    expect(await listKeys(await freshClient())).toEqual([]);
  });
});

describe('deleteKey', () => {
  test('deletes exactly one key', async () => {
    const client = await freshClient();
    for (const key of ['k', 'k/child', 'kx']) await putValue(client, key, 'v');
    await deleteKey(client, 'k');
    expect(await listKeys(client)).toEqual(['k/child', 'kx']);
    await expect(getValue(client, 'k')).rejects.toBeInstanceOf(KeyNotFoundError);
  });

  test('a key that does not exist rejects with KeyNotFoundError', async () => {
    const client = await freshClient();
    await expect(deleteKey(client, 'never-written')).rejects.toBeInstanceOf(KeyNotFoundError);
  });
});
