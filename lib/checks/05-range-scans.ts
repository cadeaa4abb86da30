/**
 * Lab 05 checks: a key range [from, to) of users, sorted by value.
 *
 * Users sit exactly at both bounds and just beside them, the hostnames are
 * chosen so that byte order, UTF-16 order and locale order of the values
 * disagree (only etcd's own sort, or a byte sort, gets them right), and keys
 * named like users in range sit outside the prefix. The expected answer is
 * computed here from the data, not by asking etcd the same question.
 */
import { shown } from '../paths.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { byteCompare, hostname, users } from './helpers/data.ts';
import { CheckFailure, expect, show, todoFailure } from '../runner/failure.ts';
import { ROOT } from './helpers/logged-users.ts';

/** Hostnames whose byte, UTF-16 and locale orders differ ('Zebra' < 'apple' in bytes; 'ｚ' < '😀' in bytes, not in UTF-16). */
const TRAP_HOSTS = ['Zebra', 'apple', 'ｚ-fullwidth', '😀-emoji'];

interface Scenario {
  from: string;
  to: string;
  /** What usersInRange must return, in order. */
  expected: [string, string][];
  /** Every registered user. */
  all: Record<string, string>;
  returned: [string, string][];
}

async function scenario(ctx: CheckContext): Promise<Scenario> {
  const names = users(ctx.rng, ctx.rng.int(10, 16)).sort(byteCompare);
  const i = ctx.rng.int(0, names.length - 5);
  const j = ctx.rng.int(i + 3, names.length - 1);
  const [from, to] = [names[i], names[j]];
  // Neighbours of both bounds: just below and just above each.
  const beside = [from.slice(0, -1), `${from}a`, to.slice(0, -1), `${to}a`].filter((n) => n && !names.includes(n));
  const everyone = [...new Set([...names, ...beside])];
  const inRange = (n: string) => byteCompare(n, from) >= 0 && byteCompare(n, to) < 0;
  const all: Record<string, string> = {};
  const traps = ctx.rng.shuffle(TRAP_HOSTS);
  for (const name of ctx.rng.shuffle(everyone.filter(inRange))) all[name] = `${traps.pop() ?? hostname(ctx.rng)}-${ctx.rng.token(4)}`;
  for (const name of everyone.filter((n) => !inRange(n))) all[name] = hostname(ctx.rng);
  await Promise.all(Object.entries(all).map(([n, h]) => ctx.kv.put(ROOT + n).value(h).exec()));
  // Decoys outside the prefix, named like users in the range.
  const inside = everyone.filter(inRange);
  await Promise.all([
    ctx.kv.put(`/logged_users_archive/${ctx.rng.pick(inside)}`).value(`decoy-${ctx.rng.token(4)}`).exec(),
    ctx.kv.put(`/logged_users${ctx.rng.pick(inside)}`).value(`decoy-${ctx.rng.token(4)}`).exec(),
  ]);
  const expected = inside.map((n): [string, string] => [n, all[n]]).sort((a, b) => byteCompare(b[1], a[1]));
  const returned = await ctx.student.call<[string, string][]>('usersInRange', [ctx.client(), from, to]);
  const wellFormed = Array.isArray(returned) && returned.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string');
  expect(wellFormed, 'usersInRange() must resolve to an array of [username, hostname] pairs', { expected: expected.slice(0, 2), actual: returned });
  return { from, to, expected, all, returned };
}

/** The set of names must be right: the bounds, the neighbours, the decoys. */
function expectRightUsers(s: Scenario): void {
  const call = `usersInRange(client, ${show(s.from)}, ${show(s.to)})`;
  const got = s.returned.map(([n]) => n);
  const want = s.expected.map(([n]) => n).sort(byteCompare);
  if (got.includes(s.to)) {
    throw new CheckFailure(`${call} returned ${show(s.to)}, the end of the range`, {
      expected: want, actual: got, explain: 'A key range [start, end) leaves the end key out: etcd\'s range end is exclusive.',
    });
  }
  if (!got.includes(s.from)) {
    throw new CheckFailure(`${call} left out ${show(s.from)}, the start of the range`, {
      expected: want, actual: got, explain: 'The start key is part of the range.',
    });
  }
  const missing = want.filter((n) => !got.includes(n));
  expect(missing.length === 0, `${call} left out ${missing.length} of ${want.length} users in the range: ${show(missing)}`, { expected: want, actual: got });
  const strangers = got.filter((n) => !(n in s.all));
  expect(strangers.length === 0, `${call} returned entries that are not users under ${ROOT}: ${show(strangers)}`, {
    actual: strangers, explain: `Put the prefix on both ends: { start: '${ROOT}' + from, end: '${ROOT}' + to }.`,
  });
  const outside = got.filter((n) => !want.includes(n));
  expect(outside.length === 0, `${call} returned users outside the range: ${show(outside)}`, {
    expected: want, actual: got, explain: 'etcd compares keys by their bytes: let etcd pick the range instead of filtering yourself.',
  });
  expect(got.length === want.length, `${call} returned some users twice`, { expected: want, actual: got });
  const wrongHost = s.returned.filter(([n, h]) => s.all[n] !== h);
  expect(wrongHost.length === 0, `${call} paired users with the wrong hostnames`, { expected: wrongHost.map(([n]) => [n, s.all[n]]), actual: wrongHost });
}

const checks: LabChecks = {
  async 'range-bounds'(ctx) {
    expectRightUsers(await scenario(ctx));
  },

  async 'sorted-by-value'(ctx) {
    const s = await scenario(ctx);
    expectRightUsers(s);
    const got = s.returned.map(([, h]) => h);
    const want = s.expected.map(([, h]) => h);
    if (show(got) === show(want)) return;
    const byName = [...s.expected].sort((a, b) => byteCompare(a[0], b[0])).map(([, h]) => h);
    const ascending = [...want].reverse();
    const explain =
      show(got) === show(byName) || show(got) === show([...byName].reverse()) ? 'This is sorted by user name (the key), etcd\'s default. Sort by the hostname (the value): sort(\'Value\', \'Descend\').'
      : show(got) === show(ascending) ? 'This is ascending. The notebook wants descending.'
      : 'etcd sorts values by their bytes; JavaScript\'s sort and localeCompare do not (try "Zebra" vs "apple", or "ｚ" vs "😀"). Let etcd sort: sort(\'Value\', \'Descend\').';
    throw new CheckFailure(`usersInRange() is not sorted by hostname, descending`, { expected: want, actual: got, explain });
  },

  async 'exclusive-end'(ctx) {
    const answer = await ctx.student.call('RANGE_END_IS_INCLUSIVE');
    if (answer === undefined) throw todoFailure('RANGE_END_IS_INCLUSIVE', shown(ctx.student.labFile));
    expect(typeof answer === 'boolean', 'RANGE_END_IS_INCLUSIVE must be true or false', { actual: answer });
    expect(answer === false, 'RANGE_END_IS_INCLUSIVE says the end of a range is included; it is not', {
      expected: false,
      actual: answer,
      explain: 'etcd\'s RangeRequest returns keys in [key, range_end): the end is excluded. That is why a prefix read asks for the range [prefix, prefix with its last byte + 1).',
    });
  },
};

export default checks;
