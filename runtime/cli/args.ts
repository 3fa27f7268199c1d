/**
 * What every `agentkernel` subcommand shares about its command line: exit codes, the usage-error
 * type, strict option parsing that turns a bad flag into that error, and how it is printed.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliCommand, CliIO } from './command.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in the command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

/** `node:util` parseArgs, strict, positionals allowed; its complaints become UsageErrors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** Prints a usage error with the command's usage text; returns the exit code for it. */
export function reportUsageError(command: CliCommand, io: CliIO, error: UsageError): number {
  io.stderr(`agentkernel ${command.name}: ${error.message}\n\n${command.usage}\n`);
  return EXIT_USAGE;
}
