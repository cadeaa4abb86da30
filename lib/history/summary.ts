/**
 * What a terminal prints after a check, as plain lines (no colours: the CLI
 * styles them): the named anomaly first, in one line, since it is what a
 * student recognises; then the verdict; then the first operation that cannot
 * be placed; then where the report is.
 *
 *     duplicate append (key k0): GET → [x1, x3, x3] (operation 17, client c2) holds x3 2 times, ...
 *     not linearizable: key k0 (1 of 5 keys; 1,500 operations, checked in 95 ms)
 *       cannot place GET → [x1,x3,x3] (operation 17, client c2): GET returned [x1, x3, x3], but ...
 *       2 more anomalies in the report
 *     report: /home/ana/capstone/history.report.html
 */
import type { CheckResult } from './result.ts';

export function formatSummary(result: CheckResult): string[] {
  const lines: string[] = [];
  const operations = result.parts.reduce((sum, p) => sum + p.operations.length, 0);
  const keys = result.parts.length;
  const size = `${operations.toLocaleString('en-US')} operation${operations === 1 ? '' : 's'}, checked in ${Math.round(result.ms).toLocaleString('en-US')} ms`;
  const failing = result.parts.filter((p) => p.verdict === 'not-linearizable');
  const timedOut = result.parts.filter((p) => p.verdict === 'unknown');
  const [first, ...more] = result.anomalies;

  if (first) lines.push(`${first.kind.replace(/-/g, ' ')} (key ${first.key}): ${first.text}`);
  if (result.verdict === 'linearizable') {
    lines.push(`linearizable: ${keys} key${keys === 1 ? '' : 's'}, ${size}`);
  } else if (result.verdict === 'not-linearizable') {
    const names = failing.slice(0, 5).map((p) => p.key).join(', ') + (failing.length > 5 ? `, and ${failing.length - 5} more` : '');
    lines.push(`not linearizable: key${failing.length === 1 ? '' : 's'} ${names} (${failing.length} of ${keys} key${keys === 1 ? '' : 's'}; ${size})`);
    const blocked = failing[0].evidence?.blocked;
    if (blocked) lines.push(`  cannot place ${blocked.label} (operation ${blocked.operation.id}, client ${blocked.operation.client}): ${blocked.reason}`);
  } else {
    lines.push(`unknown: the search ran out of time on key${timedOut.length === 1 ? '' : 's'} ${timedOut.map((p) => p.key).join(', ')} (${size})`);
    const others = keys > timedOut.length ? 'the other keys are linearizable; ' : '';
    lines.push(`  ${others}allow more time per key (npm run check-history -- --time-limit <s>, or timeLimitMs) or record a shorter history`);
  }
  if (timedOut.length && result.verdict === 'not-linearizable') lines.push(`  (the search also ran out of time on ${timedOut.length} other key${timedOut.length === 1 ? '' : 's'})`);
  if (more.length) lines.push(`  ${more.length} more anomal${more.length === 1 ? 'y' : 'ies'}${result.reportPath ? ' in the report' : ''}`);
  if (result.reportPath) lines.push(`report: ${result.reportPath}`);
  return lines;
}
