/**
 * Argument parsing shared by the CLIs: commander programs that throw instead
 * of printing and exiting, and option parsers whose failures are UsageErrors
 * with the fix. (`--help` surfaces as a CommanderError that runCli turns
 * into exit code 0.)
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from '../errors.ts';

/** A commander program for one of our commands: errors are thrown, never printed by commander. */
export function command(name: string, description: string): Command {
  return new Command(name).description(description).exitOverride().configureOutput({ writeErr: () => {} });
}

/** True when commander stopped because it printed --help (or a version): not an error. */
export function isHelpShown(error: unknown): boolean {
  return error instanceof CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.version');
}

/** Parses argv (without node and script); commander's complaints become a UsageError with `fix`. */
export function parseArgv(program: Command, argv: string[], fix: string): void {
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && !isHelpShown(error)) throw new UsageError(error.message.replace(/^error: /, ''), fix);
    throw error;
  }
}

export function integer(name: string, example = '1234') {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, got "${value}"`, `e.g. ${name} ${example}`);
    return Number(value);
  };
}

/** "http://a:2379,http://b:2379" → the list, each checked. */
export function endpointList(value: string | undefined): string[] | undefined {
  const endpoints = value?.split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of endpoints ?? []) {
    if (!/^https?:\/\/[^/]+:\d+\/?$/.test(e)) throw new UsageError(`"${e}" is not an endpoint`, 'write endpoints as http://host:port, comma-separated');
  }
  return endpoints;
}
