/** `npm run new-lab <slug> [-- --title "…"]` (maintainers): the files of a new lab, to edit (CONTRIBUTING.md). */
import { scaffoldLab } from '../dev/new-lab.ts';
import { style } from '../terminal/style.ts';
import { command, parseArgv } from './arg-parsers.ts';
import { runCli } from './main.ts';

await runCli(async () => {
  const program = command('new-lab', 'Scaffold a new lab: catalog entry, stub, solution, checks, contract and LAB.md chapter')
    .argument('<slug>', 'file-name part, lowercase words joined by dashes (e.g. leader-lease)')
    .option('--title <title>', 'the title shown in the lab list');
  parseArgv(program, process.argv.slice(2), 'usage: npm run new-lab -- <slug> [--title "…"]');
  const made = scaffoldLab(program.args[0], { title: program.opts<{ title?: string }>().title });
  console.log(style.green(`✔ Lab ${made.id}: wrote or extended`));
  for (const f of made.files) console.log(`    ${f}`);
  console.log(`Next: CONTRIBUTING.md, "Adding a lab". Until its solution and wrong implementations exist, \`npm run check-labs ${Number(made.id)}\` fails for them.`);
  return 0;
});
