/**
 * A lab file that does not load (a syntax error, an error thrown at the top
 * level, a top-level await that never settles), said once, with where and a
 * code frame, the way a compiler says it:
 *
 *     labs/03-logged-users.ts does not load: syntax error at 13:20: Unexpected "="
 *       12 | /** The key prefix of the registry (note the trailing slash). *\/
 *     > 13 | export const ROOT = = '/logged_users/';
 *          |                    ^
 */
import { readFileSync } from 'node:fs';
import { shown } from '../paths.ts';
import type { ThrownError } from '../sandbox/protocol.ts';
import type { FailureDetails } from './failure.ts';

export interface Where {
  line: number;
  column: number;
}

/** tsx (esbuild) reports "Transform failed with 1 error:\n<file>:<line>:<col>: ERROR: <text>". */
function syntaxError(error: ThrownError, labFile: string): { where: Where; text: string } | undefined {
  for (const m of error.message.matchAll(/^(.+?):(\d+):(\d+): ERROR: (.*)$/gm)) {
    if (m[1] === labFile) return { where: { line: Number(m[2]), column: Number(m[3]) + 1 }, text: m[4] };
  }
  return undefined;
}

/** Where in the lab file an error was thrown (its stack), if it was thrown there. */
export function thrownAt(error: ThrownError, labFile: string): Where | undefined {
  for (const line of (error.stack ?? '').split('\n')) {
    const match = /\(?((?:file:\/\/)?\/[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (match && match[1].replace(/^file:\/\//, '') === labFile) return { line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

/** Two lines of context and a caret under the column. */
export function codeFrame(labFile: string, where: Where): string {
  let lines: string[];
  try {
    lines = readFileSync(labFile, 'utf8').split('\n');
  } catch {
    return '';
  }
  const from = Math.max(1, where.line - 2);
  const width = String(where.line).length;
  const frame = [];
  for (let n = from; n <= Math.min(where.line, lines.length); n++) {
    frame.push(`${n === where.line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1]}`);
  }
  frame.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, where.column - 1))}^`);
  return frame.join('\n');
}

/** The one line and the details a student reads when their file does not load. */
export function loadFailure(error: ThrownError, labFile: string): { message: string; details: FailureDetails } {
  const file = shown(labFile);
  const syntax = syntaxError(error, labFile);
  if (syntax) {
    return {
      message: `${file} does not load: syntax error at ${syntax.where.line}:${syntax.where.column}: ${syntax.text}`,
      details: { explain: `${codeFrame(labFile, syntax.where)}\nFix it and run again; \`npm run typecheck\` lists every error of your file at once.` },
    };
  }
  if (error.name === 'Timeout') return { message: `${file} does not load: ${error.message}`, details: {} };
  const at = thrownAt(error, labFile);
  const what = `${error.kitClass ?? error.name}: ${error.message.split('\n')[0]}`;
  return {
    message: `${file} does not load: its top level threw ${what}${at ? ` (at ${file}:${at.line}:${at.column})` : ''}`,
    details: { explain: [at ? codeFrame(labFile, at) : '', 'Code outside any function runs when the file is loaded: keep it to imports and constants.'].filter(Boolean).join('\n') },
  };
}
