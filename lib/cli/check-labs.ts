/**
 * `npm run check-labs` (maintainers, CI): every stub in labs/ fails every
 * check with a TODO message, and every solution passes every check - the
 * workbook's own "dev check". Exit code 0 only when both hold for every lab.
 */
import { loadCatalog, selectLabs } from '../catalog.ts';
import { gradeLabs } from '../grading/grade.ts';
import { paths } from '../paths.ts';
import type { LabResult } from '../runner/results.ts';
import { command, parseArgv } from './arg-parsers.ts';
import { runCli } from './main.ts';
import { style } from '../terminal/style.ts';

/** What is wrong with a stub's run: checks that passed, or failed for another reason than a TODO. */
function stubProblems(result: LabResult): string[] {
  return result.checks.filter((c) => c.status !== 'failed' || !c.todo).map((c) => `${c.id}: ${c.status === 'passed' ? 'passes on the stub' : `fails without a TODO message: ${c.message?.split('\n')[0]}`}`);
}

function solutionProblems(result: LabResult): string[] {
  return result.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message?.split('\n')[0] ?? c.status}`);
}

await runCli(async () => {
  const program = command('check-labs', 'Every stub fails with TODO messages and every solution passes (maintainers, CI)')
    .argument('[labs...]', 'labs to check: numbers, names, ranges (4-10); default: all');
  parseArgv(program, process.argv.slice(2), 'usage: npm run check-labs [-- 4-10]');
  const labs = program.args.length ? selectLabs(program.args) : loadCatalog();
  console.log(style.bold(`Checking ${labs.length} labs: every stub fails with TODOs, every solution passes`));
  let ok = true;
  for (const lab of labs) {
    const [stub] = (await gradeLabs([lab], { labsDir: paths.labs })).results;
    const [solution] = (await gradeLabs([lab], { solution: true })).results;
    const problems = [...stubProblems(stub).map((p) => `stub ${p}`), ...solutionProblems(solution).map((p) => `solution ${p}`)];
    ok &&= problems.length === 0;
    const mark = problems.length ? style.red('✖') : style.green('✔');
    console.log(`${mark} ${lab.id} ${lab.slug.padEnd(16)} stub fails ${stub.checks.length - stubProblems(stub).length}/${stub.checks.length} with TODO, solution passes ${solution.checks.length - solutionProblems(solution).length}/${solution.checks.length} (seed ${solution.seed})`);
    for (const p of problems) console.log(style.red(`      ${p}`));
  }
  console.log(ok ? style.green('\nEvery stub fails and every solution passes.') : style.red('\nSome labs are broken (see above).'));
  return ok ? 0 : 1;
});
