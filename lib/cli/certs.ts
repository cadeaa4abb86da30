/** `npm run certs [-- --force]`: the workbook's CA and certificates in certs/ (see certs/README.md). */
import { inspect } from '../certs/x509.ts';
import { ensureCerts } from '../certs/store.ts';
import { shown } from '../paths.ts';
import { readFileSync } from 'node:fs';
import { command, parseArgv } from './arg-parsers.ts';
import { runCli } from './main.ts';
import { style } from '../terminal/style.ts';

await runCli(async () => {
  const program = command('certs', 'Make the CA, server and client certificates in certs/ (kept when they are still good)')
    .option('--force', 'make every certificate again, even good ones', false);
  parseArgv(program, process.argv.slice(2), 'usage: npm run certs [-- --force]');
  const { force } = program.opts<{ force: boolean }>();
  const report = await ensureCerts({ force, log: (line) => console.log(style.yellow(line)) });
  const until = inspect(readFileSync(report.set.leaves.server.cert, 'utf8')).notAfter.toISOString().slice(0, 10);
  if (report.made.length === 0) {
    console.log(`${style.green('✔')} the certificates in ${shown(report.set.dir)}/ are in place and valid until ${until}.`);
  } else {
    console.log(`${style.green('✔')} made ${report.made.map((m) => `${m.name}.crt`).join(', ')} in ${shown(report.set.dir)}/ (valid until ${until}; private keys *.key are mode 0600 and never committed).`);
  }
  return 0;
});
