/**
 * Lab 09 checks: a lock that holds across processes.
 *
 * The critical sections are the checker's own code (a slow read-modify-write
 * of a counter), called back from the student's withLock() in several lab
 * processes with clients of their own: the checker sees directly whether two
 * were ever inside at once, whether an increment was lost, and what etcd held
 * under the lock's name while each ran. Whether withLock() waits for its
 * release is decided by state: the release is held back in a relay, and a
 * withLock() that settles meanwhile did not wait for it. Holders stay inside
 * longer than the lock's TTL, throw, get SIGKILLed, and meet an etcd they
 * cannot reach.
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import type { StudentCode } from '../runner/student.ts';
import type { CallOutcome } from '../sandbox/sandbox.ts';
import type { ClientArg } from '../sandbox/protocol.ts';
import type { RpcPacing } from '../sandbox/rpc-log.ts';
import { effectiveTtl, leaseInfo, raftTerm } from './helpers/leases.ts';
import { startRelay } from './helpers/relay.ts';
import { refusedEndpoint } from './helpers/unreachable.ts';
import { settledWithin, sleep, waitFor } from './helpers/time.ts';

const WORKERS = 3;
const PARALLEL = 2;
const ROUNDS = 2;

/**
 * How long withLock() gets to settle while its release is held in the relay.
 * A withLock() that does not wait for its release settles in a few ms (one
 * message between processes); 1 s leaves room for a loaded machine, and only
 * decides whether a wrong one is caught, never fails a right one.
 */
const HOLD_MS = 1000;

/** Per call in killed-holder: the holder stays inside up to 8 s, the waiter waits that and up to 2 TTLs more. */
const KILLED_HOLDER_CALL_MS = 30_000;

function lockName(ctx: CheckContext): string {
  return `/locks/${ctx.rng.token(6)}`;
}

/** A failed withLock() call as a sentence, with the lesson when it is etcd3's try-lock. */
function failed(worker: StudentCode, outcome: Exclude<CallOutcome, { ok: true }>, timeoutMs?: number): CheckFailure {
  const tryLock = outcome.kind === 'threw' && outcome.error.name === 'EtcdLockFailedError';
  return worker.failure('withLock()', outcome, timeoutMs, {
    explain: tryLock ? 'etcd3\'s lock().acquire() does not wait: it fails at once while someone else holds the lock. Catch EtcdLockFailedError, wait a little, and try again.' : undefined,
  });
}

interface LockKey {
  key: string;
  createRevision: string;
  lease: string;
}

/** The keys under the lock's name: what holds the lock in etcd. */
async function lockKeys(ctx: CheckContext, name: string): Promise<LockKey[]> {
  const res = await ctx.kv.getAll().prefix(name).exec();
  return res.kvs.map((kv) => ({ key: kv.key.toString(), createRevision: kv.create_revision, lease: kv.lease }));
}

/** The keys under the lock's name with their leases, as a sentence: what a holder leaves behind. */
async function lockLeases(ctx: CheckContext, name: string): Promise<string> {
  const found = await Promise.all((await lockKeys(ctx, name)).map(async (k) => {
    const lease = k.lease !== '0' ? await leaseInfo(ctx, k.lease) : undefined;
    return `${k.key} ${lease ? `on a lease granted for ${lease.granted} s (${lease.ttl} s left)` : 'without a lease'}`;
  }));
  return found.join('; ') || 'no key under the lock\'s name';
}

/** What the critical sections found in etcd: sections that ran with no lock key, or lost it before they ended. */
interface Sightings {
  unlocked: string[];
  lostDuring: string[];
}

/** The likely causes of two critical sections at once: what etcd held while they ran, then every candidate, the best fit first. */
function overlapCauses(seen: Sightings): string {
  const unlocked = 'nothing locked in etcd (a mutex in memory only protects one process; an acquire() that is not awaited)';
  const early = 'the lock released before the section ended (a `return critical()` without await inside try/finally releases it as the section starts: `return await critical()`; a lease nobody renews)';
  const shared = 'a lock that is not exclusive (taking it must be one request that creates the key only if it is absent, as client.lock(name) does: a read, then a put, lets two processes both see it free)';
  const evidence: string[] = [];
  if (seen.unlocked.length) evidence.push(`${seen.unlocked.length} section(s) started while no key existed under the lock's name`);
  if (seen.lostDuring.length) evidence.push(`${seen.lostDuring.length} section(s) saw the lock's key go before they ended`);
  const causes = seen.unlocked.length ? [unlocked, early, shared] : seen.lostDuring.length ? [early, unlocked, shared] : [shared, unlocked, early];
  return `${evidence.length ? `In etcd: ${evidence.join('; ')}.` : 'In etcd, the lock\'s key was there whenever a section started and ended.'} Likely causes: ${causes.join('; ')}.`;
}

/**
 * withLock() with a critical section that returns or throws; the relay holds
 * the release. The lock must be released before withLock() settles: its key
 * gone when the outcome arrives.
 */
async function releaseBeforeSettling(ctx: CheckContext, mode: 'return' | 'throw'): Promise<void> {
  const name = lockName(ctx);
  const token = `${mode === 'throw' ? 'critical section failed' : 'critical section result'} (${ctx.rng.token(5)})`;
  const relay = await startRelay(ctx);
  const client = relay ? ctx.client({ hosts: relay.hosts, label: 'relayed' }) : ctx.client();
  let held: LockKey[] | undefined;
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const call = ctx.student.attempt('withLock', [client, name, ctx.student.box.callback(async () => {
    held = await lockKeys(ctx, name);
    // From here on the student's requests (the release) wait in the relay.
    relay?.hold();
    entered();
    if (mode === 'throw') throw new Error(token);
    return token;
  })]);
  await Promise.race([inside, call]);
  const early = relay && held !== undefined ? await settledWithin(call, HOLD_MS) : false;
  relay?.letGo();
  const outcome = await call;
  const what = `withLock(client, ${show(name)}, critical)`;
  if (held === undefined) {
    if (!outcome.ok) throw failed(ctx.student, outcome);
    throw new CheckFailure(`${what} resolved without running its critical section`, { actual: outcome.value });
  }
  // What it settled with.
  if (mode === 'throw') {
    if (outcome.ok) {
      throw new CheckFailure(`${what} resolved with ${show(outcome.value)} although its critical section threw`, {
        expected: `a rejection with the critical section's error: ${token}`, explain: 'Release the lock in a finally block and let the error through.',
      });
    }
    if (outcome.kind !== 'threw' || outcome.error.todo || outcome.error.name === 'MissingExport') throw failed(ctx.student, outcome);
    expect(outcome.error.message.includes(token), `${what} rejected with "${outcome.error.message.split('\n')[0]}", not the critical section's error`, {
      expected: token, actual: outcome.error.message.split('\n')[0], explain: 'Let the error of critical() through unchanged (try/finally, no catch).',
    });
  } else {
    if (!outcome.ok) throw failed(ctx.student, outcome);
    expect(outcome.value === token, `${what} resolved to ${show(outcome.value)} instead of what its critical section returned`, { expected: token, actual: outcome.value, explain: 'return await critical();' });
  }
  // The lock: held while the section ran, released before withLock() settled.
  expect(held.length > 0, `${what} ran its critical section while no key existed under ${show(name)}: nothing was locked in etcd`, {
    expected: 'the lock\'s key in etcd while the critical section runs', explain: 'Acquire the lock (await lock.acquire()) before running the section.',
  });
  const settledWord = mode === 'throw' ? 'rejected' : 'resolved';
  if (!early && (await lockKeys(ctx, name)).length === 0) return;
  // It settled while the lock was held: did the release come later (not awaited), or not at all?
  const later = await waitFor(async () => (await lockKeys(ctx, name)).length === 0, 1000, 50);
  throw new CheckFailure(`${what} ${settledWord} while the lock was still held: its key was still there`, {
    expected: `the lock released (its key gone) before withLock() ${settledWord}`,
    actual: later !== undefined ? `the key went ${later} ms after withLock() had ${settledWord}` : await lockLeases(ctx, name),
    explain: later !== undefined
      ? 'The release was started but not awaited: `await lock.release()` in the finally block.'
      : `The lock was not released${mode === 'throw' ? ' when the critical section threw' : ''}: release it in a finally block (\`try { return await critical(); } finally { await lock.release(); }\`). Its lease is kept alive, so it would stay held for ever.`,
  });
}

/**
 * A try of etcd3's lock() starts with a lease grant. A waiter that retries at
 * once sends the next grant right after the last try's answer: the pause
 * before it is the lab process's own turn, its median under 2 ms with the
 * machine at a load of 12 (single ones up to 50 ms: the process preempted).
 * The solution's median pause is 60-100 ms; a fixed sleep of 10 ms is 10 ms.
 * Decided from the lab process's own log of its client's requests, not from
 * how long anything took.
 */
const MIN_MEDIAN_PAUSE_MS = 5;
const TRY_STARTS_WITH = 'Lease.leaseGrant';

/** After a long wait for a held lock: did the waiter pause between tries? */
async function expectPauses(ctx: CheckContext, waiter: StudentCode, client: ClientArg): Promise<void> {
  const pacing = await waiter.probe<RpcPacing>('rpcPacing', [client, TRY_STARTS_WITH]);
  // Fewer than 5 tries after the first: not etcd3's lock(), or no real wait; nothing to judge.
  if (!pacing.ok || pacing.value.pausesMs.length < 5) return;
  const { requests, spanMs, pausesMs } = pacing.value;
  const median = [...pausesMs].sort((a, b) => a - b)[Math.floor(pausesMs.length / 2)];
  expect(median >= MIN_MEDIAN_PAUSE_MS, `while it waited for the held lock, withLock() tried again without pausing: ${pausesMs.length + 1} tries (${requests} requests) in ${(spanMs / 1000).toFixed(1)} s, each try sent ${median.toFixed(1)} ms (the median) after the last one failed`, {
    expected: 'a pause between tries: tens of ms, random',
    actual: `pauses before the tries (ms): ${pausesMs.slice(0, 8).map((p) => p.toFixed(1)).join(', ')}${pausesMs.length > 8 ? ', …' : ''}`,
    explain: 'After EtcdLockFailedError, sleep a little (tens of ms, random) before the next try. Each try is three requests (a lease, a transaction, the lease revoked): retrying at once keeps etcd busy for nothing, and waiters that retry in step keep colliding.',
  });
  ctx.note(`the waiter tried ${pausesMs.length + 1} times, pausing ${median.toFixed(0)} ms (the median) between tries`);
}

const checks: LabChecks = {
  async 'mutual-exclusion'(ctx) {
    const name = lockName(ctx);
    const counter = `/lab09/counter-${ctx.rng.token(4)}`;
    await ctx.kv.put(counter).value('0').exec();
    const workers = Array.from({ length: WORKERS }, () => ctx.spawn());
    // Start line: every process loaded before the first call, so their calls
    // really do race (a process still starting would just come last, and a lock
    // that only works inside one process would go unnoticed).
    await Promise.all(workers.map((w) => w.probe('describe', [null])));
    let inside = 0;
    let most = 0;
    const overlaps: string[] = [];
    const seen: Sightings = { unlocked: [], lostDuring: [] };
    // The checker's critical section: read, think, write. Two at once lose an update.
    const critical = (who: string) => async () => {
      inside++;
      most = Math.max(most, inside);
      if (inside > 1) overlaps.push(who);
      try {
        const entry = await lockKeys(ctx, name);
        const n = Number(await ctx.kv.get(counter).string());
        await sleep(ctx.rng.int(10, 30));
        await ctx.kv.put(counter).value(String(n + 1)).exec();
        const exit = await lockKeys(ctx, name);
        if (entry.length === 0) seen.unlocked.push(who);
        else if (!exit.some((k) => k.createRevision === entry[0].createRevision)) seen.lostDuring.push(who);
        return `${who} made it ${n + 1}`;
      } finally {
        inside--;
      }
    };
    const calls = workers.flatMap((worker, w) => Array.from({ length: PARALLEL }, async (_, p) => {
      const results: { who: string; outcome: CallOutcome }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const who = `process ${w + 1} client ${p + 1} call ${round + 1}`;
        const outcome = await worker.attempt('withLock', [ctx.client({ label: `worker-${p}` }), name, worker.box.callback(critical(who))]);
        results.push({ who, outcome });
        if (!outcome.ok) break;
      }
      return { worker, results };
    }));
    const done = await Promise.all(calls);
    for (const { worker, results } of done) {
      for (const { outcome } of results) if (!outcome.ok) throw failed(worker, outcome);
    }
    const total = WORKERS * PARALLEL * ROUNDS;
    const final = Number(await ctx.kv.get(counter).string());
    const shown = overlaps.slice(0, 3);
    expect(overlaps.length === 0, `up to ${most} critical sections ran at the same time (${show(shown)}${overlaps.length > shown.length ? ` and ${overlaps.length - shown.length} more` : ''} entered while another was inside)`, {
      expected: 'one at a time',
      actual: `${total} increments ended at ${final}: ${total - final} lost`,
      explain: `The workers are separate processes with separate clients: only a lock held in etcd keeps them apart. ${overlapCauses(seen)}`,
    });
    expect(final === total, `${total} increments under the lock ended at ${final}`, { expected: total, actual: final });
    const values = done.flatMap((d) => d.results.map((r) => ({ who: r.who, value: r.outcome.ok ? r.outcome.value : undefined })));
    const wrong = values.filter((v) => typeof v.value !== 'string' || !v.value.startsWith(v.who));
    expect(wrong.length === 0, `withLock() resolved to ${show(wrong[0]?.value)} instead of what its critical section returned`, {
      expected: `what critical() returned, e.g. "${wrong[0]?.who} made it …"`, actual: wrong[0]?.value, explain: 'return await critical();',
    });
    ctx.note(`${total} increments from ${WORKERS} processes × ${PARALLEL} clients: none lost, never two at once`);
  },

  async 'releases-on-return'(ctx) {
    await releaseBeforeSettling(ctx, 'return');
  },

  async 'releases-on-throw'(ctx) {
    await releaseBeforeSettling(ctx, 'throw');
  },

  async 'other-errors'(ctx) {
    const name = lockName(ctx);
    // An etcd that refuses connections: acquire() fails with a connection error, not with "held".
    const nowhere = await refusedEndpoint();
    let ran = false;
    const limitMs = 4000;
    const outcome = await ctx.student.attempt('withLock', [ctx.client({ hosts: [nowhere], label: 'unreachable' }), name, ctx.student.box.callback(async () => {
      ran = true;
      return 'ran';
    })], { timeoutMs: limitMs });
    const what = `withLock(client, ${show(name)}, critical) with a client whose etcd refuses connections`;
    expect(!ran, `${what} ran the critical section although it could not take the lock`, {
      expected: 'a rejection with the error of acquire(), the critical section not run',
      actual: outcome.ok ? `resolved to ${show(outcome.value)}` : outcome.kind,
      explain: 'Only EtcdLockFailedError means "someone holds it, try again"; any other error of acquire() means there is no lock: let it through (rethrow it) before the critical section.',
    });
    if (outcome.ok) throw new CheckFailure(`${what} resolved to ${show(outcome.value)}`, { expected: 'a rejection with the error of acquire()' });
    expect(outcome.kind !== 'timeout', `${what} did not settle within ${limitMs / 1000} s`, {
      expected: 'a rejection at once, with the error of acquire() (GRPCUnavailableError, BrokenCircuitError)',
      actual: 'still waiting: it keeps trying',
      explain: 'Retry only when acquire() rejects with EtcdLockFailedError (someone holds the lock). Any other error will not go away by waiting: rethrow it.',
    });
    if (outcome.kind !== 'threw' || outcome.error.todo || outcome.error.name === 'MissingExport') throw failed(ctx.student, outcome);
    expect(outcome.error.name !== 'EtcdLockFailedError', `${what} rejected with EtcdLockFailedError, as if someone held the lock`, {
      expected: 'the error of acquire(): etcd could not be reached', actual: `${outcome.error.name}: ${outcome.error.message.split('\n')[0]}`,
      explain: 'Let the error of acquire() through as it is: nobody holds the lock, etcd is not there.',
    });
    ctx.note(`rejected with ${outcome.error.name} after ${(outcome.ms / 1000).toFixed(1)} s`);
  },

  async 'killed-holder'(ctx) {
    const name = lockName(ctx);
    const ttl = await ctx.student.call<number>('LOCK_TTL_SECONDS');
    const holder = ctx.spawn();
    const waiter = ctx.spawn();
    await waiter.attempt('LOCK_TTL_SECONDS'); // loaded before the clock runs
    let release!: () => void;
    const hold = new Promise<string>((resolve) => (release = () => resolve('released')));
    let holding!: () => void;
    const holds = new Promise<void>((resolve) => (holding = resolve));
    // The holder enters and never leaves: its critical section waits until we kill it.
    const held = holder.attempt('withLock', [ctx.client({ label: 'holder' }), name, holder.box.callback(() => {
      holding();
      return hold;
    })], { timeoutMs: KILLED_HOLDER_CALL_MS });
    const entered = await Promise.race([holds.then(() => true), held.then(() => false)]);
    if (!entered) {
      const outcome = await held;
      if (!outcome.ok) throw failed(holder, outcome, KILLED_HOLDER_CALL_MS);
      throw new CheckFailure('withLock() resolved without running its critical section');
    }
    const enteredAt = performance.now();
    try {
      const keys = await lockKeys(ctx, name);
      expect(keys.length > 0, `the holder's withLock() ran its critical section while no key existed under ${show(name)}: nothing was locked in etcd`, {
        expected: 'the lock\'s key in etcd while the critical section runs', explain: 'Acquire the lock (await lock.acquire()) before running the section.',
      });
      const mine = keys[0];
      const lease = mine.lease !== '0' ? await leaseInfo(ctx, mine.lease) : undefined;
      // The TTL the lab promises (LOCK_TTL_SECONDS, as this cluster grants it), and the lease the lock really has.
      const lockTtl = await effectiveTtl(ctx, typeof ttl === 'number' && ttl >= 1 ? Math.round(ttl) : 2);
      const leaseTtl = lease?.granted ?? lockTtl;
      let waiterIn: number | undefined;
      let waiterDone = false;
      const waiterClient = ctx.client({ label: 'waiter' });
      const waiting = waiter.attempt('withLock', [waiterClient, name, waiter.box.callback(async () => {
        waiterIn = performance.now();
        return 'ok';
      })], { timeoutMs: KILLED_HOLDER_CALL_MS });
      void waiting.then(() => (waiterDone = true));
      // The holder stays inside longer than the lock's TTL: its lease must be renewed meanwhile.
      // 2 s past the TTL: etcd revokes an expired lease within ~0.5 s (its lessor's tick), so an
      // unrenewed lock is gone by then, even on a loaded machine.
      const insideMs = Math.min(Math.max(lockTtl, leaseTtl), 6) * 1000 + 2000;
      let lostAt: number | undefined;
      await waitFor(async () => {
        if (lostAt === undefined && !(await lockKeys(ctx, name)).some((k) => k.createRevision === mine.createRevision)) lostAt = performance.now();
        return waiterIn !== undefined || lostAt !== undefined || waiterDone;
      }, insideMs - (performance.now() - enteredAt), 100);
      if (waiterDone && waiterIn === undefined) {
        const outcome = await waiting;
        if (!outcome.ok) throw failed(waiter, outcome, KILLED_HOLDER_CALL_MS);
        throw new CheckFailure('the waiting process\'s withLock() resolved without running its critical section', { actual: outcome.value });
      }
      if (lostAt !== undefined || waiterIn !== undefined) {
        const after = (((lostAt ?? waiterIn)! - enteredAt) / 1000).toFixed(1);
        throw new CheckFailure(lostAt !== undefined
          ? `the holder lost the lock ${after} s into its critical section, while it was still running (the lock's TTL: ${lockTtl} s)`
          : `a second process got the lock ${after} s into the holder's critical section, while the holder's key still existed`, {
          expected: `the lock held for as long as the critical section runs (here ${(insideMs / 1000).toFixed(0)} s, longer than the TTL)`,
          actual: await lockLeases(ctx, name),
          explain: lostAt !== undefined
            ? 'The lock\'s lease ran out while its holder was alive: nothing renewed it. etcd3\'s client.lock() keeps its lease alive until release(); a lease of your own needs its keepalives (no { autoKeepAlive: false }).'
            : 'The lock is not exclusive: taking it must be one request that creates the key only if it is absent (client.lock(name) does).',
        });
      }
      const leases = await lockLeases(ctx, name);
      const term = await raftTerm(ctx);
      holder.box.kill('SIGKILL');
      const killedAt = performance.now();
      // The waiter gets in once the holder's lease expires (lockTtl after its last renewal) and etcd
      // revokes it (its lessor's tick, 0.5 s), plus one retry of the waiter: 1.5 s of margin, proven
      // with both cores busy. A new leader elected meanwhile renews every lease once: one TTL more.
      let limitMs = (lockTtl + 1.5) * 1000;
      let got = await waitFor(() => waiterIn !== undefined, limitMs, 20);
      if (got === undefined && (await raftTerm(ctx)) !== term) {
        limitMs += (lockTtl + 1) * 1000;
        got = await waitFor(() => waiterIn !== undefined, limitMs - (performance.now() - killedAt), 20);
      }
      if (waiterIn === undefined) {
        const outcome = await Promise.race([waiting, sleep(0).then(() => undefined)]);
        if (outcome && !outcome.ok) throw failed(waiter, outcome, KILLED_HOLDER_CALL_MS);
        const freed = !(await lockKeys(ctx, name)).some((k) => k.createRevision === mine.createRevision);
        throw new CheckFailure(freed
          ? `the lock was free, but the waiting process had not taken it ${(limitMs / 1000).toFixed(1)} s after its holder was killed`
          : `the lock was still held ${(limitMs / 1000).toFixed(1)} s after its holder was killed`, {
          expected: `the waiter in within the lock's TTL (LOCK_TTL_SECONDS = ${ttl}) + 1.5 s`,
          actual: freed ? 'the holder\'s key gone, the waiter still waiting' : leases,
          explain: freed
            ? 'The waiter retries too slowly: after EtcdLockFailedError, sleep a little (tens of ms, random) and try again.'
            : 'A crashed holder keeps the lock until its lease expires. etcd3\'s lock() uses a 30 s lease unless you set .ttl(LOCK_TTL_SECONDS).',
        });
      }
      ctx.note(`the holder kept the lock ${(insideMs / 1000).toFixed(0)} s (TTL ${lockTtl} s); it passed to the next process ${((waiterIn - killedAt) / 1000).toFixed(1)} s after its holder was killed`);
      const last = await waiting;
      if (!last.ok) throw failed(waiter, last, KILLED_HOLDER_CALL_MS);
      await expectPauses(ctx, waiter, waiterClient);
    } finally {
      release();
    }
  },
};

export default checks;
