/**
 * Lab 03 checks: the notebook's logged-users registry under /logged_users/.
 * Random users (non-ASCII included) and decoy keys that share the prefix
 * without its trailing slash.
 */
import { hostname as osHostname } from 'node:os';
import type { LoggedUser } from '../kit.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { hostname, users } from './helpers/data.ts';
import { expect, show } from '../runner/failure.ts';
import { ROOT, registered as registeredUsers, writeDecoys } from './helpers/logged-users.ts';

async function registered(ctx: CheckContext): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await registeredUsers(ctx)).map(([name, u]) => [name, u.hostname]));
}

async function expectOnlyDecoysOutside(ctx: CheckContext, decoys: string[], what: string): Promise<void> {
  const outside = (await ctx.kv.getAll().prefix('/logged_users').keys()).filter((k) => !k.startsWith(ROOT) && !decoys.includes(k));
  expect(outside.length === 0, `${what} wrote keys outside ${ROOT}`, { actual: outside, explain: `A user's key is ${ROOT}<username>, with the slash.` });
}

const checks: LabChecks = {
  async 'current-user'(ctx) {
    const [first, second] = [`u${ctx.rng.token(5)}`, `v${ctx.rng.token(5)}`];
    const cases: [Record<string, string | null>, string, string][] = [
      [{ LOGNAME: first, USER: second, LNAME: null, USERNAME: null }, first, 'LOGNAME is checked first'],
      [{ LOGNAME: null, USER: second, LNAME: null, USERNAME: first }, second, 'USER comes before USERNAME'],
    ];
    for (const [env, expected, rule] of cases) {
      const result = await ctx.student.call<LoggedUser>('currentUser', [], { env });
      const set = Object.entries(env).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`).join(' ');
      expect(result && typeof result === 'object', 'currentUser() must return { username, hostname }', { actual: result });
      expect(result.username === expected, `with ${set} currentUser().username should be ${show(expected)} (${rule})`, {
        expected, actual: result.username,
        explain: 'Like Python\'s getpass.getuser(): the first of LOGNAME, USER, LNAME, USERNAME that is set, else os.userInfo().username.',
      });
      expect(result.hostname === osHostname(), 'currentUser().hostname is not this machine\'s name', { expected: osHostname(), actual: result.hostname });
    }
  },

  async 'register-user'(ctx) {
    const decoys = await writeDecoys(ctx);
    const expected: Record<string, string> = {};
    for (const name of users(ctx.rng, 3)) {
      const host = hostname(ctx.rng);
      expected[name] = host;
      await ctx.student.call('registerUser', [ctx.client(), name, host]);
    }
    const found = await registered(ctx);
    for (const [name, host] of Object.entries(expected)) {
      expect(found[name] === host, `after registerUser(client, ${show(name)}, ${show(host)}), ${ROOT}${name} is ${show(found[name] ?? 'missing')}`, {
        expected: host, actual: found[name] ?? '(no such key)',
      });
    }
    await expectOnlyDecoysOutside(ctx, decoys, 'registerUser()');
    expect(Object.keys(found).length === Object.keys(expected).length, 'registerUser() wrote more users than it was given', { expected: Object.keys(expected), actual: Object.keys(found) });
  },

  async 'register-users'(ctx) {
    const names = users(ctx.rng, ctx.rng.int(5, 25));
    const host = hostname(ctx.rng);
    await ctx.student.call('registerUsers', [ctx.client(), names, host]);
    const found = await registered(ctx);
    const missing = names.filter((n) => found[n] !== host);
    expect(missing.length === 0, `registerUsers() did not register ${missing.length} of ${names.length} users with hostname ${show(host)}`, {
      expected: names.length, actual: `missing or wrong: ${show(missing.slice(0, 6))}`,
    });
    const extra = Object.keys(found).filter((n) => !names.includes(n));
    expect(extra.length === 0, 'registerUsers() registered users that were not in the list', { actual: extra });
  },

  async 'list-users'(ctx) {
    await writeDecoys(ctx);
    const expected: Record<string, string> = {};
    for (const name of users(ctx.rng, ctx.rng.int(4, 12))) expected[name] = hostname(ctx.rng);
    await Promise.all(Object.entries(expected).map(([n, h]) => ctx.kv.put(ROOT + n).value(h).exec()));
    const listed = await ctx.student.call<Record<string, string>>('listLoggedUsers', [ctx.client()]);
    expect(listed && typeof listed === 'object' && !Array.isArray(listed), 'listLoggedUsers() must resolve to an object { username: hostname }', { actual: listed });
    const keys = Object.keys(listed);
    const fullKeys = keys.filter((k) => k.startsWith(ROOT));
    expect(fullKeys.length === 0, 'listLoggedUsers() returned full keys; the contract wants user names', {
      expected: Object.keys(expected).slice(0, 3), actual: fullKeys.slice(0, 3), explain: `Strip "${ROOT}" from each key.`,
    });
    const extra = keys.filter((k) => !(k in expected));
    expect(extra.length === 0, `listLoggedUsers() returned ${extra.length} entries that are not users under ${ROOT}`, {
      actual: extra,
      explain: 'A prefix without the final slash, "/logged_users", also matches /logged_users_archive/... and /logged_users itself.',
    });
    const wrong = Object.keys(expected).filter((n) => listed[n] !== expected[n]);
    expect(wrong.length === 0, `listLoggedUsers() is wrong for ${wrong.length} of ${Object.keys(expected).length} users`, {
      expected: Object.fromEntries(wrong.slice(0, 4).map((n) => [n, expected[n]])),
      actual: Object.fromEntries(wrong.slice(0, 4).map((n) => [n, listed[n] ?? '(missing)'])),
    });
  },
};

export default checks;
