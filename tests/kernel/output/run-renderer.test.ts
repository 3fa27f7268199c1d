/** The live run view: events → one display updated in place, throttled by an injected clock. */
import type { RunEvent } from '../../../runtime/index.js';
import {
  MAX_VISIBLE_ROWS,
  RunProgressView,
  renderProgressHtml,
  renderProgressText,
  type ProgressClock,
} from '../../../kernel/output/run-renderer.js';
import { RecordingSink } from '../cells/recording-sink.js';

/** A clock the test advances by hand: timers fire only in `advance`. */
class ManualClock implements ProgressClock {
  time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.at <= this.time);
    this.timers = this.timers.filter((t) => t.at > this.time);
    for (const t of due) t.fn();
  }
}

const at = '2026-01-01T00:00:00.000Z';
const base = { runId: 'run-1', at };
const step = { ...base, stepId: 'ask', stepType: 'agent', executionIndex: 0 };

const start: RunEvent = {
  ...base,
  type: 'run_start',
  workflowId: 'wf',
  workflowVersion: 'v1',
  resumed: false,
  fromStep: 'ask',
};
const stepStart: RunEvent = { ...step, type: 'step_start', attempt: 1, maxAttempts: 3 };
const token = (text: string): RunEvent => ({ ...step, type: 'llm_token', text });
const complete: RunEvent = {
  ...step,
  type: 'step_complete',
  attempts: 1,
  durationMs: 1234,
  output: { answer: 'hi' },
  nextStep: null,
};
const end: RunEvent = {
  ...base,
  type: 'run_end',
  status: 'COMPLETED',
  durationMs: 1300,
  error: null,
};

function setup() {
  const sink = new RecordingSink();
  const clock = new ManualClock();
  const view = new RunProgressView(sink, { displayId: 'd1', minIntervalMs: 100, clock });
  return { sink, clock, view };
}

describe('RunProgressView', () => {
  test('the first event creates the display; later renders update it in place', () => {
    const { sink, clock, view } = setup();
    view.onEvent(start);
    clock.advance(200);
    view.onEvent(stepStart);
    const displays = sink.displays();
    expect(displays).toHaveLength(2);
    expect(displays[0]!.options).toEqual({ displayId: 'd1' });
    expect(displays[1]!.options).toEqual({ displayId: 'd1', update: true });
    expect(displays[1]!.data['text/plain']).toContain('ask');
    expect(displays[1]!.data['text/html']).toContain('<table');
  });

  test('a burst of llm_token events becomes one trailing update with all the text', () => {
    const { sink, clock, view } = setup();
    view.onEvent(start);
    view.onEvent(stepStart); // within the interval: deferred
    for (let i = 0; i < 50; i++) view.onEvent(token(`t${i} `));
    expect(sink.displays()).toHaveLength(1);
    expect(clock.pending()).toBe(1);
    clock.advance(100);
    const displays = sink.displays();
    expect(displays).toHaveLength(2);
    const text = displays[1]!.data['text/plain'] as string;
    // The terminal view keeps the tail of long streamed text; the HTML view keeps all of it.
    expect(text).toContain('t48 t49');
    expect(displays[1]!.data['text/html']).toContain('t0 t1 t2');
    expect(displays[1]!.data['text/html']).toContain('t49');
  });

  test('run_end renders at once, cancels the pending timer, and finish() adds nothing new', () => {
    const { sink, clock, view } = setup();
    view.onEvent(start);
    view.onEvent(stepStart);
    view.onEvent(token('hello'));
    view.onEvent(complete);
    view.onEvent(end);
    expect(sink.displays()).toHaveLength(2);
    expect(clock.pending()).toBe(0);
    view.finish();
    expect(sink.displays()).toHaveLength(2);
    const text = sink.displays()[1]!.data['text/plain'] as string;
    expect(text).toMatch(/COMPLETED/);
    expect(text).toContain('1.23 s');
    expect(view.model.rows[0]).toMatchObject({
      status: 'COMPLETED',
      attempt: 1,
      maxAttempts: 3,
      tokens: 'hello',
    });
  });

  test('retries, failures and an interrupted step are shown with their status', () => {
    const { view } = setup();
    view.onEvent(start);
    view.onEvent(stepStart);
    view.onEvent({
      ...step,
      type: 'step_retry',
      attempt: 1,
      nextAttempt: 2,
      maxAttempts: 3,
      delayMs: 50,
      error: { name: 'Error', message: 'flaky' },
    });
    expect(view.model.rows[0]!.status).toBe('RETRYING');
    view.onEvent({ ...step, type: 'step_start', attempt: 2, maxAttempts: 3 });
    expect(view.model.rows).toHaveLength(1);
    expect(view.model.rows[0]).toMatchObject({ status: 'RUNNING', attempt: 2 });
    view.onEvent({
      ...base,
      type: 'run_end',
      status: 'CANCELLED',
      durationMs: 10,
      error: { name: 'CancelledError', message: 'interrupted', code: 'AR-CANCELLED' },
    });
    expect(view.model.rows[0]!.status).toBe('CANCELLED');
    const text = renderProgressText(view.model);
    expect(text).toContain('■ ask');
    expect(text).toContain('AR-CANCELLED: interrupted');
  });

  test('step output text is escaped in HTML', () => {
    const { sink, view } = setup();
    view.onEvent(start);
    view.onEvent(stepStart);
    view.onEvent(token('<script>alert(1)</script>'));
    view.onEvent(end);
    const html = sink.displays().at(-1)!.data['text/html'] as string;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  test('a resumed run shows what earlier sessions recorded, marked as earlier', () => {
    const { sink, view } = setup();
    view.seed([
      {
        runId: 'run-1',
        executionIndex: 0,
        stepId: 'draft',
        stepType: 'function',
        input: {},
        attempts: 1,
        startedAt: at,
        lastError: null,
        metadata: {},
        finishedAt: at,
        durationMs: 5,
        status: 'COMPLETED',
        output: {},
        nextStep: 'ask',
      },
      {
        runId: 'run-1',
        executionIndex: 1,
        stepId: 'ask',
        stepType: 'agent',
        input: {},
        attempts: 2,
        startedAt: at,
        lastError: null,
        metadata: {},
        finishedAt: at,
        durationMs: 7,
        status: 'FAILED',
        error: { name: 'Error', message: 'boom' },
        nextStep: null,
      },
    ]);
    view.onEvent({ ...start, resumed: true });
    view.onEvent({ ...stepStart, executionIndex: 2 });
    view.onEvent({ ...complete, executionIndex: 2 });
    view.onEvent(end);
    const text = sink.displays().at(-1)!.data['text/plain'] as string;
    expect(text).toMatch(/✓ draft +function +COMPLETED \(earlier\)/);
    expect(text).toMatch(/✗ ask +agent +FAILED \(earlier\) +2\/2/);
    expect(text).toContain('boom');
    expect(text).toContain('(resumed)');
    expect(view.model.rows.map((r) => [r.stepId, r.status, r.earlier ?? false])).toEqual([
      ['draft', 'COMPLETED', true],
      ['ask', 'FAILED', true],
      ['ask', 'COMPLETED', false],
    ]);
  });

  test('a long run shows its newest rows and sums up the older ones', () => {
    const { view } = setup();
    view.onEvent(start);
    for (let i = 0; i < MAX_VISIBLE_ROWS + 10; i++) {
      const s = { ...base, stepId: `s${i}`, stepType: 'tool', executionIndex: i };
      view.onEvent({ ...s, type: 'step_start', attempt: 1, maxAttempts: 1 });
      view.onEvent({
        ...s,
        type: 'step_complete',
        attempts: 1,
        durationMs: 1,
        output: {},
        nextStep: null,
      });
    }
    const text = renderProgressText(view.model);
    expect(text).toContain('… 10 earlier step executions (10 COMPLETED)');
    expect(text).not.toMatch(/✓ s9 /);
    expect(text).toMatch(/✓ s10 /);
    expect(text).toMatch(new RegExp(`✓ s${MAX_VISIBLE_ROWS + 9} `));
    expect(renderProgressHtml(view.model)).toContain('10 earlier step executions');
  });
});
