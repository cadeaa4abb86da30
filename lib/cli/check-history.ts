/**
 * `npm run check-history -- <file.json> [--report <dir>] [--time-limit <s>]`:
 * is a recorded history linearizable? (lib/history; the file format is in
 * LAB.md, "Appendix: history files".)
 *
 * Prints the named anomaly, the verdict and the operation that cannot be
 * placed; writes the HTML report when a key is not linearizable (beside the
 * file, or in --report). Exit code 0: linearizable; 1: not linearizable;
 * 2: unknown (the search ran out of time on a key); 3: the file or the
 * command line is unusable (one line, then the fix).
 */
import { UsageError, isWorkbookError } from '../errors.ts';
import { checkHistoryFile, formatSummary } from '../history/index.ts';
import { shown } from '../paths.ts';
import { style } from '../terminal/style.ts';
import { command, parseArgv } from './arg-parsers.ts';
import { printError, runCli } from './main.ts';

const EXIT = { linearizable: 0, 'not-linearizable': 1, unknown: 2 } as const;
const BAD_INPUT = 3;

function seconds(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) throw new UsageError(`--time-limit must be a number of seconds, got "${value}"`, 'e.g. --time-limit 30');
  return Number(value);
}

await runCli(async () => {
  try {
    const program = command('check-history', 'Check whether a recorded history of operations is linearizable, and explain why not')
      .argument('<file>', 'the history, a JSON file (format: LAB.md, "Appendix: history files")')
      .option('--report <dir>', 'where to write the HTML report (default: beside the file)')
      .option('--time-limit <seconds>', 'search time per key before the verdict is "unknown"', seconds, 10);
    parseArgv(program, process.argv.slice(2), 'usage: npm run check-history -- history.json [--report dir] [--time-limit 10]');
    const o = program.opts<{ report?: string; timeLimit: number }>();
    const result = await checkHistoryFile(program.args[0], { reportDir: o.report, timeLimitMs: o.timeLimit * 1000 });
    const lines = formatSummary({ ...result, reportPath: result.reportPath && shown(result.reportPath) });
    const colour = result.verdict === 'linearizable' ? style.green : result.verdict === 'unknown' ? style.yellow : style.red;
    for (const line of lines) {
      if (/^(linearizable|not linearizable|unknown):/.test(line)) console.log(colour(line));
      else if (line.startsWith('report: ')) console.log(style.bold(line));
      else console.log(line);
    }
    return EXIT[result.verdict];
  } catch (error) {
    // A file (or a command line) that cannot be checked: said in one line with its fix, and told apart from a verdict.
    if (!isWorkbookError(error)) throw error;
    printError(error);
    return BAD_INPUT;
  }
});
