/** RunEvents → the live progress lines of `agentkernel run` (the Python CLI's format). */
import type { RunEvent, RunEventListener } from '../engine/events.js';
import { assertNever } from '../errors.js';

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${Math.round(value)}ms`;
}

/** One line per event worth showing, or null. */
export function formatProgress(event: RunEvent): string | null {
  switch (event.type) {
    case 'run_start':
      return event.resumed
        ? `Resuming run ${event.runId} from step: ${event.fromStep ?? '(end)'}`
        : `Run ${event.runId} (${event.workflowId}@${event.workflowVersion})`;
    case 'step_start':
      return `⧗ ${event.stepId} (${event.stepType})`;
    case 'step_retry':
      return `↻ ${event.stepId} — attempt ${event.attempt}/${event.maxAttempts} failed: ${event.error.message}; retrying in ${ms(event.delayMs)}`;
    case 'step_progress':
      return `  ${event.stepId}: ${event.message}`;
    case 'llm_token':
      return null;
    case 'step_complete':
      return `✓ ${event.stepId} (${event.stepType}) — ${ms(event.durationMs)}${event.attempts > 1 ? `, ${event.attempts} attempts` : ''}`;
    case 'step_degraded':
      return `~ ${event.stepId} (${event.stepType}) — degraded to its default: ${event.error.message}`;
    case 'step_error':
      return `✗ ${event.stepId} — ${event.error.code ? `[${event.error.code}] ` : ''}${event.error.message}`;
    case 'run_end':
      return null;
    default:
      return assertNever(event, 'run event');
  }
}

/** Longest excerpt of a step's streamed text printed when the output is not a terminal. */
export const STREAM_EXCERPT_CHARS = 100;
const STREAM_MARK = '▸';

/**
 * The printer of `agentkernel run` (streamed tokens added by G2). On a terminal, an agent step's
 * tokens appear live on their own indented block (`  <step> ▸ text…`), closed by a newline before
 * the next progress line, so they never run into it. Elsewhere (a pipe, a log file, CI) tokens
 * would be hundreds of fragments, so they are held and the step gets ONE line with an excerpt of
 * what it streamed when it ends.
 */
export function createProgressPrinter(
  write: (text: string) => void,
  options: { tty: boolean },
): RunEventListener {
  /** The step whose tokens the terminal line is showing (TTY), null when no stream line is open. */
  let open: string | null = null;
  /** Streamed text per step not printed yet (non-TTY). */
  const held = new Map<string, string>();
  const closeStream = (): void => {
    if (open !== null) write('\n');
    open = null;
  };
  return (event) => {
    if (event.type === 'llm_token') {
      if (!options.tty) {
        held.set(event.stepId, (held.get(event.stepId) ?? '') + event.text);
        return;
      }
      if (open !== event.stepId) {
        closeStream();
        write(`  ${event.stepId} ${STREAM_MARK} `);
        open = event.stepId;
      }
      // Continuation lines are indented under the stream's first line.
      write(event.text.replace(/\r?\n/g, '\n    '));
      return;
    }
    closeStream();
    if ('stepId' in event && held.has(event.stepId) && event.type !== 'step_start') {
      if (event.type !== 'step_progress') {
        const excerpt = oneLine(held.get(event.stepId)!);
        held.delete(event.stepId);
        if (excerpt !== '') write(`  ${event.stepId} ${STREAM_MARK} ${excerpt}\n`);
      }
    }
    const line = formatProgress(event);
    if (line !== null) write(`${line}\n`);
  };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > STREAM_EXCERPT_CHARS ? `${flat.slice(0, STREAM_EXCERPT_CHARS - 1)}…` : flat;
}
