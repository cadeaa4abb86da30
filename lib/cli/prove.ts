/**
 * `npm run prove -- <lab> [--repeat N] [--jobs N] [--variant a,b] [--dir folder] [--solution]`
 * (maintainers): do the lab's checks catch each wrong implementation every
 * run, and does the solution pass every run? Exit code 0 only when so.
 */
import { findLab } from '../catalog.ts';
import { type Proof, type ProvenRun, proveContract, proveFolder, proveSolution } from '../dev/prove.ts';
import { UsageError } from '../errors.ts';
import { style } from '../terminal/style.ts';
import { command, endpointList, integer, parseArgv } from './arg-parsers.ts';
import { runCli } from './main.ts';

await runCli(async () => {
  const program = command('prove', 'Run a lab\'s wrong implementations (or a folder of them, or the solution) and say which escaped')
    .argument('<lab>', 'the lab: number or name')
    .option('--repeat <n>', 'runs of each (a wrong implementation caught 4 times of 5 is not caught)', integer('--repeat', '5'), 1)
    .option('--jobs <n>', 'runs side by side, each in a namespace of its own', integer('--jobs', '2'), 1)
    .option('--variant <names>', 'only these wrong implementations of the contract (comma-separated)')
    .option('--dir <folder>', 'instead: every subfolder holding the lab file (wrong implementations written blind), against every check')
    .option('--solution', 'instead: the reference solution must pass every time', false)
    .option('--endpoints <urls>', 'another cluster than the local one')
    .option('--namespace <prefix>', 'every run\'s keys under this prefix, e.g. /ana/ (two people proving at once)');
  parseArgv(program, process.argv.slice(2), 'usage: npm run prove -- 4 [--repeat 5] [--dir .scratch/blind/04] [--solution]');
  const o = program.opts<{ repeat: number; jobs: number; variant?: string; dir?: string; solution: boolean; endpoints?: string; namespace?: string }>();
  if (o.dir && o.solution) throw new UsageError('--dir and --solution ask for two different runs', 'give one of them');
  const lab = findLab(program.args[0]);
  const options = {
    repeat: o.repeat, jobs: o.jobs, variants: o.variant?.split(','), endpoints: endpointList(o.endpoints), namespace: o.namespace,
    onRun: (r: ProvenRun) => console.log(`  ${r.ok ? style.green('✔') : style.red('✖')} ${r.subject} ${style.dim(`(seed ${r.seed})`)} ${style.dim(r.said)}`),
  };
  const what = o.solution ? 'the solution' : o.dir ? `the lab files under ${o.dir}` : 'the wrong implementations of its contract';
  console.log(style.bold(`Lab ${lab.id}: ${what}, ${o.repeat} run${o.repeat === 1 ? '' : 's'} each`));
  const proofs: Proof[] = o.solution ? [await proveSolution(lab, options)] : o.dir ? await proveFolder(lab, o.dir, options) : await proveContract(lab, options);
  console.log('');
  for (const p of proofs) {
    const good = p.runs.filter((r) => r.ok).length;
    console.log(`${p.always ? style.green('✔') : style.red('✖')} ${p.subject.padEnd(32)} ${good}/${p.runs.length}${p.always ? '' : style.red(o.solution ? ' failed' : ' escaped or misreported')}`);
  }
  const bad = proofs.filter((p) => !p.always);
  console.log(bad.length === 0 ? style.green(`\nAll ${proofs.length} held every run.`) : style.red(`\n${bad.length} of ${proofs.length} did not hold every run: ${bad.map((p) => p.subject).join(', ')}`));
  return bad.length ? 1 : 0;
});
