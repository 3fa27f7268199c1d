/**
 * Output while the thread is blocked (runWorkflowSync): no timer or tick can run until the call
 * returns, so the progress view renders step changes at once (throttling only token bursts, with
 * no timers) and the cell's sink sends stream text at once instead of on the next tick.
 */
import type { RunEvent } from '../../../runtime/index.js';
import { RunProgressView, type ProgressClock } from '../../../kernel/output/run-renderer.js';
import { ExecuteSink } from '../../../kernel/output/execute-sink.js';
import { isBlocking, whileBlocking } from '../../../kernel/output/sink.js';
import { RecordingSink } from '../cells/recording-sink.js';

/** A clock that never fires timers and counts how many were asked for. */
class FrozenClock implements ProgressClock {
  time = 0;
  timers = 0;
  now(): number {
    return this.time;
  }
  setTimeout(): unknown {
    this.timers += 1;
    return this.timers;
  }
  clearTimeout(): void {}
}

const at = '2026-01-01T00:00:00.000Z';
const base = { runId: 'run-1', at };
const step = (stepId: string, executionIndex: number) => ({
  ...base,
  stepId,
  stepType: 'function',
  executionIndex,
});
const events: RunEvent[] = [
  {
    ...base,
    type: 'run_start',
    workflowId: 'wf',
    workflowVersion: 'v1',
    resumed: false,
    fromStep: 'a',
  },
  { ...step('a', 0), type: 'step_start', attempt: 1, maxAttempts: 1 },
  { ...step('a', 0), type: 'llm_token', text: 'hel' },
  { ...step('a', 0), type: 'llm_token', text: 'lo' },
  { ...step('a', 0), type: 'step_complete', attempts: 1, durationMs: 5, output: {}, nextStep: 'b' },
  { ...step('b', 1), type: 'step_start', attempt: 1, maxAttempts: 1 },
];

test('blocking view: show() renders STARTING, every step change renders at once, tokens wait, no timers', () => {
  const sink = new RecordingSink();
  const clock = new FrozenClock();
  const view = new RunProgressView(sink, { displayId: 'd', clock, blocking: true });
  view.show();
  view.show(); // once only
  expect(sink.displays()).toHaveLength(1);
  expect(String(sink.displays()[0]!.data['text/plain'])).toContain('STARTING');
  const shown: string[] = [];
  for (const e of events) {
    view.onEvent(e);
    shown.push(String(sink.displays().at(-1)!.data['text/plain']));
  }
  // Time never moves: without `blocking`, everything after the first render would wait for a timer.
  expect(sink.displays()).toHaveLength(1 + 4); // run_start, step_start a, step_complete a, step_start b
  expect(shown[1]).toMatch(/a +function +RUNNING/);
  expect(shown[5]).toMatch(/b +function +RUNNING/);
  expect(clock.timers).toBe(0);
  view.finish(); // nothing new since the last render
  expect(sink.displays()).toHaveLength(5);
});

test('the same events without blocking wait for a timer the blocked thread could never run', () => {
  const sink = new RecordingSink();
  const clock = new FrozenClock();
  const view = new RunProgressView(sink, { displayId: 'd', clock });
  view.show();
  for (const e of events) view.onEvent(e);
  expect(sink.displays()).toHaveLength(1);
  expect(clock.timers).toBe(1);
});

test('ExecuteSink sends stream text at once while blocking, coalesced on the next tick otherwise', async () => {
  const published: string[] = [];
  const sink = new ExecuteSink(
    (type, content) => published.push(`${type}:${JSON.stringify(content)}`),
    {
      silent: false,
    },
  );
  expect(isBlocking()).toBe(false);
  whileBlocking(() => {
    expect(isBlocking()).toBe(true);
    sink.stream('stdout', 'a');
    expect(published).toHaveLength(1);
    sink.stream('stdout', 'b');
    expect(published).toHaveLength(2);
  });
  expect(isBlocking()).toBe(false);
  sink.stream('stdout', 'c');
  sink.stream('stdout', 'd');
  expect(published).toHaveLength(2);
  await new Promise((r) => setImmediate(r));
  expect(published).toHaveLength(3);
  expect(published[2]).toContain('"text":"cd"');
});
