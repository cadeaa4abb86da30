/**
 * Lab 16's scenario, phase by phase. Each phase has keys, clients and a
 * history of its own (checked on its own: the checker starts every key from
 * the empty list), random traffic from about two clients per member, the
 * probes of probes.ts, its faults as events on the history's clock, and at
 * its end a read of every key on every member's service.
 *
 * 1. calm: 3 members, no faults; the burst, lose, retry and neighbours probes;
 * 2. leader-killed: the leader is killed (SIGKILL) under traffic, a new one
 *    is elected, the old one restarted;
 * 3. service-killed: a service dies right after a commit (the crash probe),
 *    another is killed mid-request; both start again on their ports;
 * 4. partition: 5 members, cut {3 | 2} with the leader on the side of 2; the
 *    minority probe; the heal; then every key read on every member (the
 *    final read).
 *
 * A phase is played once per run, by the first check that needs it, and
 * only once the one before it has been (`playedPhase`): a check that fails
 * in the first phase does not wait for the others.
 */
import type { CheckContext } from '../../../runner/context.ts';
import { Random } from '../../../runner/random.ts';
import type { ThrownError } from '../../../sandbox/protocol.ts';
import { sleep } from '../time.ts';
import { type Endpoint, HANG_MS, makeClients, read, runWorkload, write } from './clients.ts';
import { type World, agreedLeader, watchLeader, world3, world5 } from './clusters.ts';
import { type BurstResult, type EarlyAck, burst as burstProbe, crash, lose, neighbours, probeClient, readEverywhere, retry } from './probes.ts';
import { Recorder } from './recorder.ts';
import type { Service } from './services.ts';

export const PHASES = ['calm', 'leader-killed', 'service-killed', 'partition'] as const;
export type PhaseName = (typeof PHASES)[number];

export const PHASE_TITLES: Record<PhaseName, string> = {
  calm: 'no faults',
  'leader-killed': 'leader killed and restarted',
  'service-killed': 'a service killed mid-request and restarted',
  partition: 'partition {3 | 2} with the leader on the minority side, then the heal',
};

/** One member's answers to the final read of one key (after the heal). */
export interface FinalRead {
  key: string;
  member: string;
  /** The list, when the service answered one. */
  value?: string[];
  /** Its last answer otherwise. */
  reply?: string;
}

export interface Phase {
  name: PhaseName;
  index: number;
  title: string;
  rec: Recorder;
  keys: string[];
  clients: number;
  members: string[];
  burst?: BurstResult;
  earlyAcks: EarlyAck[];
  finalReads: FinalRead[];
  /** Members whose service's process died without the harness killing it. */
  crashed: string[];
  /** Errors the services threw outside any request. */
  stray: { member: string; error: ThrownError }[];
  /** What setting the scene took (a cut made twice, a probe that could not run). */
  setup: string[];
  ms: number;
}

/** Phase `name`, played once per run, after the phases before it. */
export function playedPhase(ctx: CheckContext, name: PhaseName): Promise<Phase> {
  return ctx.once(`kv-phase-${name}`, async () => {
    const index = PHASES.indexOf(name);
    if (index > 0) await playedPhase(ctx, PHASES[index - 1]);
    return play(ctx, name, index);
  });
}

/** The cluster could not play its part: not the student's doing. */
export function sceneFailed(reason: string): Error {
  return new Error(`the lab's own cluster could not play the scenario: ${reason}. This says nothing about your code (a busy machine makes elections slow): run the lab again`);
}

const KEY_PREFIX: Record<PhaseName, string> = { calm: 'calm', 'leader-killed': 'lead', 'service-killed': 'svc', partition: 'part' };

async function play(ctx: CheckContext, name: PhaseName, index: number): Promise<Phase> {
  const world = name === 'partition' ? await world5(ctx) : await world3(ctx);
  const rng = new Random(ctx.seed, `kv-phase-${name}`);
  const rec = new Recorder(world.origin, HANG_MS);
  const services = world.services;
  const members = services.map((s) => s.member);
  const prefix = KEY_PREFIX[name];
  const keyCount = services.length;
  const keys = Array.from({ length: keyCount }, (_, i) => `${prefix}-${i + 1}`);
  const runId = `${world.runId}-${prefix}`;
  const clients = makeClients(runId, keys, services.length, services.length * 2);
  const phase: Phase = {
    name, index, title: PHASE_TITLES[name], rec, keys: [...keys], clients: clients.length, members,
    earlyAcks: [], finalReads: [], crashed: [], stray: [], setup: [], ms: 0,
  };
  await steady(world);
  const began = performance.now();
  const stopWatching = watchLeader(world, rec);
  const workload = runWorkload(rec, services, clients, rng);
  try {
    switch (name) {
      case 'calm':
        await calm(phase, world, runId, rng);
        break;
      case 'leader-killed':
        await leaderKilled(phase, world);
        break;
      case 'service-killed':
        await serviceKilled(phase, world, runId, rng);
        break;
      case 'partition':
        await partition(phase, world, runId, rng);
        break;
    }
  } finally {
    workload.stop();
    await workload.done;
  }
  // Every key, on every member's service: what a write lost or a service kept to itself shows here.
  if (name === 'partition') await finalRead(phase, services, runId);
  else for (const key of phase.keys) await readEverywhere(rec, services, runId, key);
  await stopWatching();
  await rec.settled();
  for (const s of services) {
    for (const error of s.collectStray()) phase.stray.push({ member: s.member, error });
    if (!s.alive()) phase.crashed.push(s.member);
  }
  phase.ms = performance.now() - began;
  return phase;
}

/** Waits until the members agree on a leader (a phase starts on a cluster that can commit). */
async function steady(world: World): Promise<void> {
  if (!(await agreedLeader(world, 15_000))) throw sceneFailed(`the ${world.cluster.names.length} members agreed on no leader within 15 s`);
}

async function calm(phase: Phase, world: World, runId: string, rng: Random): Promise<void> {
  const { rec } = phase;
  const { services } = world;
  await sleep(300);
  const burst = await burstProbe(rec, services, runId, 'calm-burst');
  phase.burst = burst;
  phase.earlyAcks = burst.earlyAcks;
  phase.keys.push(...burst.keys);
  if (burst.unseen.length) phase.setup.push(`the writes of ${burst.unseen.join(', ')} did not carry those values as sent: the burst could not hold them`);
  if (burst.spoiled) phase.setup.push(`the burst was spoiled ${burst.rounds} times (APPENDs refused before they were held: elections?)`);
  for (const probe of [
    () => lose(rec, services, runId, 'calm-lose', rng.int(0, services.length - 1)),
    () => retry(rec, services, runId, 'calm-retry', rng.int(0, services.length - 1)),
    () => neighbours(rec, services, runId, 'calm-nb'),
  ]) {
    phase.keys.push(...(await probe()).keys);
  }
  await sleep(500);
}

async function leaderKilled(phase: Phase, world: World): Promise<void> {
  const { cluster } = world;
  await sleep(800);
  const leader = await agreedLeader(world, 10_000);
  if (!leader) throw sceneFailed('the 3 members agreed on no leader within 10 s');
  phase.rec.event('kill', `killed ${leader}, the leader (SIGKILL)`);
  await cluster.kill(leader);
  const others = cluster.names.filter((n) => n !== leader);
  const next = await agreedLeader(world, 10_000, others);
  if (!next) phase.setup.push(`${others.join(' and ')} elected no leader within 10 s`);
  await sleep(1000);
  await cluster.restart(leader);
  phase.rec.event('restart', `restarted ${leader}`);
  await sleep(800);
}

async function serviceKilled(phase: Phase, world: World, runId: string, rng: Random): Promise<void> {
  const { rec } = phase;
  const services = world.services;
  await sleep(300);
  const [first, second] = rng.sample(services.map((_, i) => i), 2);
  services[first].prepare();
  const crashed = await crash(rec, services, runId, 'svc-crash', first);
  phase.keys.push(...crashed.keys);
  if (!crashed.crashed) phase.setup.push(`${services[first].member}'s service was not crashed after its commit (${crashed.rounds} tries): its write did not carry the value as sent, or never went through`);
  await sleep(300);
  const victim = services[second];
  // Its next lab process loads now, so that the restart does not wait for node to start.
  victim.prepare();
  await sleep(1500);
  rec.event('kill', `killed ${victim.member}'s service (SIGKILL), mid-request`);
  victim.kill();
  await sleep(500);
  await victim.start();
  rec.event('restart', `${victim.member}'s service started again`);
  await sleep(700);
}

async function partition(phase: Phase, world: World, runId: string, rng: Random): Promise<void> {
  const { rec } = phase;
  const { cluster, services } = world;
  const key = 'part-minority';
  phase.keys.push(key);
  const writer = probeClient(runId, 'minority');
  await write(rec, services, writer, key, 'APPEND', 'minor0', { first: 0 });
  await sleep(500);

  // Cut whoever leads off, with one follower: the leader is then on the side of 2.
  let cut: { minority: string[]; majority: string[] } | undefined;
  for (let attempt = 1; attempt <= 3 && !cut; attempt++) {
    const leader = await agreedLeader(world, 15_000);
    if (!leader) throw sceneFailed('the 5 members agreed on no leader within 15 s');
    const term = (await world.statuses.of(leader, 1000)).term;
    const follower = rng.pick(cluster.names.filter((n) => n !== leader));
    const minority = [leader, follower].sort();
    const majority = cluster.names.filter((n) => !minority.includes(n));
    const at = performance.now();
    cluster.partition([majority, minority]);
    const after = await world.statuses.of(leader, 1000);
    if (after.term === term) {
      rec.event('partition', `cut {${majority.join(', ')} | ${minority.join(', ')}}: ${leader}, the leader, on the side of 2`, at);
      cut = { minority, majority };
    } else {
      phase.setup.push(`an election came between finding the leader and the cut (${leader}: term ${term} → ${after.term ?? 'no answer'}): healed and cut again`);
      cluster.heal();
      await cluster.converged(15_000).catch(() => undefined);
    }
  }
  if (!cut) throw sceneFailed('the leadership kept changing while the network was being cut (3 tries)');
  const majorityServices = services.filter((s) => cut.majority.includes(s.member));
  const minorityServices = services.filter((s) => cut.minority.includes(s.member));
  if (!(await agreedLeader(world, 10_000, cut.majority))) phase.setup.push(`the majority (${cut.majority.join(', ')}) elected no leader within 10 s`);

  // A write the majority commits, then a read on each minority member's service: it must not answer the list from before.
  const committed = await write(rec, majorityServices, writer, key, 'APPEND', 'minor1', { attempts: 6 });
  let askedMinority = performance.now();
  if (committed.outcome === 'ok') {
    askedMinority = performance.now();
    await Promise.all(minorityServices.map((s) => read(rec, services, probeClient(runId, `r-${s.member}`), key, { first: services.indexOf(s), attempts: 1 })));
  } else {
    phase.setup.push('the majority did not commit minor1: the minority reads were not made');
  }
  // Long enough that a request the minority can never answer is seen to hang (HANG_MS), not answered after the heal.
  await sleep(Math.max(2000, askedMinority + HANG_MS + 1000 - performance.now()));
  cluster.heal();
  rec.event('heal', 'healed: every member reaches every other');
  const converged = await cluster.converged(20_000).then(() => true, () => false);
  if (!converged) phase.setup.push('the members had not caught up with each other 20 s after the heal');
  await sleep(800);
}

/** After the heal: every key on every member's service, each tried for up to 5 s until it answers a list. */
async function finalRead(phase: Phase, services: Service[], runId: string): Promise<void> {
  await Promise.all(services.map(async (service, i) => {
    const reader = probeClient(runId, `final-${service.member}`);
    for (const key of phase.keys) {
      const deadline = performance.now() + 5000;
      for (;;) {
        const op = await read(phase.rec, services as Endpoint[], reader, key, { first: i, attempts: 1 });
        if (op.outcome === 'ok') {
          phase.finalReads.push({ key, member: service.member, value: op.output });
          break;
        }
        if (performance.now() > deadline) {
          phase.finalReads.push({ key, member: service.member, reply: op.attempts.at(-1)?.reply });
          break;
        }
        await sleep(300);
      }
    }
  }));
}
