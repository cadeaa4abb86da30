/**
 * `npm run playground -- --faults` in a real terminal, typed at as a person
 * would: writes, a partition and what each side answers, heal, kill and
 * restart, a mistyped command, then Ctrl-C, which must leave no member and no
 * folder behind.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { etcdProcessesMentioning } from '../../lib/cluster/processes.ts';
import { paths } from '../../lib/paths.ts';
import { Terminal } from '../terminal.ts';

const PROMPT = 'etcd (faults)> ';

/** util-linux's script(1) holds the pseudo-terminal (BSD's has other flags). */
const hasScript = (() => {
  try {
    return process.platform === 'linux' && /util-linux/.test(execFileSync('script', ['--version'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
})();

/** etcd members started by a playground (their configs live in .cluster/playground-<pid>-<hex>/). */
function playgroundProcesses(): number[] {
  return etcdProcessesMentioning(join(paths.clusterState, 'playground-'));
}

test.runIf(hasScript)('the fault console in a terminal: partition, serializable read on the minority, heal, kill, restart, Ctrl-C tears down', async () => {
  const term = new Terminal('node --import tsx lib/cli/playground.ts --faults --nodes 3');
  try {
    await term.waitFor(PROMPT, 30_000);

    let shown = await term.command('put greeting "hello world"', PROMPT);
    expect(shown).toMatch(/✔ greeting = "hello world" at revision \d+ \(via n\d\)/);
    expect(shown).toMatch(/3 of 3 members hold the same data/);

    shown = await term.command('partition n1,n2 n3', PROMPT);
    expect(shown).toMatch(/n3\s+up\s+isolated/);
    expect(shown).toMatch(/n1\s+up\s+cut from n3/);

    // The minority cannot write (the member holds the proposal; the console says it may still commit).
    shown = await term.command('put greeting bye via n3', PROMPT);
    expect(shown).toMatch(/✖ n3 did not answer within 2 s .*may still be committed later/);
    // A serializable read answers from n3's own copy.
    shown = await term.command('get greeting via n3 --serializable', PROMPT);
    expect(shown).toMatch(/"hello world" serializable/);
    // The majority elects a leader of its own and writes.
    shown = await term.command('put greeting hi via n1', PROMPT, 30_000);
    expect(shown).toMatch(/✔ greeting = "hi" at revision \d+ \(via n1\)/);

    shown = await term.command('heal', PROMPT);
    expect(shown).toMatch(/✔ every link restored/);
    shown = await term.command('kill n2', PROMPT);
    expect(shown).toMatch(/n2\s+down/);
    shown = await term.command('restart n2', PROMPT, 30_000);
    expect(shown).toMatch(/✔ n2 is running again, with its data/);
    shown = await term.command('kil n2', PROMPT);
    expect(shown).toMatch(/✖ unknown command "kil" \(did you mean kill\?\); type help/);
    // "bye" timed out, which does not mean it failed: n3 may have held it and committed it after the heal.
    shown = await term.command('get greeting', PROMPT, 30_000);
    expect(shown).toMatch(/"(hi|bye)" \(via n\d/);

    term.skip();
    term.type('\x03');
    await term.waitFor(/Stopping the playground's 3 members/);
    expect(await term.exited).toBe(130);
  } finally {
    // A failed step must not leave the members running: Ctrl-C first (the playground stops them), then the terminal.
    await term.interrupt(15_000);
  }
  expect(playgroundProcesses(), 'etcd members of the playground left running').toEqual([]);
  const left = existsSync(paths.clusterState) ? readdirSync(paths.clusterState).filter((d) => d.startsWith('playground-')) : [];
  expect(left, 'playground folders left behind').toEqual([]);
}, 120_000);
