/**
 * The sync bridge's own mechanics (waking, stdio relay, callbacks, cloning failures, worker death,
 * cross-thread abort), driven through a small task engine so they are tested apart from the
 * workflow engine. The workflow-level behaviour is in run-workflow-sync.test.ts.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SyncBridge, type SyncRunOptions } from '../../../runtime/sync/run-sync.js';
import { SharedAbortController } from '../../../runtime/sync/shared-abort.js';
import { isAgentkernelError } from '../../../runtime/errors.js';
import { distDir } from '../../helpers/paths.js';
import { captureStdio } from './helpers/capture.js';
import type { TaskAction } from './helpers/task-engine.js';

const engineModule = pathToFileURL(path.join(distDir, 'tests/runtime/sync/helpers/task-engine.js'));
const script = (...actions: TaskAction[]): string => JSON.stringify(actions);

interface TaskResult {
  status: string;
  outputs: unknown[];
  reason?: string;
}

let bridge: SyncBridge;
beforeAll(() => {
  bridge = new SyncBridge({ engineModule });
});
afterAll(() => bridge.close());

test('worker output reaches this process in order, interleaved with events as they happen', () => {
  const captured = captureStdio();
  try {
    bridge.runWorkflowSync(
      script(
        { do: 'log', text: 'one' },
        { do: 'log', text: 'two', stream: 'stderr' },
        { do: 'event', name: 'middle' },
        { do: 'log', text: 'three' },
      ),
      { onEvent: () => process.stdout.write('EVENT\n') },
    );
  } finally {
    captured.restore();
  }
  expect(captured.writes).toEqual([
    { stream: 'stdout', text: 'one\n' },
    { stream: 'stderr', text: 'two\n' },
    { stream: 'stdout', text: 'EVENT\n' },
    { stream: 'stdout', text: 'three\n' },
  ]);
});

test('events are delivered live: a later step sees the events of earlier ones', () => {
  const seen: string[] = [];
  const result = bridge.runWorkflowSync<TaskResult>(
    script(
      { do: 'event', name: 'a' },
      { do: 'event', name: 'b' },
      { do: 'call', ref: 'probe.seen' },
    ),
    {
      onEvent: (event) => seen.push((event as unknown as { name: string }).name),
      functions: { 'probe.seen': () => ({ seenBefore: [...seen] }) },
    },
  );
  expect(result.outputs).toEqual([{ seenBefore: ['a', 'b'] }]);
});

test('in-process tools run on the calling thread with the step context', () => {
  const result = bridge.runWorkflowSync<TaskResult>(
    script({ do: 'tool', name: 'tools.upper', input: { text: 'hi' } }),
    {
      tools: [
        {
          name: 'tools.upper',
          description: 'upper-cases text',
          inputSchema: { type: 'object' },
          execute: (input, ctx) => ({ text: String(input.text).toUpperCase(), stepId: ctx.stepId }),
        },
      ],
    },
  );
  expect(result.outputs).toEqual([{ text: 'HI', stepId: 'step0' }]);
});

test('a non-cloneable result or callback value is a clear error and the same worker keeps working', () => {
  bridge.runWorkflowSync('[]');
  const threadId = bridge.workerThreadId;
  expect(() => bridge.runWorkflowSync(script({ do: 'returnFunction' }))).toThrow(
    /result cannot be copied to the calling thread/,
  );
  expect(() =>
    bridge.runWorkflowSync(script({ do: 'call', ref: 'bad.value' }), {
      functions: { 'bad.value': () => ({ f: () => 1 }) },
    }),
  ).toThrow(/function 'bad.value' used by step 'step0' returned a value that cannot be copied/);
  expect(bridge.runWorkflowSync<TaskResult>('[]').status).toBe('COMPLETED');
  expect(bridge.workerThreadId).toBe(threadId);
});

test('options that cannot be copied to the worker are named in the error', () => {
  expect(() =>
    bridge.runWorkflowSync('[]', { config: { resolve: () => 1 } } as unknown as SyncRunOptions),
  ).toThrow(/Option 'config' cannot be copied/);
  expect(bridge.runWorkflowSync<TaskResult>('[]').status).toBe('COMPLETED');
});

test('a worker that exits mid-call fails that call clearly and is replaced for the next one', () => {
  bridge.runWorkflowSync('[]');
  const before = bridge.workerThreadId;
  let error: unknown;
  try {
    bridge.runWorkflowSync(script({ do: 'exit' }));
  } catch (e) {
    error = e;
  }
  expect(isAgentkernelError(error) && error.code).toBe('AR-SYNC-BRIDGE');
  expect(String(error)).toMatch(/worker thread exited/);
  expect(bridge.runWorkflowSync<TaskResult>('[]').status).toBe('COMPLETED');
  expect(bridge.workerThreadId).not.toBe(before);
});

test('an uncaught exception in background code on the worker is reported as the cause', () => {
  let error: (Error & { cause?: unknown }) | undefined;
  try {
    bridge.runWorkflowSync(script({ do: 'uncaught', message: 'background boom' }));
  } catch (e) {
    error = e as Error;
  }
  expect(error?.message).toMatch(/background boom/);
  expect(error?.cause).toBeInstanceOf(RangeError);
  expect(bridge.runWorkflowSync<TaskResult>('[]').status).toBe('COMPLETED');
});

test('timeoutMs cancels a run that waits forever, although no timer can fire on the blocked thread', () => {
  const result = bridge.runWorkflowSync<TaskResult>(script({ do: 'waitForAbort' }), {
    timeoutMs: 50,
  });
  expect(result.status).toBe('CANCELLED');
  expect(result.reason).toMatch(/timed out after 50ms/);
});

test('a SharedAbortController aborted by another thread cancels the blocked run', () => {
  const controller = new SharedAbortController();
  // A separate thread that aborts once the run is blocked: the caller's own timers cannot fire.
  const aborter = new Worker(
    `const { workerData } = require('node:worker_threads');
     const flag = new Int32Array(workerData);
     setTimeout(() => { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); }, 50);`,
    { eval: true, workerData: controller.buffer },
  );
  try {
    const result = bridge.runWorkflowSync<TaskResult>(script({ do: 'waitForAbort' }), {
      signal: controller.signal,
    });
    expect(result.status).toBe('CANCELLED');
    expect(controller.aborted).toBe(true);
  } finally {
    void aborter.terminate();
  }
});

test('an AbortSignal aborted from an event callback cancels the run', () => {
  const controller = new AbortController();
  const result = bridge.runWorkflowSync<TaskResult>(
    script(
      { do: 'event', name: 'first' },
      { do: 'sleep', ms: 20 },
      { do: 'call', ref: 'never.called' },
    ),
    {
      signal: controller.signal,
      onEvent: () => controller.abort(),
      functions: { 'never.called': () => ({}) },
    },
  );
  expect(result.status).toBe('CANCELLED');
  expect(result.outputs).toEqual([]);
});

test('a sync call nested in a callback of another sync call gets its own worker', () => {
  const result = bridge.runWorkflowSync<TaskResult>(script({ do: 'call', ref: 'nested.run' }), {
    functions: {
      'nested.run': () => {
        const inner = new SyncBridge({ engineModule });
        try {
          return {
            inner: inner.runWorkflowSync<TaskResult>(script({ do: 'event', name: 'inner' })).status,
          };
        } finally {
          inner.close();
        }
      },
    },
  });
  expect(result.outputs).toEqual([{ inner: 'COMPLETED' }]);
});

test('a SyncBridge called again from its own callback refuses clearly instead of deadlocking', () => {
  expect(() =>
    bridge.runWorkflowSync(script({ do: 'call', ref: 'reenter.same' }), {
      functions: { 'reenter.same': () => bridge.runWorkflowSync('[]') },
    }),
  ).toThrow(/This SyncBridge is running a call whose callback made this one/);
  expect(bridge.runWorkflowSync<TaskResult>('[]').status).toBe('COMPLETED');
});

test('an engine module that cannot be loaded fails the call clearly', () => {
  const broken = new SyncBridge({
    engineModule: pathToFileURL(path.join(distDir, 'no-such-engine.js')),
  });
  try {
    expect(() => broken.runWorkflowSync('[]')).toThrow(/no-such-engine/);
  } finally {
    broken.close();
  }
});
