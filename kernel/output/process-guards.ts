/**
 * Process-level guards so that a cell cannot take the kernel down: an uncaught exception or an
 * unhandled rejection is reported as stderr of the cell that caused it (the async context it was
 * raised in, else the cell running now, else the most recent one), and `process.exit()` called
 * from a cell throws instead of exiting.
 */
import { currentSink, type OutputSink } from './sink.js';

export class ProcessExitBlockedError extends Error {
  override name = 'ProcessExitBlockedError';
  constructor(code: unknown) {
    super(
      `process.exit(${code === undefined ? '' : String(code)}) was called from a cell; the kernel keeps running. ` +
        'Use "Restart Kernel" in the frontend to start a fresh process.',
    );
  }
}

export interface ProcessGuards {
  /** The real process.exit, for the kernel's own shutdown. */
  exit(code?: number): never;
}

export function installProcessGuards(options: {
  /** The sink of the cell running now or, failing that, of the last one that ran. */
  fallbackSink: () => OutputSink | undefined;
  log: (text: string) => void;
}): ProcessGuards {
  const realExit = process.exit.bind(process) as (code?: number) => never;
  const report = (kind: string, error: unknown): void => {
    const text =
      error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    const sink = currentSink() ?? options.fallbackSink();
    if (sink) sink.stream('stderr', `${kind}: ${text}\n`);
    else options.log(`${kind}: ${text}\n`);
  };
  process.on('uncaughtException', (error) => report('Uncaught exception', error));
  process.on('unhandledRejection', (reason) => report('Unhandled promise rejection', reason));
  process.exit = ((code?: number) => {
    if (currentSink()) throw new ProcessExitBlockedError(code);
    return realExit(code);
  }) as typeof process.exit;
  return { exit: realExit };
}
