/**
 * `npm run mutate -- <labs> [--concurrency N] [--lines 10-20] [--report-only]`
 * (maintainers): mutation testing of the labs' checks (lib/dev/mutate.ts).
 * Prints each lab's score and every survivor the contract does not explain;
 * exit code 0 only when there is none.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labFileName, labPath, loadCatalog, selectLabs } from '../catalog.ts';
import { type MutationScore, lockMutation, readScore, writeStrykerConfig } from '../dev/mutate.ts';
import { UsageError } from '../errors.ts';
import { paths, shown } from '../paths.ts';
import { style } from '../terminal/style.ts';
import { command, integer, parseArgv } from './arg-parsers.ts';
import { runCli } from './main.ts';

function stryker(config: string): Promise<number> {
  const bin = join(paths.root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'run', config], { cwd: paths.root, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

function print(score: MutationScore): void {
  const { lab, mutants, killed, survived, explained } = score;
  const mark = survived.length ? style.red('✖') : style.green('✔');
  console.log(`${mark} lab ${lab.id} ${lab.slug}: ${score.score}% (${killed} of ${mutants.length} mutants killed, ${explained.length} equivalent, ${survived.length} unexplained)  ${style.dim(shown(score.reportHtml))}`);
  for (const m of survived) {
    console.log(`    ${style.red('survived')} ${m.mutator} at line ${m.line}: ${JSON.stringify(m.original.slice(0, 80))} → ${JSON.stringify(m.replacement.slice(0, 80))}`);
  }
}

await runCli(async () => {
  const program = command('mutate', 'Mutation testing of the labs\' checks: mutate each reference solution, run the lab\'s checks on every mutant')
    .argument('[labs...]', 'labs (numbers, names, ranges); default: all (hours: one lab takes minutes)')
    .option('--concurrency <n>', 'lab runs side by side (default 2; 1 for labs that start clusters of their own)', integer('--concurrency', '2'))
    .option('--lines <range>', 'only mutants on these lines of the solution, e.g. 10-20')
    .option('--report-only', 'do not run: read the last reports and weigh them against the contracts', false);
  parseArgv(program, process.argv.slice(2), 'usage: npm run mutate -- 6 [--concurrency 2] [--lines 10-20]');
  const o = program.opts<{ concurrency?: number; lines?: string; reportOnly: boolean }>();
  if (o.lines && !/^\d+-\d+$/.test(o.lines)) throw new UsageError(`--lines ${o.lines} is not a range of lines`, 'e.g. --lines 10-20');
  const labs = program.args.length ? selectLabs(program.args) : loadCatalog();
  const unlock = o.reportOnly ? () => {} : lockMutation();
  process.once('exit', unlock);
  const scores: MutationScore[] = [];
  for (const lab of labs) {
    if (!o.reportOnly) {
      console.log(style.bold(`\nLab ${lab.id} · ${lab.title}: mutating solutions/${labFileName(lab)}`));
      const solution = labPath(lab, paths.solutions);
      const pristine = readFileSync(solution);
      const backup = `${solution}.before-mutate`;
      copyFileSync(solution, backup);
      try {
        const code = await stryker(writeStrykerConfig(lab, { concurrency: o.concurrency, lines: o.lines }));
        if (code !== 0) console.log(style.red(`Stryker ended with exit code ${code} (the first, unmutated run must pass: npm run lab ${Number(lab.id)} -- --solution)`));
      } finally {
        // Stryker restores the file itself; this is the belt to its braces (an interrupted run).
        if (!readFileSync(solution).equals(pristine)) writeFileSync(solution, pristine);
        rmSync(backup, { force: true });
      }
    }
    try {
      scores.push(readScore(lab));
    } catch (error) {
      console.log(style.red(`lab ${lab.id}: ${(error as Error).message}`));
    }
  }
  console.log('');
  scores.forEach(print);
  return scores.length === labs.length && scores.every((s) => s.survived.length === 0) ? 0 : 1;
});
