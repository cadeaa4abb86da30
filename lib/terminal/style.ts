/**
 * Terminal colours, through chalk: plain text when the output is not a
 * terminal (CI logs, pipes), when NO_COLOR is set (no-color.org), or when
 * FORCE_COLOR=0; FORCE_COLOR=1..3 forces colours even without a terminal.
 */
import { Chalk, supportsColor } from 'chalk';

function level(): 0 | 1 | 2 | 3 {
  // chalk follows FORCE_COLOR and the terminal, but not NO_COLOR.
  if (process.env.NO_COLOR) return 0;
  return supportsColor ? supportsColor.level : 0;
}

const chalk = new Chalk({ level: level() });

/** Each takes exactly one string (safe to pass to `.map()`, unlike chalk's variadic functions). */
export const style = {
  bold: (text: string) => chalk.bold(text),
  dim: (text: string) => chalk.dim(text),
  red: (text: string) => chalk.red(text),
  green: (text: string) => chalk.green(text),
  yellow: (text: string) => chalk.yellow(text),
  cyan: (text: string) => chalk.cyan(text),
};
