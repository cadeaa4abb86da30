/**
 * Lab 12 · Unit tests against a real etcd
 *
 * Run the checks:   npm run lab 12
 * Read first:       LAB.md, "Lab 12 · Unit tests"
 *
 * This time you write the tests. They test the four functions of lab 02
 * (listKeys, getValue, putValue, deleteKey) against the real cluster. The
 * checks run your tests against the reference implementation (every test
 * must pass) and against broken versions (each must make a test fail).
 *
 * Run them yourself, against your own labs/02-kv-basics.ts: npm run test-lab12
 */
import { afterAll, describe, expect, test } from 'vitest';
import { KeyNotFoundError, closeClients, freshClient, subject } from '../lib/test-kit.ts';

const { listKeys, getValue, putValue, deleteKey } = await subject();
afterAll(closeClients);

describe('putValue and getValue', () => {
  // TODO: replace each test.todo with a test. Give every test its own namespace:
  //       const client = await freshClient();
  test.todo('a value put reads back byte for byte, unicode included');
  test.todo('a second put of the same key wins');
  test.todo('the empty string is a value, not a missing key');
  test.todo('a key that was never written rejects with KeyNotFoundError');
});

describe('listKeys', () => {
  // TODO
  test.todo('returns every key, more than a page of them');
  test.todo('returns keys in byte order');
});

describe('deleteKey', () => {
  // TODO
  test.todo('deletes exactly one key');
  test.todo('a key that does not exist rejects with KeyNotFoundError');
});

// These are here so that your first version compiles; use them in your tests.
void [listKeys, getValue, putValue, deleteKey, expect, KeyNotFoundError];
