/**
 * Lab 03 checks: the notebook's logged-users registry under /logged_users/.
 * Random users (non-ASCII included) and decoy keys that share the prefix
 * without its trailing slash. currentUser() meets every rule of getpass in
 * every run (each variable's place in the order, an empty one, none at all)
 * and a HOSTNAME variable that lies; the writes go through a wire the check
 * sees (helpers/wire.ts), so a put left without `await` is named every run.
 */
import { hostname as osHostname, userInfo } from 'node:os';
import type { LoggedUser } from '../kit.ts';
import type { CheckContext, LabChecks } from '../runner/context.ts';
import { hostname, users } from './helpers/data.ts';
import { CheckFailure, expect, show } from '../runner/failure.ts';
import { firstEntries, listed } from './helpers/lists.ts';
import { ROOT, registered as registeredUsers, writeDecoys } from './helpers/logged-users.ts';
import { callThroughWire, landing, lateWork, openWire } from './helpers/wire.ts';

async function registered(ctx: CheckContext): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await registeredUsers(ctx)).map(([name, u]) => [name, u.hostname]));
}

async function expectOnlyDecoysOutside(ctx: CheckContext, decoys: string[], what: string): Promise<void> {
  const outside = (await ctx.kv.getAll().prefix('/logged_users').keys()).filter((k) => !k.startsWith(ROOT) && !decoys.includes(k));
  expect(outside.length === 0, `${what} wrote keys outside ${ROOT}`, { actual: outside, explain: `A user's key is ${ROOT}<username>, with the slash.` });
}

type Env = Record<string, string | null>;

interface UserCase {
  env: Env;
  expected: string;
  /** The rule of getpass this case shows. */
  rule: string;
}

/** One case per rule of getpass, every run: each variable's place, an empty one skipped, none at all. */
function userCases(ctx: CheckContext): UserCase[] {
  const [logname, user, lname, username] = ['l', 'u', 'n', 'x'].map((c) => `${c}${ctx.rng.token(5)}`);
  const all: Env = { LOGNAME: logname, USER: user, LNAME: lname, USERNAME: username };
  const cases: UserCase[] = [
    { env: { ...all }, expected: logname, rule: 'LOGNAME is checked first' },
    { env: { ...all, LOGNAME: '' }, expected: user, rule: 'LOGNAME is empty, and an empty variable is skipped: USER is next' },
    { env: { LOGNAME: null, USER: null, LNAME: lname, USERNAME: username }, expected: lname, rule: 'LNAME comes before USERNAME' },
    { env: { LOGNAME: null, USER: '', LNAME: null, USERNAME: username }, expected: username, rule: 'USER is empty, and an empty variable is skipped: USERNAME is the one left' },
    { env: { LOGNAME: null, USER: null, LNAME: '', USERNAME: null }, expected: userInfo().username, rule: 'no variable is set and not empty: the OS account, os.userInfo().username' },
  ];
  return ctx.rng.shuffle(cases);
}

function describeEnv(env: Env): string {
  return Object.entries(env).filter(([k]) => k !== 'HOSTNAME').map(([k, v]) => (v === null ? `${k} unset` : `${k}=${show(v)}`)).join(', ');
}

/** Every user under ROOT, for a message: what the code did write. */
async function foundUnderRoot(ctx: CheckContext): Promise<string> {
  const keys = (await ctx.kv.getAll().prefix('/logged_users').keys()).sort();
  return keys.length ? `keys under /logged_users: ${listed(keys)}` : 'no key under /logged_users at all';
}

const checks: LabChecks = {
  async 'current-user'(ctx) {
    const decoyHost = `decoy-${ctx.rng.token(5)}`;
    for (const { env, expected, rule } of userCases(ctx)) {
      const result = await ctx.student.call<LoggedUser>('currentUser', [], { env: { ...env, HOSTNAME: decoyHost } });
      expect(result && typeof result === 'object', 'currentUser() must return { username, hostname }', { actual: result });
      const took = Object.keys(env).find((k) => env[k] === result.username);
      expect(result.username === expected, `with ${describeEnv(env)}, currentUser().username is ${show(result.username)}${took ? ` (${took})` : ''}, expected ${show(expected)}: ${rule}`, {
        expected, actual: result.username,
        explain: 'Like Python\'s getpass.getuser(): the first of LOGNAME, USER, LNAME, USERNAME that is set and not empty, else os.userInfo().username. '
          + 'Read process.env at each call (the runner changes it between calls).',
      });
      expect(result.hostname === osHostname(), result.hostname === decoyHost
        ? `currentUser().hostname is ${show(decoyHost)}, the HOSTNAME variable the runner set, not this machine's name`
        : 'currentUser().hostname is not this machine\'s name', {
        expected: osHostname(), actual: result.hostname, explain: 'The host name is what the OS reports: os.hostname(). An environment variable can say anything.',
      });
    }
  },

  async 'register-user'(ctx) {
    const decoys = await writeDecoys(ctx);
    const wire = await openWire(ctx, 'register-user');
    const expected: Record<string, string> = {};
    for (const name of users(ctx.rng, 3)) {
      const host = hostname(ctx.rng);
      expected[name] = host;
      const what = `registerUser(client, ${show(name)}, ${show(host)})`;
      const call = await callThroughWire(ctx, wire, 'registerUser', [wire.client, name, host]);
      const landed = await landing(call, wire, async () => (await registered(ctx))[name] === host);
      if (landed === 'late') {
        const late = lateWork(what, call, wire);
        throw new CheckFailure(late.message, late.details);
      }
      if (landed === 'missing') {
        const found = (await registered(ctx))[name];
        throw new CheckFailure(`after ${what}, ${ROOT}${name} is ${show(found ?? 'missing')}`, {
          expected: host, actual: found === undefined ? await foundUnderRoot(ctx) : found,
          explain: `The key is ${ROOT} followed by the name exactly as given (etcd keys are bytes: no escaping needed), and the value is the hostname.`,
        });
      }
    }
    const found = await registered(ctx);
    await expectOnlyDecoysOutside(ctx, decoys, 'registerUser()');
    expect(Object.keys(found).length === Object.keys(expected).length, 'registerUser() wrote more users than it was given', { expected: Object.keys(expected), actual: Object.keys(found) });
  },

  async 'register-users'(ctx) {
    const names = users(ctx.rng, ctx.rng.int(5, 25));
    const host = hostname(ctx.rng);
    const wire = await openWire(ctx, 'register-users');
    const call = await callThroughWire(ctx, wire, 'registerUsers', [wire.client, names, host]);
    const complete = async () => {
      const found = await registered(ctx);
      return names.every((n) => found[n] === host);
    };
    const landed = await landing(call, wire, complete);
    if (landed === 'late') {
      const late = lateWork(`registerUsers() of ${names.length} users`, call, wire);
      throw new CheckFailure(late.message, late.details);
    }
    const found = await registered(ctx);
    const missing = names.filter((n) => found[n] !== host);
    expect(missing.length === 0, `registerUsers() did not register ${missing.length} of ${names.length} users with hostname ${show(host)}`, {
      expected: `${names.length} users = ${show(host)}`,
      actual: `missing or wrong: ${listed(missing)}`,
      explain: `Every user of the list is a key ${ROOT}<name> with the hostname as its value. ${call.requests.length} request(s) were sent for ${names.length} users.`,
    });
    const extra = Object.keys(found).filter((n) => !names.includes(n));
    expect(extra.length === 0, 'registerUsers() registered users that were not in the list', { actual: listed(extra) });
  },

  async 'list-users'(ctx) {
    await writeDecoys(ctx);
    const expected: Record<string, string> = {};
    for (const name of users(ctx.rng, ctx.rng.int(4, 12))) expected[name] = hostname(ctx.rng);
    await Promise.all(Object.entries(expected).map(([n, h]) => ctx.kv.put(ROOT + n).value(h).exec()));
    const answer = await ctx.student.call<Record<string, string>>('listLoggedUsers', [ctx.client()]);
    expect(answer && typeof answer === 'object' && !Array.isArray(answer), 'listLoggedUsers() must resolve to an object { username: hostname }', { actual: answer });
    const keys = Object.keys(answer);
    const fullKeys = keys.filter((k) => k.startsWith(ROOT));
    expect(fullKeys.length === 0, 'listLoggedUsers() returned full keys; the contract wants user names', {
      expected: listed(Object.keys(expected), 3), actual: listed(fullKeys, 3), explain: `Strip "${ROOT}" from each key.`,
    });
    const extra = keys.filter((k) => !(k in expected));
    // The decoys' values start with "decoy-": entries that carry one came from outside the prefix.
    const fromDecoys = extra.filter((k) => String(answer[k]).startsWith('decoy-'));
    expect(extra.length === 0, `listLoggedUsers() returned ${extra.length} entries that are not users under ${ROOT}`, {
      expected: listed(Object.keys(expected)),
      actual: listed(extra),
      explain: fromDecoys.length
        ? `${fromDecoys.length} of them are the decoys outside the prefix: a prefix without the final slash, "/logged_users", also matches /logged_users_archive/... and /logged_users itself.`
        : `They are not the names under ${ROOT}: decode each key as UTF-8 (.strings(), or toString('utf8')) and strip exactly "${ROOT}".`,
    });
    const wrong = Object.keys(expected).filter((n) => answer[n] !== expected[n]);
    expect(wrong.length === 0, `listLoggedUsers() is wrong for ${wrong.length} of ${Object.keys(expected).length} users`, {
      expected: firstEntries(Object.fromEntries(wrong.map((n) => [n, expected[n]]))),
      actual: firstEntries(Object.fromEntries(wrong.map((n) => [n, answer[n] ?? '(missing)']))),
    });
  },
};

export default checks;
