/** The work of `npm run lab [N]`, loaded by lib/cli/lab.ts once the lab process is on its way. */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type LabEntry, checksModulePath, labPath, loadCatalog, selectLabs } from '../catalog.ts';
import { LabFileMissingError } from '../errors.ts';
import { formatLabList } from '../reporters/lab-list.ts';
import { hintsShown, markHintShown } from '../state/hints.ts';
import { nextLab, readProgress, recordRun } from '../state/progress.ts';
import { formatCheckLine, formatLabReport, formatRunSummary, hintFor, labCommand } from '../reporters/lab-report.ts';
import { runLab } from '../runner/run-lab.ts';
import { curlCommands, serveLab } from '../runner/serve.ts';
import { type LabResult, anyFailed } from '../runner/results.ts';
import { toJson } from '../reporters/json.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { runCli } from './main.ts';
import { forwardedOptions, parseLabArgs } from './lab-args.ts';
import { LabWatcher } from './watch.ts';
import { resolveConnection } from '../connection/file.ts';
import { labsFolder, shown } from '../paths.ts';
import { style } from '../terminal/style.ts';

/** The watcher's go (watch mode): resolves on its first message. */
function goSignal(): Promise<void> {
  // A watcher that went away will never say go: nothing to wait for.
  process.once('disconnect', () => process.exit(0));
  return new Promise((resolve) => process.once('message', () => resolve()));
}

/** No task list: not a terminal, or a terminal that does not say how wide it is (text would wrap at every character). */
function plainOutput(): boolean {
  return !process.stdout.isTTY || !process.stdout.columns;
}

/** --serve: the lab's server in front of each local member until Ctrl-C (lib/runner/serve.ts). */
let stopServing: (() => Promise<void>) | undefined;
async function serve(lab: LabEntry, folder: string, early?: Sandbox): Promise<number> {
  const serving = await serveLab(lab, { labsFolder: folder, sandbox: early, log: (line) => console.log(style.dim(line)) });
  stopServing = serving.stop;
  console.log(style.bold(`Lab ${lab.id}: ${serving.servers.map((s) => `${s.member} on http://localhost:${s.port}`).join(', ')}. Try:`));
  for (const line of curlCommands(serving)) console.log(`  ${line}`);
  console.log(style.dim('Ctrl-C stops the servers.'));
  return new Promise<number>(() => {});
}

export function main(early?: Sandbox): Promise<void> {
  return runCli(async () => {
  const args = parseLabArgs(process.argv.slice(2));
  if (args.labs.length === 0) {
    console.log(formatLabList(loadCatalog(), readProgress()));
    return 0;
  }
  const next = args.labs.includes('next') ? nextLab(loadCatalog(), readProgress()) : undefined;
  if (args.labs.includes('next') && !next) {
    console.log(style.green('Every lab passes. Well done.'));
    return 0;
  }
  const labs = selectLabs(args.labs.map((l) => (l === 'next' ? next!.id : l)));
  if (args.serve) return serve(labs[0], labsFolder(args), early);
  if (args.watch) {
    const folder = labsFolder(args);
    if (!existsSync(labPath(labs[0], folder))) throw new LabFileMissingError(shown(labPath(labs[0], folder)));
    const watcher = new LabWatcher({ lab: labs[0], folder, forward: forwardedOptions({ ...args, labsDir: args.labsDir ? resolve(args.labsDir) : undefined }) });
    watcher.start();
    await watcher.done;
    return 0;
  }
  if (args.warm) {
    // Everything a run needs is loaded now (the runner, this lab's checks, a lab process): the save only waits for the run.
    await import(checksModulePath(labs[0]));
    await goSignal();
  }
  const shared = resolveConnection(args.cluster);
  const flags = [args.solution ? '--solution' : '', args.labsDir ? `--labs-dir ${args.labsDir}` : ''].filter(Boolean).join(' ');
  const results: LabResult[] = [];
  // Progress is about the student's own files, each run whole.
  const own = !args.solution && !args.labsDir && !args.only?.length;
  const began = performance.now();
  for (const [i, lab] of labs.entries()) {
    if (i > 0) console.log('');
    console.log(style.bold(`Lab ${lab.id} · ${lab.title}`) + (flags ? style.dim(`  (${flags})`) : ''));
    const result = await runLab(lab.id, {
      solution: args.solution,
      labsDir: args.labsDir ? resolve(args.labsDir) : undefined,
      seed: args.seed,
      connection: shared?.connection,
      connectionSource: shared?.source,
      namespace: args.namespace ?? shared?.namespace,
      timeoutMs: args.timeoutMs,
      only: args.only,
      log: (line) => console.log(style.dim(line)),
      sandbox: i === 0 ? early : undefined,
      // Without a terminal (CI, a pipe) or with one of unknown width, a line per check instead of the task list.
      ...(plainOutput() ? { renderer: 'silent' as const, onCheck: (check) => console.log(formatCheckLine(check)) } : {}),
    });
    results.push(result);
    if (own) recordRun(result);
    const hint = hintFor(result, hintsShown(lab));
    // The hint the report shows counts as seen: `npm run hint` goes on from the next one.
    if (hint.kind === 'lab') markHintShown(lab, hint.n);
    const next = own && result.passed ? nextLab(loadCatalog(), readProgress()) : undefined;
    console.log(formatLabReport(result, { reproduce: labCommand(lab.id, forwardedOptions({ ...args, seed: result.seed })), hint, next: labs.length === 1 ? next : undefined }));
  }
  if (args.json) {
    const json = results.length === 1 ? toJson(results[0]) : { labs: results.map(toJson) };
    writeFileSync(args.json, JSON.stringify(json, null, 2) + '\n');
  }
  if (results.length > 1) console.log('\n' + formatRunSummary(results, performance.now() - began));
  // Labs that could not run here (skipped, with the reason) do not fail the command.
  return anyFailed(results) ? 1 : 0;
}, { onSignal: async () => { await stopServing?.(); } });
}
