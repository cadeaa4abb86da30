/**
 * `npm run sync` (maintainers): writes the files derived from others
 * (lib/stubs/ from labs/, README.md's lab table from the catalog);
 * `--check` only says what is out of date (exit code 1 then).
 */
import { drift, sync } from '../dev/derived.ts';
import { style } from '../terminal/style.ts';
import { command, parseArgv } from './arg-parsers.ts';
import { runCli } from './main.ts';

await runCli(async () => {
  const program = command('sync', 'Write lib/stubs/ from labs/ and README.md\'s lab table from lib/catalog.yaml').option('--check', 'only report what is out of date', false);
  parseArgv(program, process.argv.slice(2), 'usage: npm run sync [-- --check]');
  const { check } = program.opts<{ check: boolean }>();
  const changes = check ? drift() : sync();
  for (const c of changes) console.log(`${check ? style.red('✖') : style.green('✔')} ${c.file}: ${check ? 'out of date' : c.action}`);
  if (changes.length === 0) console.log('Everything derived is up to date.');
  return check && changes.length ? 1 : 0;
});
