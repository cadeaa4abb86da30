/**
 * Test data pools. Checks draw from them with the run's seed, so every run
 * uses different names and values and a hard-coded answer cannot pass.
 */
import type { Random } from '../../runner/random.ts';

/** The notebook's users, plus names whose bytes are not ASCII. */
export const USER_NAMES = [
  'Adam', 'Borys', 'Cezary', 'Damian', 'Emil', 'Filip', 'Gustaw', 'Henryk', 'Ignacy', 'Jacek', 'Kamil', 'Leon',
  'Marek', 'Norbert', 'Oskar', 'Patryk', 'Rafał', 'Stefan', 'Tadeusz', 'Łucja', 'Zoë', 'Ólafur', 'Søren', 'Çelik',
  'Ängel', 'José', 'Nguyễn', 'Иван', 'Ελένη', '李雷', 'アキラ', 'Ada', 'Grace', 'Linus', 'Barbara', 'Ken',
];

/** The 19 users of the etcd3 notebook (task 2), in its order. */
export const NOTEBOOK_USERS = USER_NAMES.slice(0, 19);

const WORDS = ['alpha', 'bravo', 'délta', 'echo', 'fox', 'golf', 'hôtel', 'india', 'kilo', 'lima', 'mike', 'ñandú', 'oscar', 'papa', 'zulu'];

export function hostname(rng: Random): string {
  return `${rng.pick(['ws', 'lab', 'pc', 'node', 'notebook'])}-${rng.token(5)}`;
}

/** A value with spaces and always some non-ASCII text (so an encoding mistake always shows). */
export function value(rng: Random): string {
  const parts = Array.from({ length: rng.int(1, 3) }, () => rng.pick(WORDS));
  parts.push(rng.pick(['😀', '✓', '€', '中文', 'ñ', 'ø']));
  return `${rng.shuffle(parts).join(' ')} ${rng.token(4)}`;
}

/** `count` distinct user names, at least one of them non-ASCII. */
export function users(rng: Random, count: number): string[] {
  const nonAscii = USER_NAMES.filter((n) => /[^\x00-\x7f]/.test(n));
  const first = rng.pick(nonAscii);
  return [first, ...rng.sample(USER_NAMES.filter((n) => n !== first), count - 1)];
}

/** Byte-order comparison of UTF-8 strings: how etcd orders keys (and values, when asked to sort by them). */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
