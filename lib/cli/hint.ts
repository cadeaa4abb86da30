/** `npm run hint [N]`: one more hint for lab N (default: the first lab not passed yet). */
import { findLab, loadCatalog } from '../catalog.ts';
import { nextHint } from '../state/hints.ts';
import { nextLab, readProgress } from '../state/progress.ts';
import { labCommand } from '../reporters/lab-report.ts';
import { command, parseArgv } from './arg-parsers.ts';
import { runCli } from './main.ts';
import { style } from '../terminal/style.ts';

await runCli(async () => {
  const program = command('hint', 'One more hint for a lab each time you ask (default: the first lab not passed yet)')
    .argument('[lab]', 'lab number or name');
  parseArgv(program, process.argv.slice(2), 'usage: npm run hint 4');
  const asked = program.args[0];
  const lab = asked && asked !== 'next' ? findLab(asked) : nextLab(loadCatalog(), readProgress());
  if (!lab) {
    console.log(style.green('Every lab passes: no hints needed.'));
    return 0;
  }
  const step = nextHint(lab);
  console.log(style.bold(`Lab ${lab.id} · ${lab.title}: hint ${step.hints.length} of ${step.total}`));
  step.hints.forEach((hint, i) => {
    const text = `${i + 1}. ${hint}`;
    console.log(i === step.hints.length - 1 && step.newest ? `\n${text}` : style.dim(`\n${text}`));
  });
  console.log('');
  if (step.exhausted) {
    console.log(`${step.newest ? 'That was the last hint.' : 'No more hints.'} Read LAB.md, "${lab.chapter}", and compare with what ${style.bold(labCommand(lab.id))} tells you.`);
  } else {
    console.log(style.dim(`Still stuck? \`npm run hint ${Number(lab.id)}\` again shows one more.`));
  }
  return 0;
});
