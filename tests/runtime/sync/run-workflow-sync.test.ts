/**
 * runWorkflowSync / resumeRunSync against the real engine, called from every kind of place that is
 * already inside the event loop (issue 4 "Done when"). Each test writes its own project (functions/
 * modules and workflow files) in a temp dir.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CancelledError,
  DefinitionError,
  Executor,
  createRuntime,
  createStepHandlers,
  loadWorkflowFile,
  openProject,
  SqliteRunStore,
  deserializeError,
  isAgentkernelError,
  resumeRunSync,
  runWorkflow,
  runWorkflowSync,
  type RunEvent,
  type RunResult,
} from '../../../runtime/index.js';
import { captureStdio } from './helpers/capture.js';
import { linearWorkflow, tempProject } from './helpers/project.js';

const project = tempProject();
project.write(
  'functions/steps.mjs',
  `
export function inc(input) { return { n: input.n + 1 }; }
export function shout(input) { console.log('shouting ' + input.n); console.error('to stderr ' + input.n); return { n: input.n }; }
export class QuotaError extends Error {
  constructor(message) { super(message); this.name = 'QuotaError'; this.limit = 5; }
}
export function overQuota() { throw new QuotaError('quota of 5 calls exceeded'); }
`,
);
const twoSteps = project.write(
  'workflows/two.yaml',
  linearWorkflow('two', ['steps.inc', 'steps.inc']),
);

function expectCompleted(result: RunResult, n: number): void {
  expect(result.status).toBe('COMPLETED');
  expect(result.outputs).toMatchObject({ s2: { n } });
}

test('inside an http request handler answering a real request on 127.0.0.1', async () => {
  const server = http.createServer((req, res) => {
    const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n'));
    const result = runWorkflowSync(twoSteps, { inputs: { n } });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: result.status, outputs: result.outputs }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/?n=40`);
    expect(await response.json()).toEqual({
      status: 'COMPLETED',
      outputs: { s1: { n: 41 }, s2: { n: 42 } },
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('inside a setTimeout callback and inside promise callbacks', async () => {
  const fromTimer = await new Promise<RunResult>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(runWorkflowSync(twoSteps, { inputs: { n: 1 } }));
      } catch (error) {
        reject(error);
      }
    }, 1),
  );
  expectCompleted(fromTimer, 3);
  const fromThen = await Promise.resolve(10).then((n) =>
    runWorkflowSync(twoSteps, { inputs: { n } }),
  );
  expectCompleted(fromThen, 12);
  const fromMicrotask = await new Promise<RunResult>((resolve) =>
    queueMicrotask(() => resolve(runWorkflowSync(twoSteps, { inputs: { n: 20 } }))),
  );
  expectCompleted(fromMicrotask, 22);
});

test('inside an async function that awaits before and after: the loop resumes normally', async () => {
  const order: string[] = [];
  const timer = setTimeout(() => order.push('timer'), 0);
  const flow = async (): Promise<RunResult> => {
    await sleep(1);
    order.push('before');
    const result = runWorkflowSync(twoSteps, { inputs: { n: 5 } });
    order.push('after');
    await sleep(1);
    await new Promise((resolve) => setImmediate(resolve));
    const again = await runWorkflow(twoSteps, { inputs: { n: 7 } });
    order.push(`async twin ${again.status}`);
    return result;
  };
  expectCompleted(await flow(), 7);
  clearTimeout(timer);
  expect(order).toEqual(['timer', 'before', 'after', 'async twin COMPLETED']);
});

test('a synchronous in-process function step runs on the calling thread, and events arrive live', () => {
  const seen: string[] = [];
  const wf = project.write(
    'workflows/in-process.yaml',
    linearWorkflow('in_process', ['steps.inc', 'local.record']),
  );
  const result = runWorkflowSync(wf, {
    inputs: { n: 1 },
    onEvent: (event: RunEvent) =>
      seen.push(`${event.type}${'stepId' in event ? `:${event.stepId}` : ''}`),
    // A closure: it can only run here, where `seen` lives.
    functions: { 'local.record': (input) => ({ n: Number(input.n) * 10, eventsSoFar: [...seen] }) },
  });
  expect(result.status).toBe('COMPLETED');
  expect(result.outputs).toMatchObject({ s2: { n: 20 } });
  // Step s2 ran while the run was going: it saw s1 complete, and not yet its own completion.
  expect((result.outputs.s2 as { eventsSoFar: string[] }).eventsSoFar).toEqual([
    'run_start',
    'step_start:s1',
    'step_complete:s1',
    'step_start:s2',
  ]);
  expect(seen.at(-1)).toBe('run_end');
});

test('an async in-process function is a clear error naming the step and the fix, never a hang', () => {
  const wf = project.write(
    'workflows/async-fn.yaml',
    linearWorkflow('async_fn', ['local.fetchLater']),
  );
  const result = runWorkflowSync(wf, {
    functions: { 'local.fetchLater': async () => ({ n: 1 }) },
    // Safety net only: were the bridge to hang, the run would end CANCELLED instead of FAILED.
    timeoutMs: 30_000,
  });
  expect(result.status).toBe('FAILED');
  const error = deserializeError(result.error!);
  const text = `${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}`;
  expect(text).toMatch(/function 'local.fetchLater' used by step 's1' returned a Promise/);
  expect(text).toMatch(/functions\/ .*directory|await runWorkflow/);
});

test('a throwing function: class, message, stack and extra properties survive, as with the async twin', async () => {
  const wf = project.write('workflows/throws.yaml', linearWorkflow('throws', ['steps.overQuota']));
  const sync = runWorkflowSync(wf);
  const async = await runWorkflow(wf);
  expect(sync.status).toBe('FAILED');
  expect({ ...sync.error, stack: undefined }).toEqual({ ...async.error, stack: undefined });
  const error = deserializeError(sync.error!) as Error & { limit?: number };
  expect(error.name).toBe('QuotaError');
  expect(error.message).toBe('quota of 5 calls exceeded');
  expect(error.limit).toBe(5);
  expect(error.stack).toMatch(
    /QuotaError: quota of 5 calls exceeded\n\s+at overQuota \(.*functions\/steps\.mjs/,
  );
});

test('an error thrown by an in-process function keeps its own class name, message and stack', () => {
  class LedgerLocked extends Error {
    override name = 'LedgerLocked';
  }
  const wf = project.write(
    'workflows/throws-local.yaml',
    linearWorkflow('throws_local', ['local.lock']),
  );
  const result = runWorkflowSync(wf, {
    functions: {
      'local.lock': () => {
        throw new LedgerLocked('ledger is locked', { cause: new RangeError('lock depth 3') });
      },
    },
  });
  const error = deserializeError(result.error!);
  expect(error.name).toBe('LedgerLocked');
  expect(error.message).toBe('ledger is locked');
  expect(error.stack).toMatch(
    /^LedgerLocked: ledger is locked\n\s+at .*run-workflow-sync\.test\.[jt]s/,
  );
  expect(error.cause).toBeInstanceOf(RangeError);
  expect((error.cause as Error).message).toBe('lock depth 3');
});

test('an error that stops the run from starting is thrown as its own class, as by the async twin', async () => {
  const broken = linearWorkflow('broken', ['steps.nope']);
  let syncError: unknown;
  try {
    runWorkflowSync(broken, { projectDir: project.dir });
  } catch (error) {
    syncError = error;
  }
  const asyncError = await runWorkflow(broken, { projectDir: project.dir }).catch(
    (error: unknown) => error,
  );
  expect(syncError).toBeInstanceOf(DefinitionError);
  expect(isAgentkernelError(syncError) && syncError.code).toBe('AR-WORKFLOW-VALIDATION');
  expect((syncError as DefinitionError).diagnostics).toEqual(
    (asyncError as DefinitionError).diagnostics,
  );
  expect((syncError as Error).message).toBe((asyncError as Error).message);
  expect((syncError as Error).stack).toContain('load');
});

test('worker stdout/stderr reach this process while the run goes on, in order with events', () => {
  const wf = project.write(
    'workflows/shout.yaml',
    linearWorkflow('shout', ['steps.shout', 'steps.shout']),
  );
  const captured = captureStdio();
  try {
    runWorkflowSync(wf, {
      inputs: { n: 3 },
      onEvent: (event) => {
        if (event.type === 'step_complete') process.stdout.write(`done ${event.stepId}\n`);
      },
    });
  } finally {
    captured.restore();
  }
  expect(captured.writes.map((w) => `${w.stream}: ${w.text.trim()}`)).toEqual([
    'stdout: shouting 3',
    'stderr: to stderr 3',
    'stdout: done s1',
    'stdout: shouting 3',
    'stderr: to stderr 3',
    'stdout: done s2',
  ]);
});

test('abort after 2 of 4 steps: the run ends CANCELLED, and resumeRunSync completes it without redoing steps', () => {
  const db = project.file('runs-abort.db');
  const calls: Record<string, number> = {};
  const counted = (step: string) => (input: Record<string, unknown>) => {
    calls[step] = (calls[step] ?? 0) + 1;
    return { n: Number(input.n) + 1 };
  };
  const functions = {
    'c.a': counted('a'),
    'c.b': counted('b'),
    'c.c': counted('c'),
    'c.d': counted('d'),
  };
  const wf = project.write(
    'workflows/four.yaml',
    linearWorkflow('four', ['c.a', 'c.b', 'c.c', 'c.d']),
  );
  const controller = new AbortController();
  let completed = 0;
  const cancelled = runWorkflowSync(wf, {
    store: db,
    functions,
    signal: controller.signal,
    onEvent: (event) => {
      if (event.type === 'step_complete' && ++completed === 2) controller.abort();
    },
  });
  expect(cancelled.status).toBe('CANCELLED');
  expect(Object.keys(cancelled.outputs)).toEqual(['s1', 's2']);
  expect(calls).toEqual({ a: 1, b: 1 });

  const resumed = resumeRunSync(cancelled.runId, { store: db, functions });
  expect(resumed.status).toBe('COMPLETED');
  expect(resumed.outputs).toMatchObject({ s4: { n: 4 } });
  expect(calls).toEqual({ a: 1, b: 1, c: 1, d: 1 });
});

test('timeoutMs cancels a run blocked on a step that never ends; the run is resumable', async () => {
  project.write(
    'functions/slow.mjs',
    `export function forever(input, ctx) { return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ n: 0 }))); }`,
  );
  const wf = project.write(
    'workflows/forever.yaml',
    linearWorkflow('forever', ['steps.inc', 'slow.forever']),
  );
  const db = project.file('runs-timeout.db');
  const result = runWorkflowSync(wf, { store: db, timeoutMs: 100 });
  expect(result.status).toBe('CANCELLED');
  const store = new SqliteRunStore(db);
  try {
    expect((await store.getRun(result.runId))?.status).toBe('CANCELLED');
  } finally {
    await store.close();
  }
});

test('a store that lives in this thread cannot cross: clear error with the fix', async () => {
  const { MemoryRunStore } = await import('../../../runtime/index.js');
  expect(() => runWorkflowSync(twoSteps, { store: new MemoryRunStore() })).toThrow(
    /SQLite database path/,
  );
});

test("resumeRunSync of an unknown run id throws the engine's own error class", () => {
  let error: unknown;
  try {
    resumeRunSync('no-such-run', { store: project.file('empty.db') });
  } catch (e) {
    error = e;
  }
  expect(isAgentkernelError(error) && error.code).toBe('AR-RUN-NOT-FOUND');
  expect(error).not.toBeInstanceOf(CancelledError);
});

test("Runtime#runSync / #resumeSync record in the runtime's SQLite store, visible to its async side", async () => {
  const runtime = createRuntime({
    store: new SqliteRunStore(project.file('runtime.db')),
    projectDir: project.dir,
  });
  try {
    const controller = new AbortController();
    const cancelled = runtime.runSync(twoSteps, {
      inputs: { n: 1 },
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'step_complete') controller.abort();
      },
    });
    expect(cancelled.status).toBe('CANCELLED');
    expect((await runtime.store.getRun(cancelled.runId))?.status).toBe('CANCELLED');
    const resumed = runtime.resumeSync(cancelled.runId);
    expectCompleted(resumed, 3);
    expect((await runtime.store.getRun(cancelled.runId))?.status).toBe('COMPLETED');
  } finally {
    await runtime.close();
    await runtime.store.close();
  }
});

test('Runtime#runSync with the default in-memory store explains how to get a shareable one', async () => {
  const runtime = createRuntime();
  try {
    expect(() => runtime.runSync(twoSteps)).toThrow(/SQLite database path/);
  } finally {
    await runtime.close();
  }
});

test("Executor#runSync / #resumeSync: the worker rebuilds the project and opens the executor's store", async () => {
  const projectOnDisk = await openProject({ projectDir: project.dir });
  const store = new SqliteRunStore(project.file('executor.db'));
  const seen: string[] = [];
  const executor = new Executor({
    store,
    handlers: createStepHandlers({
      functions: projectOnDisk.functions,
      tools: projectOnDisk.tools,
    }),
    onEvent: (event) => seen.push(event.type),
  });
  try {
    const def = await loadWorkflowFile(twoSteps, {
      baseDir: project.dir,
      functions: projectOnDisk.functions,
    });
    const controller = new AbortController();
    const cancelled = executor.runSync(
      def,
      { n: 10 },
      {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'step_complete') controller.abort();
        },
      },
    );
    expect(cancelled.status).toBe('CANCELLED');
    expect(seen).toContain('run_start'); // the executor's own listener saw the run too
    expect((await store.getRun(cancelled.runId))?.status).toBe('CANCELLED');
    expectCompleted(executor.resumeSync(cancelled.runId), 12);
  } finally {
    await store.close();
  }
});

test('runWorkflowSync nested in an in-process function of another sync run gets its own worker', () => {
  const wf = project.write('workflows/nested.yaml', linearWorkflow('nested', ['local.inner']));
  const result = runWorkflowSync(wf, {
    inputs: { n: 100 },
    functions: {
      'local.inner': (input) => {
        const inner = runWorkflowSync(twoSteps, { inputs: { n: Number(input.n) } });
        return { n: (inner.outputs.s2 as { n: number }).n };
      },
    },
  });
  expect(result.status).toBe('COMPLETED');
  expect(result.outputs).toMatchObject({ s1: { n: 102 } });
});

test('onInput answers `type: input` steps from the calling thread; an async one is a clear error', () => {
  const wf = project.write(
    'workflows/ask.yaml',
    `schema_version: v1
workflow: {id: ask, version: v1}
inputs: {release: {default: "2.0"}}
steps:
  - id: ask
    type: input
    prompt: "Ship release {{ inputs.release }}?"
`,
  );
  const prompts: string[] = [];
  const answered = runWorkflowSync(wf, {
    onInput: (request) => {
      prompts.push(request.prompt);
      return 'yes';
    },
  });
  expect(prompts).toEqual(['Ship release 2.0?']);
  expect(answered.outputs).toEqual({ ask: { value: 'yes' } });

  const refused = runWorkflowSync(wf, { onInput: async () => 'yes', timeoutMs: 30_000 });
  expect(refused.status).toBe('FAILED');
  expect(JSON.stringify(refused.error)).toMatch(/onInput used by step 'ask' returned a Promise/);
});
