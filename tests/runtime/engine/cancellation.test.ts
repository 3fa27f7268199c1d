import {
  CancellationScope,
  abortReason,
  isCancellation,
  raceAbort,
  sleep,
} from '../../../runtime/engine/cancellation.js';
import { EventStream } from '../../../runtime/engine/event-stream.js';
import type { RunEvent } from '../../../runtime/engine/events.js';
import { CancelledError, StepTimeoutError } from '../../../runtime/errors.js';

describe('cancellation helpers', () => {
  it('a scope aborts with its parent and can abort on its own without touching the parent', () => {
    const parent = new AbortController();
    const a = new CancellationScope(parent.signal);
    const b = new CancellationScope(parent.signal);
    b.abort(new StepTimeoutError('s', 5));
    expect(b.signal.aborted).toBe(true);
    expect(parent.signal.aborted).toBe(false);
    expect(a.signal.aborted).toBe(false);
    parent.abort();
    expect(a.signal.aborted).toBe(true);
    expect(abortReason(b.signal)).toBeInstanceOf(StepTimeoutError);
    expect(abortReason(a.signal)).toBeInstanceOf(CancelledError);
  });

  it('a disposed scope no longer follows its parent', () => {
    const parent = new AbortController();
    const scope = new CancellationScope(parent.signal);
    scope.dispose();
    parent.abort();
    expect(scope.signal.aborted).toBe(false);
  });

  it('raceAbort rejects with the abort reason even when the promise never settles', async () => {
    const controller = new AbortController();
    const pending = raceAbort(new Promise(() => undefined), controller.signal);
    controller.abort(new StepTimeoutError('x', 1));
    await expect(pending).rejects.toMatchObject({ code: 'AR-STEP-TIMEOUT' });
    await expect(raceAbort(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
  });

  it('sleep is interrupted by its signal', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'AR-CANCELLED' });
    expect(isCancellation(new CancelledError())).toBe(true);
    expect(isCancellation(new Error('x'))).toBe(false);
  });
});

describe('EventStream', () => {
  const event = (i: number): RunEvent => ({
    type: 'run_end',
    runId: String(i),
    at: '',
    status: 'COMPLETED',
    durationMs: 0,
    error: null,
  });

  it('buffers events pushed before iteration and ends after end()', async () => {
    const stream = new EventStream();
    stream.push(event(1));
    stream.push(event(2));
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of stream) seen.push(e.runId);
    })();
    await new Promise((r) => setTimeout(r, 5));
    stream.push(event(3));
    stream.end();
    await done;
    expect(seen).toEqual(['1', '2', '3']);
  });

  it('a consumer that breaks early does not block the producer', async () => {
    const stream = new EventStream();
    stream.push(event(1));
    for await (const e of stream) {
      expect(e.runId).toBe('1');
      break;
    }
    stream.push(event(2)); // dropped silently
    stream.end();
  });
});
