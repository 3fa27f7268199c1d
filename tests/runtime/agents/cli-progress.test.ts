/**
 * `agentkernel run`'s progress printer with agent steps: on a terminal, streamed tokens appear
 * live in one indented block per step that never runs into the next progress line; elsewhere
 * (pipes, CI logs) the fragments are held and each step gets one bounded excerpt line.
 */
import type { RunEvent } from '../../../runtime/engine/events.js';
import {
  STREAM_EXCERPT_CHARS,
  createProgressPrinter,
} from '../../../runtime/cli/progress-printer.js';

const at = '2026-01-01T00:00:00.000Z';
const base = { runId: 'r1', stepType: 'agent' as const, executionIndex: 0, at };
const start = (stepId: string): RunEvent => ({
  ...base,
  stepId,
  type: 'step_start',
  attempt: 1,
  maxAttempts: 1,
});
const token = (stepId: string, text: string): RunEvent => ({
  ...base,
  stepId,
  type: 'llm_token',
  text,
});
const done = (stepId: string): RunEvent => ({
  ...base,
  stepId,
  type: 'step_complete',
  attempts: 1,
  durationMs: 12,
  output: {},
  nextStep: null,
});

function print(events: RunEvent[], tty: boolean): { out: string; writes: number } {
  let out = '';
  let writes = 0;
  const listener = createProgressPrinter(
    (t) => {
      out += t;
      writes++;
    },
    { tty },
  );
  for (const e of events) listener(e);
  return { out, writes };
}

const events = [
  start('research'),
  token('research', 'Cold starts '),
  token('research', 'shrink.\nUse provisioned'),
  token('research', ' concurrency.'),
  done('research'),
  start('advise'),
  token('advise', '1. Enable it'),
  done('advise'),
];

it('streams tokens live on a terminal, each step on its own indented block', () => {
  const { out, writes } = print(events, true);
  expect(out).toBe(
    [
      '⧗ research (agent)',
      '  research ▸ Cold starts shrink.',
      '    Use provisioned concurrency.',
      '✓ research (agent) — 12ms',
      '⧗ advise (agent)',
      '  advise ▸ 1. Enable it',
      '✓ advise (agent) — 12ms',
      '',
    ].join('\n'),
  );
  // Live: every token is written as it arrives, not buffered until the step ends.
  expect(writes).toBeGreaterThanOrEqual(10);
});

it('prints one excerpt line per step instead of token fragments when not a terminal', () => {
  const long = Array.from({ length: 200 }, (_, i) => token('advise', `w${i} `));
  const { out } = print([...events.slice(0, 7), ...long, done('advise')], false);
  const lines = out.trimEnd().split('\n');
  expect(lines.slice(0, 4)).toEqual([
    '⧗ research (agent)',
    '  research ▸ Cold starts shrink. Use provisioned concurrency.',
    '✓ research (agent) — 12ms',
    '⧗ advise (agent)',
  ]);
  expect(lines).toHaveLength(6);
  expect(lines[4]).toMatch(/^ {2}advise ▸ 1\. Enable itw0 w1 .*…$/);
  expect(lines[4]!.length).toBe('  advise ▸ '.length + STREAM_EXCERPT_CHARS);
  expect(lines[5]).toBe('✓ advise (agent) — 12ms');
});
