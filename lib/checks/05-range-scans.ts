/**
 * Lab 05 checks: a key range [from, to) of users, sorted by value.
 *
 * Every run the data holds each case that exposes a mistake (seeded
 * randomness varies the rest):
 * - at least 11 users in the range (a `.limit(10)` page drops some);
 * - users exactly at both bounds and just beside them;
 * - names of digits from `from` on ('7', '42'): an object keyed by user name
 *   puts them first, whatever the order they were added in;
 * - the end of the range is a fullwidth name (U+FF21…, 3 bytes in UTF-8)
 *   and users whose names start with an astral character (an emoji: 4 bytes,
 *   a surrogate pair in UTF-16) lie just past it in bytes but before it in
 *   UTF-16: a JavaScript `<` / `>=` filter takes them in;
 * - hostnames whose byte, UTF-16 and locale orders all differ, and orders
 *   (by name, ascending, UTF-16, locale, integer names first) that differ
 *   from each other, so each diagnosis is unambiguous;
 * - keys named like users in the range, outside the prefix.
 * The expected answer is computed here from the data, not by asking etcd
 * the same question.
 */
import { shown } from '../paths.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import type { Random } from '../runner/random.ts';
import { USER_NAMES, byteCompare, hostname } from './helpers/data.ts';
import { CheckFailure, expect, show, todoFailure } from '../runner/failure.ts';
import { listed } from './helpers/lists.ts';
import { ROOT } from './helpers/logged-users.ts';

/** Hostnames whose byte, UTF-16 and locale orders differ ('Zebra' < 'apple' in bytes; 'ｚ' < '😀' in bytes, not in UTF-16). */
const TRAP_HOSTS = ['Zebra', 'apple', 'ｚ-fullwidth', '😀-emoji'];
/** Integer-like names (never '0': it sits below the range, beside its start). */
const DIGIT_NAMES = ['1', '7', '9', '12', '42', '305', '2024', '86'];
/** First characters outside the BMP: after U+FFFF in bytes, before U+E000 in UTF-16. */
const ASTRAL = ['😀', '🦊', '𝒜', '🎉'];
const ASCII_NAMES = USER_NAMES.filter((n) => /^[\x20-\x7e]+$/.test(n));
/** Non-ASCII names below the fullwidth block in both orders (2-byte letters, kana, CJK). */
const WIDE_NAMES = USER_NAMES.filter((n) => /[^\x00-\x7f]/.test(n));

/** 'Ada' → 'Ａｄａ': fullwidth letters, U+FF21-U+FF5A. */
function fullwidth(name: string): string {
  return [...name].map((c) => (/[A-Za-z]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('');
}

/** The name without its last character (a whole code point, never half a surrogate pair). */
function shorter(name: string): string {
  return [...name].slice(0, -1).join('');
}

/** JavaScript moves keys like '7' and '42' to the front of an object, in numeric order. */
export function integerLike(name: string): boolean {
  return /^(0|[1-9]\d{0,8})$/.test(name);
}

interface Population {
  from: string;
  to: string;
  /** Every user name, in range or not. */
  names: string[];
}

function population(rng: Random): Population {
  const digits = rng.sample(DIGIT_NAMES, rng.int(3, 4)).sort(byteCompare);
  const from = digits[rng.int(0, digits.length - 3)];
  const wide = rng.sample(ASCII_NAMES, 3).map(fullwidth).sort(byteCompare);
  const to = wide[rng.int(1, 2)];
  const names = [
    '0', ...digits,
    ...rng.sample(ASCII_NAMES, rng.int(3, 5)),
    ...rng.sample(WIDE_NAMES, rng.int(2, 4)),
    ...wide,
    ...rng.sample(ASTRAL, rng.int(2, 3)).map((e) => `${e}${rng.pick(ASCII_NAMES)}`),
    // Just beside both bounds.
    shorter(from), `${from}a`, shorter(to), `${to}a`,
  ].filter(Boolean);
  const unique = [...new Set(names)];
  // At least 11 in the range, whatever the draw: a page of 10 must be short.
  for (const extra of rng.shuffle(ASCII_NAMES)) {
    if (unique.filter((n) => byteCompare(n, from) >= 0 && byteCompare(n, to) < 0).length >= 11) break;
    if (!unique.includes(extra)) unique.push(extra);
  }
  return { from, to, names: unique };
}

type Pairs = [string, string][];

/** The wrong orders a diagnosis names, each as hostnames in order. */
function candidateOrders(pairs: Pairs): Record<string, string[]> {
  const want = [...pairs].sort((a, b) => byteCompare(b[1], a[1]));
  const byName = [...pairs].sort((a, b) => byteCompare(a[0], b[0])).map(([, h]) => h);
  const integersFirst = [...want.filter(([n]) => integerLike(n)).sort((a, b) => Number(a[0]) - Number(b[0])), ...want.filter(([n]) => !integerLike(n))];
  return {
    want: want.map(([, h]) => h),
    ascending: [...want].reverse().map(([, h]) => h),
    byName,
    byNameDescending: [...byName].reverse(),
    utf16: pairs.map(([, h]) => h).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)),
    locale: pairs.map(([, h]) => h).sort((a, b) => b.localeCompare(a)),
    integersFirst: integersFirst.map(([, h]) => h),
  };
}

function allDistinct(orders: Record<string, string[]>): boolean {
  const seen = Object.values(orders).map((o) => show(o));
  return new Set(seen).size === seen.length;
}

/** Hostnames for the users in range: the traps, the greatest never on an integer-like name, the lowest never on the range's first user, every diagnosis distinct. */
function hostsInRange(rng: Random, inside: string[]): Record<string, string> {
  for (;;) {
    const hosts = [...TRAP_HOSTS.map((t) => `${t}-${rng.token(4)}`), ...inside.slice(TRAP_HOSTS.length).map(() => hostname(rng))];
    const shuffled = rng.shuffle(inside);
    const pairs: Pairs = shuffled.map((n, i) => [n, hosts[i]]);
    const byHost = [...pairs].sort((a, b) => byteCompare(b[1], a[1]));
    // The first user of the range never has the lowest hostname: leaving it out would then look like a page of the first N by hostname.
    const first = [...inside].sort(byteCompare)[0];
    if (!integerLike(byHost[0][0]) && byHost[byHost.length - 1][0] !== first && allDistinct(candidateOrders(pairs))) return Object.fromEntries(pairs);
  }
}

interface Scenario {
  from: string;
  to: string;
  /** What usersInRange must return, in order. */
  expected: Pairs;
  /** Every registered user. */
  all: Record<string, string>;
  returned: Pairs;
  /** The requests usersInRange() sent (probe `rpcs`). */
  requests: string[];
}

async function scenario(ctx: CheckContext): Promise<Scenario> {
  const { from, to, names } = population(ctx.rng);
  const inRange = (n: string) => byteCompare(n, from) >= 0 && byteCompare(n, to) < 0;
  const inside = names.filter(inRange);
  const all: Record<string, string> = { ...hostsInRange(ctx.rng, inside) };
  for (const name of names.filter((n) => !inRange(n))) all[name] = hostname(ctx.rng);
  await Promise.all(Object.entries(all).map(([n, h]) => ctx.kv.put(ROOT + n).value(h).exec()));
  // Decoys outside the prefix, named like users in the range.
  await Promise.all([
    ctx.kv.put(`/logged_users_archive/${ctx.rng.pick(inside)}`).value(`decoy-${ctx.rng.token(4)}`).exec(),
    ctx.kv.put(`/logged_users${ctx.rng.pick(inside)}`).value(`decoy-${ctx.rng.token(4)}`).exec(),
  ]);
  const expected = inside.map((n): [string, string] => [n, all[n]]).sort((a, b) => byteCompare(b[1], a[1]));
  const client = ctx.client({ label: 'counted' });
  await ctx.student.probe('rpcs', [client]);
  const returned = await ctx.student.call<Pairs>('usersInRange', [client, from, to]);
  const logged = await ctx.student.probe<string[]>('rpcs', [client]);
  const requests = (logged.ok ? logged.value : []).filter((r) => !r.startsWith('Auth.'));
  const wellFormed = Array.isArray(returned) && returned.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string');
  expect(wellFormed, 'usersInRange() must resolve to an array of [username, hostname] pairs', { expected: expected.slice(0, 2), actual: returned });
  return { from, to, expected, all, returned, requests };
}

function utf16Between(name: string, from: string, to: string): boolean {
  return name >= from && name < to;
}

/** The set of names must be right: the bounds, the neighbours, the decoys. */
function expectRightUsers(s: Scenario): void {
  const call = `usersInRange(client, ${show(s.from)}, ${show(s.to)})`;
  const got = s.returned.map(([n]) => n);
  const want = s.expected.map(([n]) => n).sort(byteCompare);
  const strangers = got.filter((n) => !(n in s.all));
  expect(strangers.length === 0, `${call} returned entries that are not users under ${ROOT}: ${listed(strangers)}`, {
    actual: listed(strangers),
    explain: strangers.every((n) => n.startsWith(ROOT) && n.slice(ROOT.length) in s.all)
      ? `These are full keys: the answer wants user names. Strip "${ROOT}" from each key.`
      : `Put the prefix on both ends: { start: '${ROOT}' + from, end: '${ROOT}' + to }.`,
  });
  if (got.includes(s.to)) {
    throw new CheckFailure(`${call} returned ${show(s.to)}, the end of the range`, {
      expected: listed(want, 20), actual: listed(got, 20), explain: 'A key range [start, end) leaves the end key out: etcd\'s range end is exclusive.',
    });
  }
  const outside = got.filter((n) => !want.includes(n));
  const astral = outside.filter((n) => utf16Between(n, s.from, s.to));
  expect(outside.length === 0, `${call} returned ${outside.length} user(s) outside the range: ${listed(outside)}`, {
    expected: listed(want, 20), actual: listed(got, 20),
    explain: astral.length === outside.length
      ? `In bytes (etcd's order) ${listed(astral, 2)} come after ${show(s.to)}; in UTF-16, the order of JavaScript's < and >=, they come before it (a character outside the BMP is a surrogate pair, 0xD800…, below ${show(s.to)}'s 0xFF..). Let etcd pick the range (inRange) instead of comparing names in JavaScript.`
      : 'etcd compares keys by their bytes: let etcd pick the range (inRange) instead of filtering yourself.',
  });
  const missing = want.filter((n) => !got.includes(n));
  // A page: the first N by hostname (sorted request) or by name (etcd's default order), and nothing more.
  const asSet = (names: string[]) => show([...names].sort(byteCompare));
  const firstByHost = s.expected.slice(0, got.length).map(([n]) => n);
  const paged = missing.length > 0 && [asSet(firstByHost), asSet(want.slice(0, got.length))].includes(asSet(got));
  if (!paged && missing.includes(s.from)) {
    throw new CheckFailure(`${call} left out ${show(s.from)}, the start of the range`, {
      expected: listed(want, 20), actual: listed(got, 20), explain: 'The start key is part of the range: [start, end) includes its start.',
    });
  }
  expect(missing.length === 0, `${call} left out ${missing.length} of ${want.length} users in the range: ${listed(missing)}`, {
    expected: listed(want, 20), actual: listed(got, 20),
    explain: paged
      ? `It returned the first ${got.length} users of the range and nothing more: a limit on the request? A range answers every key in it unless you ask for fewer.`
      : 'Every key in [from, to) belongs in the answer; etcd compares keys by their bytes.',
  });
  expect(got.length === want.length, `${call} returned some users twice`, { expected: listed(want, 20), actual: listed(got, 20) });
  const wrongHost = s.returned.filter(([n, h]) => s.all[n] !== h);
  expect(wrongHost.length === 0, `${call} paired ${wrongHost.length} user(s) with the wrong hostnames`, { expected: listed(wrongHost.map(([n]) => [n, s.all[n]]), 4), actual: listed(wrongHost, 4) });
}

/** Which wrong order the student's hostnames are in, as a sentence (or the general advice). */
function diagnoseOrder(s: Scenario, got: string[]): string {
  const orders = candidateOrders(s.expected);
  const is = (name: string) => show(got) === show(orders[name]);
  if (is('ascending')) return 'This is ascending. The notebook wants descending: sort(\'Value\', \'Descend\').';
  if (is('byName') || is('byNameDescending')) return 'This is sorted by user name (the key), etcd\'s default. Sort by the hostname (the value): sort(\'Value\', \'Descend\').';
  if (is('integersFirst')) {
    return `The users named like integers (${listed(s.expected.map(([n]) => n).filter(integerLike))}) come first, in numeric order: that is a JavaScript object keyed by user name (objects put integer-like keys first). Map res.kvs, an array, in its order.`;
  }
  if (is('utf16')) return 'This is UTF-16 order (JavaScript\'s < and sort()): "ｚ" (U+FF5A) comes after "😀" there, before it in bytes. etcd sorts bytes: let etcd sort, sort(\'Value\', \'Descend\'), and keep its order.';
  if (is('locale')) return 'This is locale order (localeCompare): "apple" before "Zebra" there, after it in bytes. etcd sorts bytes: let etcd sort, sort(\'Value\', \'Descend\'), and keep its order.';
  return 'etcd sorts values by their bytes; JavaScript\'s sort and localeCompare do not (try "Zebra" vs "apple", or "ｚ" vs "😀"). Let etcd sort: sort(\'Value\', \'Descend\'), and keep the order of res.kvs.';
}

const checks: LabChecks = {
  async 'range-bounds'(ctx) {
    const s = await scenario(ctx);
    expectRightUsers(s);
    expect(show(s.requests) === show(['KV.range']), `usersInRange() sent ${s.requests.length} request(s) to etcd: ${listed(s.requests)}`, {
      expected: 'one: KV.range',
      actual: s.requests,
      explain: 'One request: client.getAll().inRange({ start, end }).sort(\'Value\', \'Descend\').exec() brings the keys and their values, sorted.',
    });
  },

  async 'sorted-by-value'(ctx) {
    const s = await scenario(ctx);
    expectRightUsers(s);
    const got = s.returned.map(([, h]) => h);
    const want = s.expected.map(([, h]) => h);
    if (show(got) === show(want)) return;
    throw new CheckFailure('usersInRange() is not sorted by hostname, descending', { expected: want, actual: got, explain: diagnoseOrder(s, got) });
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
