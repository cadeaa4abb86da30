/** `npm run reset N [--yes]` / `npm run reset -- --all`: put lab files back to their stubs (yours are backed up). */
import { labFileName, labPath, loadCatalog, selectLabs } from '../catalog.ts';
import { UsageError } from '../errors.ts';
import { paths, shown } from '../paths.ts';
import { isModified, resetLab } from '../state/reset.ts';
import { command, parseArgv } from './arg-parsers.ts';
import { confirm } from './confirm.ts';
import { runCli } from './main.ts';
import { style } from '../terminal/style.ts';


await runCli(async () => {
  const program = command('reset', 'Put lab files back to their stubs; your versions are saved in .workbook/backup/')
    .argument('[labs...]', 'lab numbers, names or ranges')
    .option('--all', 'every lab', false)
    .option('-y, --yes', 'do not ask', false);
  parseArgv(program, process.argv.slice(2), 'usage: npm run reset 4 [--yes], or npm run reset -- --all');
  const { all, yes } = program.opts<{ all: boolean; yes: boolean }>();
  if (!all && program.args.length === 0) throw new UsageError('which lab?', 'npm run reset 4 (a lab), or npm run reset -- --all');
  const labs = all ? loadCatalog() : selectLabs(program.args);
  const modified = labs.filter((lab) => isModified(lab));
  if (modified.length === 0) {
    console.log(`${labs.length === 1 ? `labs/${labFileName(labs[0])} is` : 'Those lab files are'} already the stub: nothing to reset.`);
    return 0;
  }
  const files = modified.map((lab) => shown(labPath(lab, paths.labs)));
  if (!yes && !(await confirm(`Reset ${files.join(', ')} to the stub? Your version${files.length > 1 ? 's' : ''} will be kept in .workbook/backup/.`, '`npm run reset`'))) {
    console.log('Nothing changed.');
    return 1;
  }
  for (const lab of modified) {
    const outcome = resetLab(lab);
    console.log(`${style.green('✔')} ${shown(labPath(lab, paths.labs))} is the stub again${outcome.backup ? style.dim(` (yours: ${shown(outcome.backup)})`) : ''}`);
  }
  return 0;
});
