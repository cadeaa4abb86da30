import { describe, expect, test } from 'vitest';
import { classifyEtcdError } from '../../lib/connection/etcd-errors.ts';

describe('classifyEtcdError: the texts etcd3 1.1.2 and etcd 3.4 produce', () => {
  test.each([
    ['14 UNAVAILABLE: No connection established. Last error: null', 'refused'],
    ['14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1 (2026-01-01T00:00:00.000Z)', 'refused'],
    ['14 UNAVAILABLE: No connection established. Last error: Error: unable to verify the first certificate', 'tls'],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded after 0.000s,waiting for name resolution', 'unresolved'],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded after 1.002s,LB pick: 0.001s,remote_addr=127.0.0.1:2379', 'deadline'],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded after 2.000s,name resolution: 0.002s,LB pick: 0.005s,remote_addr=127.0.0.1:25002', 'deadline'],
    ['etcdserver: request timed out', 'no-quorum'],
    ['etcdserver: no leader', 'no-quorum'],
    ['etcdserver: permission denied', 'permission-denied'],
    ['etcdserver: authentication failed, invalid user ID or password', 'auth-failed'],
    ['etcdserver: user name is empty', 'no-user'],
    ['etcdserver: key is not provided', 'invalid-request'],
    ['mvcc: required revision has been compacted', 'invalid-request'],
    ['8 RESOURCE_EXHAUSTED: Received message larger than max (5242880 vs 4194304)', 'too-large'],
    ['something else entirely', 'other'],
  ])('%s → %s', (text, kind) => {
    expect(classifyEtcdError(text).kind).toBe(kind);
  });

  test('the class name counts: a BrokenCircuitError is the breaker, whatever its message', () => {
    class BrokenCircuitError extends Error {}
    expect(classifyEtcdError(new BrokenCircuitError('Execution prevented because the circuit breaker is open')).kind).toBe('breaker-open');
  });
});
