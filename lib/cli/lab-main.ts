/** The work of `npm run lab [N]`, loaded by lib/cli/lab.ts once the lab process is on its way. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CommanderError } from 'commander';
import { findLab, loadCatalog } from '../catalog.ts';
import { formatLabList } from '../runner/list.ts';
import { readProgress } from '../runner/progress.ts';
import { formatLabReport, labCommand } from '../runner/report.ts';
import { runLab, toJson } from '../runner/run-lab.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { runCli } from './main.ts';
import { parseLabArgs } from './lab-args.ts';
import { style } from './style.ts';

export function main(early?: Sandbox): Promise<void> {
  return runCli(async () => {
  let args;
  try {
    args = parseLabArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CommanderError) return 0; // --help was printed
    throw error;
  }
  if (!args.lab) {
    console.log(formatLabList(loadCatalog(), readProgress()));
    return 0;
  }
  const lab = findLab(args.lab);
  const flags = [args.solution ? '--solution' : '', args.labsDir ? `--labs-dir ${args.labsDir}` : ''].filter(Boolean).join(' ');
  console.log(style.bold(`Lab ${lab.id} · ${lab.title}`) + (flags ? style.dim(`  (${flags})`) : ''));
  const result = await runLab(lab.id, {
    solution: args.solution,
    labsDir: args.labsDir ? resolve(args.labsDir) : undefined,
    seed: args.seed,
    endpoints: args.endpoints,
    namespace: args.namespace,
    timeoutMs: args.timeoutMs,
    only: args.only,
    log: (line) => console.log(style.dim(line)),
    sandbox: early,
  });
  if (args.json) writeFileSync(args.json, JSON.stringify(toJson(result), null, 2) + '\n');
  console.log(formatLabReport(result, { reproduce: labCommand(lab.id, [flags, `--seed ${result.seed}`].filter(Boolean).join(' ')) }));
  return result.passed ? 0 : 1;
});
}
