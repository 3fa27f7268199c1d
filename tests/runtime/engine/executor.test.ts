import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Executor } from '../../../runtime/engine/executor.js';
import type { RunEvent } from '../../../runtime/engine/events.js';
import type { WorkflowDefinition } from '../../../runtime/definition/types.js';
import { isAgentkernelError } from '../../../runtime/errors.js';
import { FunctionCatalog, type StepFunction } from '../../../runtime/functions/catalog.js';
import { createStepHandlers } from '../../../runtime/steps/registry.js';
import { MemoryRunStore } from '../../../runtime/store/memory-store.js';
import type { RunStore } from '../../../runtime/store/run-store.js';
import { SqliteRunStore } from '../../../runtime/store/sqlite-store.js';
import { ToolRegistry } from '../../../runtime/tools/registry.js';
import { fnStep, otherwise, toolStep, when, workflow } from './definition-builder.js';

function setup(functions: Record<string, StepFunction>, loadWorkflow?: () => WorkflowDefinition) {
  const store = new MemoryRunStore();
  const events: RunEvent[] = [];
  const executor = new Executor({
    store,
    handlers: createStepHandlers({
      functions: FunctionCatalog.of(functions),
      tools: ToolRegistry.withBuiltins(),
    }),
    onEvent: (e) => events.push(e),
    random: () => 0,
    ...(loadWorkflow ? { loadWorkflow: async () => loadWorkflow() } : {}),
  });
  return { store, events, executor };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (e) {
    return isAgentkernelError(e) ? e.code : `not-agentkernel: ${String(e)}`;
  }
  return undefined;
}

const retry3 = { attempts: 3, backoff: 'fixed' as const, initialDelayMs: 1, jitter: 0 };

describe('Executor.run', () => {
  it('runs a linear workflow, records every step and the state chain, emits events in order', async () => {
    const wf = workflow(
      [
        fnStep('summarize', 'm.summarize', { inputs: { issue: 'inputs.issue' } }),
        toolStep('echo', 'tools.echo', { inputs: { message: 'steps.summarize.summary' } }),
      ],
      { inputs: { issue: { default: 'Login fails' } } },
    );
    const { store, events, executor } = setup({
      'm.summarize': (input) => ({ summary: `Summary of issue: ${String(input.issue)}` }),
    });
    const result = await executor.run(wf);
    expect(result.status).toBe('COMPLETED');
    expect(result.succeeded).toBe(true);
    expect(result.outputs).toEqual({
      summarize: { summary: 'Summary of issue: Login fails' },
      echo: { message: 'Summary of issue: Login fails' },
    });
    expect(result.state.runtime).toEqual({ workflow_id: 'test_wf', run_id: result.runId });
    expect(result.steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ['summarize', 'COMPLETED', 1],
      ['echo', 'COMPLETED', 1],
    ]);
    expect(result.steps[1]?.input).toEqual({ message: 'Summary of issue: Login fails' });
    expect((await store.getStateVersions(result.runId)).map((v) => v.version)).toEqual([0, 1, 2]);
    expect(events.map((e) => e.type)).toEqual([
      'run_start',
      'step_start',
      'step_complete',
      'step_start',
      'step_complete',
      'run_end',
    ]);
    const run = await store.getRun(result.runId);
    expect(run?.owner).toBeNull();
  });

  it('passes the whole state snapshot to a step without inputs, and a context', async () => {
    let seen: unknown;
    let ctxSeen: { runId: string; stepId: string; attempt: number } | undefined;
    const { executor } = setup({
      'm.f': (input, ctx) => {
        seen = input;
        ctxSeen = { runId: ctx.runId, stepId: ctx.stepId, attempt: ctx.attempt };
        ctx.progress('halfway', { pct: 50 });
        return { ok: true };
      },
    });
    const { events } = setup({});
    const result = await executor.run(
      workflow([fnStep('a', 'm.f')], { inputs: { x: { default: 1 } } }),
      {},
      { onEvent: (e) => events.push(e) },
    );
    expect(seen).toEqual({
      inputs: { x: 1 },
      steps: {},
      runtime: { workflow_id: 'test_wf', run_id: result.runId },
    });
    expect(ctxSeen).toEqual({ runId: result.runId, stepId: 'a', attempt: 1 });
    expect(events.find((e) => e.type === 'step_progress')).toMatchObject({
      message: 'halfway',
      data: { pct: 50 },
    });
  });

  it('rejects unknown and missing required inputs before creating a run', async () => {
    const { store, executor } = setup({ 'm.f': () => ({}) });
    const wf = workflow([fnStep('a', 'm.f')], { inputs: { need: {} } });
    expect(await codeOf(executor.run(wf, {}))).toBe('AR-INPUT-VALIDATION');
    expect(await codeOf(executor.run(wf, { need: 1, typo: 2 }))).toBe('AR-INPUT-VALIDATION');
    expect(await store.listRuns()).toHaveLength(0);
  });

  it('retries with backoff and fails with the right number of attempts', async () => {
    let calls = 0;
    const { events, executor } = setup({
      'm.f': () => {
        calls += 1;
        throw new Error(`boom ${calls}`);
      },
    });
    const result = await executor.run(
      workflow([fnStep('a', 'm.f', { retry: retry3 }), fnStep('b', 'm.f')]),
    );
    expect(result.status).toBe('FAILED');
    expect(calls).toBe(3);
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({ stepId: 'a', status: 'FAILED', attempts: 3 });
    expect(result.error?.message).toBe('boom 3');
    expect(
      events
        .filter((e) => e.type === 'step_retry')
        .map((e) => (e.type === 'step_retry' ? [e.attempt, e.nextAttempt] : [])),
    ).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });

  it('a flaky step that succeeds on a retry completes and keeps its last error', async () => {
    let calls = 0;
    const { executor } = setup({
      'm.f': () => {
        calls += 1;
        if (calls < 2) throw new Error('transient');
        return { ok: calls };
      },
    });
    const result = await executor.run(workflow([fnStep('a', 'm.f', { retry: retry3 })]));
    expect(result.status).toBe('COMPLETED');
    expect(result.steps[0]).toMatchObject({
      status: 'COMPLETED',
      attempts: 2,
      lastError: { message: 'transient' },
      output: { ok: 2 },
    });
  });

  it('times out a function that never resolves, through its signal, and retries it', async () => {
    const signals: AbortSignal[] = [];
    const { executor } = setup({
      'm.hang': (_input, ctx) => {
        signals.push(ctx.signal);
        return new Promise(() => undefined); // ignores the signal entirely
      },
    });
    const result = await executor.run(
      workflow([fnStep('a', 'm.hang', { timeoutMs: 20, retry: { ...retry3, attempts: 2 } })]),
    );
    expect(result.status).toBe('FAILED');
    expect(result.steps[0]).toMatchObject({ status: 'FAILED', attempts: 2 });
    expect(result.error).toMatchObject({
      code: 'AR-STEP-TIMEOUT',
      message: "Step 'a' timed out after 20ms",
    });
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
  });

  it.each([
    ['missing key', { outputs: ['summary'] }, { other: 1 }, /missing summary/],
    ['extra key', { outputs: ['summary'] }, { summary: 'x', extra: 1 }, /unexpected extra/],
    ['reserved key', {}, { steps: 1 }, /reserved/],
    ['not an object', {}, 'text', /plain object/],
    ['schema type', { outputSchema: { n: { type: 'integer' } } }, { n: 1.5 }, /expected integer/],
    [
      'schema enum',
      { outputSchema: { level: { enum: ['low', 'high'] } } },
      { level: 'mid' },
      /not one of/,
    ],
    [
      'schema regex is a full match',
      { outputSchema: { id: { regex: '[A-Z]+' } } },
      { id: 'ABc' },
      /does not fully match/,
    ],
  ] as const)(
    'output contract violation (%s) fails the step without retrying',
    async (_name, options, output, message) => {
      let calls = 0;
      const { executor } = setup({
        'm.f': () => {
          calls += 1;
          return output;
        },
      });
      const result = await executor.run(
        workflow([fnStep('a', 'm.f', { ...options, retry: retry3 } as never)]),
      );
      expect(result.status).toBe('FAILED');
      expect(calls).toBe(1);
      expect(result.error?.code).toBe('AR-OUTPUT-CONTRACT');
      expect(result.error?.message).toMatch(message);
    },
  );

  it('accepts outputs matching outputs + output_schema', async () => {
    const { executor } = setup({ 'm.f': () => ({ id: 'ABC', n: 2 }) });
    const result = await executor.run(
      workflow([
        fnStep('a', 'm.f', {
          outputs: ['id', 'n'],
          outputSchema: { id: { regex: '[A-Z]+' }, n: { type: 'integer', enum: [1, 2] } },
        }),
      ]),
    );
    expect(result.status).toBe('COMPLETED');
  });

  it('on_error: continue runs the following steps and ends COMPLETED_WITH_ERRORS', async () => {
    const { executor } = setup({
      'm.fail': () => {
        throw new Error('nope');
      },
      'm.ok': () => ({ ok: true }),
    });
    const result = await executor.run(
      workflow([fnStep('a', 'm.fail'), fnStep('b', 'm.ok')], { onError: 'continue' }),
    );
    expect(result.status).toBe('COMPLETED_WITH_ERRORS');
    expect(result.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['a', 'FAILED'],
      ['b', 'COMPLETED'],
    ]);
    expect(result.outputs).toEqual({ b: { ok: true } });
  });

  it('an optional step degrades to its default and the run completes', async () => {
    const { events, executor } = setup({
      'm.fail': () => {
        throw new Error('flaky api');
      },
      'm.ok': (i) => ({ got: i.v ?? null }),
    });
    const result = await executor.run(
      workflow([
        fnStep('a', 'm.fail', {
          optional: true,
          default: { v: 'fallback' },
          retry: { ...retry3, attempts: 2 },
        }),
        fnStep('b', 'm.ok', { inputs: { v: 'steps.a.v' } }),
      ]),
    );
    expect(result.status).toBe('COMPLETED');
    expect(result.steps[0]).toMatchObject({
      status: 'DEGRADED',
      attempts: 2,
      output: { v: 'fallback' },
      error: { message: 'flaky api' },
    });
    expect(result.outputs.b).toEqual({ got: 'fallback' });
    expect(events.some((e) => e.type === 'step_degraded')).toBe(true);
  });

  it('a goto back to an executed step fails with "Circular branch detected"', async () => {
    const { executor } = setup({ 'm.ok': () => ({ ok: true }) });
    const result = await executor.run(
      workflow([fnStep('a', 'm.ok'), fnStep('b', 'm.ok', { next: [otherwise('a')] })]),
    );
    expect(result.status).toBe('FAILED');
    expect(result.error?.code).toBe('AR-BRANCH-RESOLUTION');
    expect(result.error?.message).toMatch(/Circular branch detected/);
    expect(result.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['a', 'COMPLETED'],
      ['b', 'FAILED'],
    ]);
  });

  it('a branch with no match and no default fails the run (AR-BRANCH-RESOLUTION)', async () => {
    const { executor } = setup({ 'm.ok': () => ({ kind: 'x' }) });
    const result = await executor.run(
      workflow([
        fnStep('a', 'm.ok', { next: [when('state.steps.a.kind == "y"', 'b')] }),
        fnStep('b', 'm.ok'),
      ]),
    );
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({
      code: 'AR-BRANCH-RESOLUTION',
      message: expect.stringMatching(/No branch matched/),
    });
  });

  it('stops before the next step once the latency budget is spent', async () => {
    const { executor } = setup({
      'm.slow': () => new Promise((r) => setTimeout(() => r({ ok: true }), 30)),
    });
    const result = await executor.run(
      workflow([fnStep('a', 'm.slow'), fnStep('b', 'm.slow')], { latencyBudgetMs: 10 }),
    );
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({ code: 'AR-LATENCY-BUDGET', details: { nextStep: 'b' } });
    expect(result.steps.map((s) => s.stepId)).toEqual(['a']);
  });

  it('an unknown tool fails its step with AR-TOOL-NOT-FOUND', async () => {
    const { executor } = setup({ 'm.ok': () => ({ ok: true }) });
    const result = await executor.run(
      workflow([fnStep('a', 'm.ok'), toolStep('b', 'tools.missing'), fnStep('c', 'm.ok')]),
    );
    expect(result.status).toBe('FAILED');
    expect(result.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['a', 'COMPLETED'],
      ['b', 'FAILED'],
    ]);
    expect(result.error).toMatchObject({
      code: 'AR-TOOL-NOT-FOUND',
      message: expect.stringContaining('tools.missing'),
    });
  });

  it('a tool input that breaks the schema fails the step', async () => {
    const { executor } = setup({});
    const result = await executor.run(
      workflow([toolStep('a', 'tools.echo', { inputs: { msg: { literal: 'x' } } })]),
    );
    expect(result.error).toMatchObject({
      code: 'AR-INPUT-VALIDATION',
      message: expect.stringMatching(/message/),
    });
  });
});

describe('cancellation and resume', () => {
  it('a signal aborted mid-step cancels the run (the step sees the abort), and resume completes it', async () => {
    const controller = new AbortController();
    let stepSignal: AbortSignal | undefined;
    const wf = workflow([fnStep('a', 'm.ok'), fnStep('b', 'm.wait'), fnStep('c', 'm.ok')]);
    let block = true;
    const { store, executor } = setup(
      {
        'm.ok': () => ({ ok: true }),
        'm.wait': (_i, ctx) => {
          stepSignal = ctx.signal;
          if (!block) return { waited: false };
          return new Promise((_r, reject) =>
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted by signal'))),
          );
        },
      },
      () => wf,
    );
    const result = await executor.run(
      wf,
      {},
      {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'step_start' && e.stepId === 'b') setTimeout(() => controller.abort(), 5);
        },
      },
    );
    expect(result.status).toBe('CANCELLED');
    expect(result.error?.code).toBe('AR-CANCELLED');
    expect(stepSignal?.aborted).toBe(true);
    expect(result.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['a', 'COMPLETED'],
      ['b', 'CANCELLED'],
    ]);

    block = false;
    const resumed = await executor.resume(result.runId);
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['a', 'COMPLETED'],
      ['b', 'CANCELLED'],
      ['b', 'COMPLETED'],
      ['c', 'COMPLETED'],
    ]);
    expect((await store.getRun(result.runId))?.resumeCount).toBe(1);
  });

  it('cancelling during a retry backoff wait ends the run at once as CANCELLED', async () => {
    const controller = new AbortController();
    const wf = workflow([
      fnStep('a', 'm.fail', {
        retry: { attempts: 3, backoff: 'fixed', initialDelayMs: 600_000, jitter: 0 },
      }),
    ]);
    const { executor } = setup({
      'm.fail': () => {
        throw new Error('down');
      },
    });
    const result = await executor.run(
      wf,
      {},
      {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'step_retry') setTimeout(() => controller.abort(), 5);
        },
      },
    );
    expect(result.status).toBe('CANCELLED');
    expect(result.steps[0]).toMatchObject({ status: 'CANCELLED', attempts: 1 });
  });

  it('resumes again after a second and a third failure', async () => {
    const failing = new Set(['b']);
    const fail = (id: string) => () => {
      if (failing.has(id)) throw new Error(`${id} broke`);
      return { [`${id}_done`]: true };
    };
    const wf = workflow([
      fnStep('a', 'm.a'),
      fnStep('b', 'm.b'),
      fnStep('c', 'm.c'),
      fnStep('d', 'm.d'),
    ]);
    const { executor } = setup(
      { 'm.a': fail('a'), 'm.b': fail('b'), 'm.c': fail('c'), 'm.d': fail('d') },
      () => wf,
    );
    const first = await executor.run(wf);
    expect(first.status).toBe('FAILED');
    failing.clear();
    failing.add('c');
    const second = await executor.resume(first.runId);
    expect(second.status).toBe('FAILED');
    failing.clear();
    failing.add('d');
    const third = await executor.resume(first.runId);
    expect(third.status).toBe('FAILED');
    failing.clear();
    const fourth = await executor.resume(first.runId);
    expect(fourth.status).toBe('COMPLETED');
    expect(fourth.steps.map((s) => `${s.stepId}:${s.status}`)).toEqual([
      'a:COMPLETED',
      'b:FAILED',
      'b:COMPLETED',
      'c:FAILED',
      'c:COMPLETED',
      'd:FAILED',
      'd:COMPLETED',
    ]);
    expect(fourth.outputs).toEqual({
      a: { a_done: true },
      b: { b_done: true },
      c: { c_done: true },
      d: { d_done: true },
    });
  });

  it('refuses to resume a completed run, an unknown run, a live RUNNING run and a changed workflow', async () => {
    let current = workflow([fnStep('a', 'm.f')], { text: 'v1' });
    let fails = true;
    const { store, executor } = setup(
      {
        'm.f': () => {
          if (fails) throw new Error('x');
          return { ok: 1 };
        },
      },
      () => current,
    );
    const failed = await executor.run(current);
    expect(await codeOf(executor.resume('nope'))).toBe('AR-RUN-NOT-FOUND');

    await store.updateRun(failed.runId, {
      status: 'RUNNING',
      owner: { pid: process.pid, hostname: (await import('node:os')).hostname() },
    });
    expect(await codeOf(executor.resume(failed.runId))).toBe('AR-RUN-ACTIVE');
    await store.updateRun(failed.runId, { status: 'FAILED', owner: null });

    current = workflow([fnStep('a', 'm.f')], { text: 'v2 edited' });
    expect(await codeOf(executor.resume(failed.runId))).toBe('AR-WORKFLOW-INTEGRITY');
    fails = false;
    const forced = await executor.resume(failed.runId, { force: true });
    expect(forced.status).toBe('COMPLETED');
    expect((await store.getRun(failed.runId))?.metadata.forcedResume).toHaveLength(1);
    expect(await codeOf(executor.resume(failed.runId))).toBe('AR-RUN-COMPLETED');
  });

  it('resumes a crashed run (RUNNING, dead owner), closing its interrupted step', async () => {
    const wf = workflow([fnStep('a', 'm.f'), fnStep('b', 'm.f')]);
    const { store, executor } = setup({ 'm.f': () => ({ ok: 1 }) }, () => wf);
    const done = await executor.run(wf);
    // Simulate a crash during b: drop nothing, just rewrite the record as the crashed process would have left it.
    await store.updateRun(done.runId, {
      status: 'RUNNING',
      owner: { pid: 2 ** 22 + 12345, hostname: (await import('node:os')).hostname() },
      completedAt: null,
    });
    const crashed = await store.getRun(done.runId);
    expect(crashed?.status).toBe('RUNNING');
    const resumed = await executor.resume(done.runId);
    // Both steps had completed; nothing is left to run, so the run is finalised as COMPLETED.
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.steps).toHaveLength(2);
  });
});

describe('exclusive resume', () => {
  /** loadWorkflow that holds every caller until `parties` callers have arrived: both resumers have read the run. */
  function barrierLoader(wf: WorkflowDefinition, parties: number) {
    let arrived = 0;
    let release!: () => void;
    const all = new Promise<void>((r) => (release = r));
    return async () => {
      if (++arrived === parties) release();
      await all;
      return wf;
    };
  }

  async function raceTwoResumes(makeStore: () => RunStore) {
    const wf = workflow([fnStep('a', 'm.ok'), fnStep('b', 'm.flaky')]);
    let failing = true;
    let bCalls = 0;
    const functions: Record<string, StepFunction> = {
      'm.ok': () => ({ ok: 1 }),
      'm.flaky': () => {
        bCalls++;
        if (failing) throw new Error('not yet');
        return { done: true };
      },
    };
    const load = barrierLoader(wf, 2);
    const executorOn = (store: RunStore) =>
      new Executor({
        store,
        handlers: createStepHandlers({
          functions: FunctionCatalog.of(functions),
          tools: ToolRegistry.withBuiltins(),
        }),
        loadWorkflow: load,
      });
    const first = makeStore();
    const second = makeStore();
    const failed = await executorOn(first).run(wf);
    expect(failed.status).toBe('FAILED');
    failing = false;
    bCalls = 0;
    const outcomes = await Promise.allSettled([
      executorOn(first).resume(failed.runId),
      executorOn(second).resume(failed.runId),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const error = lost[0]!.reason as Error & { code?: string };
    expect(error.code).toBe('AR-RUN-ACTIVE');
    expect(error.message).toMatch(
      /claimed by another resume.*only one process may resume a run at a time/,
    );
    expect(bCalls).toBe(1);
    const run = await first.getRun(failed.runId);
    expect(run?.status).toBe('COMPLETED');
    expect(run?.resumeCount).toBe(1);
    expect((await first.getSteps(failed.runId)).map((s) => `${s.stepId}:${s.status}`)).toEqual([
      'a:COMPLETED',
      'b:FAILED',
      'b:COMPLETED',
    ]);
    await first.close();
    if (second !== first) await second.close();
  }

  it('two resumes of one run in the same store: exactly one runs it', async () => {
    const store = new MemoryRunStore();
    await raceTwoResumes(() => store);
  });

  it('two SQLite connections on one database file: exactly one runs it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ak-claim-'));
    try {
      await raceTwoResumes(() => new SqliteRunStore(path.join(dir, 'runtime.db')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
