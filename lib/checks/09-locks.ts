/**
 * Lab 09 checks: a lock that holds across processes.
 *
 * The critical sections are the checker's own code (a slow read-modify-write
 * of a counter), called back from the student's withLock() in several lab
 * processes with clients of their own: the checker sees directly whether two
 * were ever inside at once, and whether an increment was lost. Holders throw,
 * and holders get SIGKILLed while inside.
 */
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import type { StudentCode } from '../runner/student.ts';
import { sleep } from './helpers/time.ts';
import type { CallOutcome } from '../sandbox/sandbox.ts';
import { effectiveTtl, leaseInfo } from './helpers/leases.ts';

const WORKERS = 3;
const PARALLEL = 2;
const ROUNDS = 2;

function lockName(ctx: CheckContext): string {
  return `/locks/${ctx.rng.token(6)}`;
}

/** A failed withLock() call as a sentence, with the lesson when it is etcd3's try-lock. */
function failed(worker: StudentCode, outcome: Exclude<CallOutcome, { ok: true }>): CheckFailure {
  const tryLock = outcome.kind === 'threw' && outcome.error.name === 'EtcdLockFailedError';
  return worker.failure('withLock()', outcome, undefined, {
    explain: tryLock ? 'etcd3\'s lock().acquire() does not wait: it fails at once while someone else holds the lock. Catch EtcdLockFailedError, wait a little, and try again.' : undefined,
  });
}

/** The lease TTLs of the keys under the lock's name: what a crashed holder leaves behind. */
async function lockLeases(ctx: CheckContext, name: string): Promise<string> {
  const res = await ctx.kv.getAll().prefix(name).exec();
  const found = await Promise.all(res.kvs.map(async (kv) => {
    const lease = kv.lease !== '0' ? await leaseInfo(ctx, kv.lease) : undefined;
    return `${kv.key.toString()} ${lease ? `on a lease granted for ${lease.granted} s (${lease.ttl} s left)` : 'without a lease'}`;
  }));
  return found.join('; ') || 'no key under the lock\'s name';
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
    // The checker's critical section: read, think, write. Two at once lose an update.
    const critical = (who: string) => async () => {
      inside++;
      most = Math.max(most, inside);
      if (inside > 1) overlaps.push(who);
      try {
        const n = Number(await ctx.kv.get(counter).string());
        await sleep(ctx.rng.int(10, 30));
        await ctx.kv.put(counter).value(String(n + 1)).exec();
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
    expect(overlaps.length === 0, `up to ${most} critical sections ran at the same time (${show(overlaps.slice(0, 3))} entered while another was inside)`, {
      expected: 'one at a time',
      actual: `${total} increments ended at ${final}: ${total - final} lost`,
      explain: 'The workers are separate processes with separate clients: only a lock held in etcd keeps them apart. A mutex in memory only protects one process.',
    });
    expect(final === total, `${total} increments under the lock ended at ${final}`, { expected: total, actual: final });
    const values = done.flatMap((d) => d.results.map((r) => ({ who: r.who, value: r.outcome.ok ? r.outcome.value : undefined })));
    const wrong = values.filter((v) => typeof v.value !== 'string' || !v.value.startsWith(v.who));
    expect(wrong.length === 0, `withLock() resolved to ${show(wrong[0]?.value)} instead of what its critical section returned`, {
      expected: `what critical() returned, e.g. "${wrong[0]?.who} made it …"`, actual: wrong[0]?.value, explain: 'return await critical();',
    });
    ctx.note(`${total} increments from ${WORKERS} processes × ${PARALLEL} clients: none lost, never two at once`);
  },

  async 'releases-on-throw'(ctx) {
    const name = lockName(ctx);
    const boom = `critical section failed (${ctx.rng.token(5)})`;
    const thrower = await ctx.student.attempt('withLock', [ctx.client(), name, ctx.student.box.callback(async () => {
      throw new Error(boom);
    })]);
    if (thrower.ok) {
      throw new CheckFailure(`withLock() resolved with ${show(thrower.value)} although its critical section threw`, {
        expected: `a rejection with the critical section's error: ${boom}`, explain: 'Release the lock in a finally block and let the error through.',
      });
    }
    if (thrower.kind !== 'threw' || thrower.error.todo || thrower.error.name === 'MissingExport') throw failed(ctx.student, thrower);
    expect(thrower.error.message.includes(boom), `withLock() rejected with "${thrower.error.message.split('\n')[0]}", not the critical section's error`, {
      expected: boom, actual: thrower.error.message.split('\n')[0], explain: 'Let the error of critical() through unchanged (try/finally, no catch).',
    });
    // Another process must get the lock now, long before the lock's lease could expire.
    const other = ctx.spawn();
    await other.attempt('LOCK_TTL_SECONDS'); // started and loaded before the clock runs
    const began = performance.now();
    let enteredAt: number | undefined;
    const second = await other.attempt('withLock', [ctx.client({ label: 'second' }), name, other.box.callback(async () => {
      enteredAt = performance.now() - began;
      return 'ok';
    })], { timeoutMs: 4000 });
    if (enteredAt === undefined) {
      throw new CheckFailure(`after a critical section threw, another process could not get the lock for ${second.ok ? '?' : (second.ms / 1000).toFixed(0)} s`, {
        expected: 'the lock free at once',
        actual: await lockLeases(ctx, name),
        explain: 'The lock is still held, and kept alive: withLock() must release it in a finally block, whatever critical() does.',
      });
    }
    expect(enteredAt < 1000, `after a critical section threw, another process got the lock only ${(enteredAt / 1000).toFixed(1)} s later`, {
      expected: 'at once (well under a second)',
      explain: 'The lock was only freed when its lease expired: release it in a finally block.',
    });
    if (!second.ok) throw failed(other, second);
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
    })], { timeoutMs: 20_000 });
    const entered = await Promise.race([holds.then(() => true), held.then(() => false)]);
    if (!entered) {
      const outcome = await held;
      if (!outcome.ok) throw failed(holder, outcome);
      throw new CheckFailure('withLock() resolved without running its critical section');
    }
    try {
      let waiterIn: number | undefined;
      const waiting = waiter.attempt('withLock', [ctx.client({ label: 'waiter' }), name, waiter.box.callback(async () => {
        waiterIn = performance.now();
        return 'ok';
      })], { timeoutMs: 20_000 });
      await sleep(400);
      expect(waiterIn === undefined, 'a second process got the lock while its holder was still inside the critical section', {
        expected: 'the second waits', explain: 'Only one holder at a time: the lock must be a key in etcd that the second cannot create while it exists.',
      });
      const lockTtl = await effectiveTtl(ctx, typeof ttl === 'number' && ttl >= 1 ? Math.round(ttl) : 2);
      const leases = await lockLeases(ctx, name);
      holder.box.kill('SIGKILL');
      const killedAt = performance.now();
      const limitMs = (lockTtl + 1.5) * 1000;
      const outcome = await Promise.race([waiting, sleep(limitMs).then(() => undefined)]);
      if (waiterIn === undefined) {
        if (outcome && !outcome.ok) throw failed(waiter, outcome);
        throw new CheckFailure(`the lock was still held ${(limitMs / 1000).toFixed(1)} s after its holder was killed`, {
          expected: `free within the lock's TTL (LOCK_TTL_SECONDS = ${ttl}) + 1.5 s`,
          actual: leases,
          explain: 'A crashed holder keeps the lock until its lease expires. etcd3\'s lock() uses a 30 s lease unless you set .ttl(LOCK_TTL_SECONDS).',
        });
      }
      ctx.note(`the lock passed to the next process ${((waiterIn - killedAt) / 1000).toFixed(1)} s after its holder was killed (lease TTL ${lockTtl} s)`);
      const last = await waiting;
      if (!last.ok) throw failed(waiter, last);
    } finally {
      release();
    }
  },
};

export default checks;
