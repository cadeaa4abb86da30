/**
 * `npm run lab 16 -- --serve`: the student's key/value server, by hand.
 *
 * One lab process per member of the local cluster, each running the lab
 * file's `serveKv()` in front of that member alone (the client the checks
 * give it: one member, 3 s per call, one attempt), on ports 8080, 8081, 8082,
 * so that the Raft assignment's `curl` commands work as written. What the
 * student's code prints, and what it throws outside a request, is shown as
 * it comes. `stop()` closes every server and ends their processes; a runner
 * that exits (Ctrl-C) takes them along in any case (lib/sandbox/sandbox.ts).
 */
import { type LabEntry, labPath } from '../catalog.ts';
import { portFree } from '../cluster/probe.ts';
import { LabFileMissingError, UsageError } from '../errors.ts';
import { shown } from '../paths.ts';
import type { ClientArg, HandleRef } from '../sandbox/protocol.ts';
import { Sandbox } from '../sandbox/sandbox.ts';
import { existsSync } from 'node:fs';
import { describeThrown, StudentCode } from './student.ts';
import { resolveTarget } from './target.ts';

/** The function a lab file exports to be served, and the first port. */
const SERVE_FN = 'serveKv';
export const SERVE_PORTS_FROM = 8080;
const START_MS = 30_000;

export interface Serving {
  /** One line per server: `etcd1 (http://127.0.0.1:2379) → http://localhost:8080`. */
  servers: { member: string; endpoint: string; port: number }[];
  /** Closes every server (its close()), then ends the lab processes. */
  stop(): Promise<void>;
}

export interface ServeOptions {
  labsFolder: string;
  /** A lab process the caller started early (lib/cli/lab.ts does): the first server runs in it. */
  sandbox?: Sandbox;
  log: (line: string) => void;
}

/** Starts the lab file's server once per member of the local cluster. */
export async function serveLab(lab: LabEntry, options: ServeOptions): Promise<Serving> {
  const labFile = labPath(lab, options.labsFolder);
  if (!existsSync(labFile)) throw new LabFileMissingError(shown(labFile));
  const target = await resolveTarget({ log: options.log });
  const members = target.cluster!.members;
  const servers = members.map((m, i) => ({ member: m.name, endpoint: m.clientUrls[0], port: SERVE_PORTS_FROM + i }));
  for (const s of servers) {
    if (!(await portFree(s.port))) {
      throw new UsageError(`port ${s.port} (the server of ${s.member}) is taken by another program`, `stop it (see who: \`ss -ltnp 'sport = :${s.port}'\`; another --serve?), then run again`);
    }
  }
  const boxes = servers.map((_, i) => (i === 0 && options.sandbox) || Sandbox.spawn());
  const handles: (HandleRef | undefined)[] = [];
  const stop = async () => {
    clearInterval(output);
    await Promise.all(boxes.map(async (box, i) => {
      const handle = handles[i];
      if (handle) await box.invoke(handle, 'close', [], { timeoutMs: 3000 });
      box.dispose();
    }));
  };
  // What the servers print, as it comes, each line marked with its server.
  const output = setInterval(() => {
    boxes.forEach((box, i) => {
      const prefix = `[${servers[i].member} :${servers[i].port}]`;
      for (const line of box.takeOutput().split('\n').filter(Boolean)) options.log(`${prefix} ${line}`);
      for (const error of box.stray.splice(0)) options.log(`${prefix} your code threw ${describeThrown(error)} outside any request: a real server would have crashed`);
    });
  }, 200);
  try {
    for (const [i, box] of boxes.entries()) {
      const code = new StudentCode(box, labFile, START_MS);
      const loaded = await box.load(labFile);
      if (loaded.ok && !loaded.value.includes(SERVE_FN)) {
        throw new UsageError(`${shown(labFile)} has no ${SERVE_FN}() to serve`, '--serve runs the server of lab 16 (npm run lab 16 -- --serve)');
      }
      // The client the checks give it: one member, 3 s per call, one attempt (keys at the root: the lab keeps them under /lab16/).
      const client: ClientArg = { $client: { hosts: [servers[i].endpoint], deadlineMs: 3000, singleAttempt: true, label: `serve-${servers[i].member}` } };
      const outcome = await code.attempt<HandleRef>(SERVE_FN, [client, { port: servers[i].port, name: servers[i].member }], { timeoutMs: START_MS });
      if (!outcome.ok) throw new UsageError(`${servers[i].member}'s server did not start: ${code.explain(`${SERVE_FN}()`, outcome, START_MS)}`, `fix ${shown(labFile)}, then run again (npm run lab ${Number(lab.id)} checks it)`);
      handles[i] = outcome.value && typeof outcome.value === 'object' && '$handle' in outcome.value ? outcome.value : undefined;
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { servers, stop };
}

/** The Raft assignment's curl commands, for these servers. */
export function curlCommands(serving: Serving): string[] {
  const [first, second] = serving.servers;
  const at = (s: { port: number }) => `http://localhost:${s.port}`;
  return [
    `curl -X POST ${at(first)}/keys/a -H "Content-Type: application/json" -d '{"type": "PUT", "value": ["cat", "dog"]}'`,
    `curl -X POST ${at(first)}/keys/a -H "Content-Type: application/json" -d '{"type": "APPEND", "value": "mouse"}'`,
    `curl ${at(first)}/keys/a`,
    `curl ${at(second ?? first)}/keys/a`,
    `curl ${at(first)}/admin/status`,
  ];
}
