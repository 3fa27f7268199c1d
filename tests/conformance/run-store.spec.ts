/**
 * The RunStore conformance suite: every implementation runs exactly these tests, so the executor,
 * resume and replay can rely on one behaviour whatever the backing store.
 */
import { describe, expect, it, afterEach } from '@jest/globals';
import { isAgentkernelError } from '../../runtime/errors.js';
import type { JsonObject } from '../../runtime/json.js';
import type { RunStore, StepExecutionRecord } from '../../runtime/store/run-store.js';
import { rebuildState } from '../../runtime/store/state-chain.js';
import {
  LINEAR_OUTPUTS,
  at,
  completed,
  failed,
  initialStateFor,
  makeError,
  makeRun,
  resumeFailedLinearRun,
  runningStep,
  setStep,
  writeCompletedLinearRun,
  writeFailedLinearRun,
} from '../helpers/run-records.js';

export type StoreFactory = () => RunStore | Promise<RunStore>;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return isAgentkernelError(e) ? e.code : `non-agentkernel error: ${String(e)}`;
  }
  return 'resolved';
}

export function describeRunStore(name: string, makeStore: StoreFactory): void {
  describe(`RunStore conformance: ${name}`, () => {
    let store: RunStore | undefined;
    const open = async (): Promise<RunStore> => {
      store = await makeStore();
      return store;
    };
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    describe('createRun', () => {
      it('stores the run and state version 0 holding the initial state', async () => {
        const s = await open();
        const run = makeRun();
        const initial = initialStateFor(run);
        await s.createRun(run, initial);
        expect(await s.getRun(run.runId)).toEqual(run);
        const versions = await s.getStateVersions(run.runId);
        expect(versions).toEqual([
          {
            runId: run.runId,
            version: 0,
            executionIndex: null,
            stepId: null,
            changes: [{ op: 'set', path: [], value: initial }],
            createdAt: run.createdAt,
          },
        ]);
        expect(rebuildState(versions)).toEqual(initial);
        expect(await s.getSteps(run.runId)).toEqual([]);
      });

      it('refuses a duplicate run id with AR-STORAGE and keeps the first run', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        expect(await codeOf(s.createRun(makeRun({ workflowId: 'other' }), {}))).toBe('AR-STORAGE');
        expect((await s.getRun('run-1'))?.workflowId).toBe('linear');
        expect(await s.getStateVersions('run-1')).toHaveLength(1);
      });

      it('round-trips unicode, nested values, owner and metadata', async () => {
        const s = await open();
        const run = makeRun({
          inputs: {
            text: 'héllo ✓ 日本 "quoted" \n newline',
            nested: { list: [1, 2.5, null, true, { a: [] }] },
          },
          metadata: { tags: ['x'], cost: { usd: 0.0012 } },
          owner: { pid: 1, hostname: 'h' },
          workflowFile: '/tmp/wf.yaml',
        });
        await s.createRun(run, { inputs: run.inputs });
        expect(await s.getRun(run.runId)).toEqual(run);
      });
    });

    describe('unknown ids', () => {
      it('getRun of an unknown id is null; history reads are empty', async () => {
        const s = await open();
        expect(await s.getRun('nope')).toBeNull();
        expect(await s.getSteps('nope')).toEqual([]);
        expect(await s.getStateVersions('nope')).toEqual([]);
      });

      it('writes against an unknown run fail with AR-RUN-NOT-FOUND', async () => {
        const s = await open();
        const step = runningStep('nope', 0, 'fetch', {}, 0);
        expect(await codeOf(s.startStep(step))).toBe('AR-RUN-NOT-FOUND');
        expect(await codeOf(s.finishStep(completed(step, {}, 1, null), setStep('fetch', {})))).toBe(
          'AR-RUN-NOT-FOUND',
        );
        expect(await codeOf(s.updateRun('nope', { status: 'FAILED' }))).toBe('AR-RUN-NOT-FOUND');
        expect(await s.getRun('nope')).toBeNull();
        expect(await s.getSteps('nope')).toEqual([]);
      });
    });

    describe('step transitions', () => {
      it('startStep records a RUNNING execution exactly as given', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        const step = runningStep('run-1', 0, 'fetch', { topic: 't', list: [1, 'two'] }, 5);
        step.metadata = { model: 'scripted' };
        await s.startStep(step);
        expect(await s.getSteps('run-1')).toEqual([step]);
      });

      it('refuses a second execution with the same index', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        await s.startStep(runningStep('run-1', 0, 'fetch', {}, 0));
        expect(await codeOf(s.startStep(runningStep('run-1', 0, 'other', {}, 1)))).toBe(
          'AR-STORAGE',
        );
        expect((await s.getSteps('run-1')).map((x) => x.stepId)).toEqual(['fetch']);
      });

      it('recordAttempt updates attempts and lastError and keeps the step RUNNING', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        await s.startStep(runningStep('run-1', 0, 'fetch', {}, 0));
        const error = makeError('flaky', 'AR-STEP-TIMEOUT', {
          details: { timeoutMs: 10 },
          cause: { name: 'Error', message: 'socket' },
        });
        await s.recordAttempt('run-1', 0, 2, error);
        const [step] = await s.getSteps('run-1');
        expect(step).toMatchObject({ status: 'RUNNING', attempts: 2, lastError: error });
      });

      it('recordAttempt on a missing or finished execution fails with AR-STORAGE', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        expect(await codeOf(s.recordAttempt('run-1', 7, 2, makeError('x')))).toBe('AR-STORAGE');
        const step = runningStep('run-1', 0, 'fetch', {}, 0);
        await s.startStep(step);
        await s.finishStep(completed(step, { a: 1 }, 3, null), null);
        expect(await codeOf(s.recordAttempt('run-1', 0, 2, makeError('x')))).toBe('AR-STORAGE');
        expect((await s.getSteps('run-1'))[0]?.status).toBe('COMPLETED');
      });

      it('finishStep with a change stores the step and a new state version tied to it', async () => {
        const s = await open();
        const run = makeRun();
        await s.createRun(run, initialStateFor(run));
        const step = runningStep('run-1', 0, 'fetch', { topic: 't' }, 1);
        await s.startStep(step);
        const done = completed(step, LINEAR_OUTPUTS.fetch, 12, 'summarize', {
          metadata: { usage: { tokens: 3 } },
        });
        await s.finishStep(done, setStep('fetch', LINEAR_OUTPUTS.fetch));
        expect(await s.getSteps('run-1')).toEqual([done]);
        const versions = await s.getStateVersions('run-1');
        expect(versions[1]).toEqual({
          runId: 'run-1',
          version: 1,
          executionIndex: 0,
          stepId: 'fetch',
          changes: setStep('fetch', LINEAR_OUTPUTS.fetch),
          createdAt: done.finishedAt,
        });
        expect(rebuildState(versions)).toEqual({
          ...initialStateFor(run),
          steps: { fetch: LINEAR_OUTPUTS.fetch },
        });
        // The run itself is untouched when no run update is given.
        expect((await s.getRun('run-1'))?.status).toBe('RUNNING');
      });

      it('finishStep with null changes adds no state version', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        const step = runningStep('run-1', 0, 'fetch', {}, 1);
        await s.startStep(step);
        await s.finishStep(failed(step, makeError('boom'), 4), null);
        expect(await s.getStateVersions('run-1')).toHaveLength(1);
        expect((await s.getSteps('run-1'))[0]).toMatchObject({
          status: 'FAILED',
          error: { message: 'boom' },
        });
      });

      it('finishStep applies the run update in the same call', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        const step = runningStep('run-1', 0, 'fetch', {}, 1);
        await s.startStep(step);
        const error = makeError('fatal');
        await s.finishStep(failed(step, error, 4), null, {
          status: 'FAILED',
          error,
          completedAt: at(10),
          owner: null,
          updatedAt: at(10),
        });
        const run = await s.getRun('run-1');
        expect(run).toMatchObject({
          status: 'FAILED',
          error,
          completedAt: at(10),
          owner: null,
          updatedAt: at(10),
        });
        expect(run?.workflowId).toBe('linear');
      });

      it('finishStep without startStep inserts the record (a step cancelled before it started)', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        const step = runningStep('run-1', 0, 'fetch', {}, 1);
        const cancelled = {
          ...step,
          status: 'CANCELLED' as const,
          error: makeError('Run cancelled', 'AR-CANCELLED'),
          finishedAt: at(2),
          durationMs: 1,
        };
        await s.finishStep(cancelled, null, { status: 'CANCELLED' });
        expect(await s.getSteps('run-1')).toEqual([cancelled]);
        expect((await s.getRun('run-1'))?.status).toBe('CANCELLED');
      });

      it('never rewrites a finished execution', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        const step = runningStep('run-1', 0, 'fetch', {}, 1);
        await s.startStep(step);
        const first = completed(step, { a: 1 }, 3, null);
        await s.finishStep(first, setStep('fetch', { a: 1 }));
        expect(
          await codeOf(
            s.finishStep(completed(step, { a: 2 }, 3, null), setStep('fetch', { a: 2 }), {
              status: 'COMPLETED',
            }),
          ),
        ).toBe('AR-STORAGE');
        expect(await s.getSteps('run-1')).toEqual([first]);
        expect(await s.getStateVersions('run-1')).toHaveLength(2);
        // The failed call's run update did not happen either: one transition, all or nothing.
        expect((await s.getRun('run-1'))?.status).toBe('RUNNING');
      });

      it('round-trips every finished status', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        const e = makeError('degraded', 'AR-STEP-EXECUTION', { props: { statusCode: 503 } });
        const base = (i: number) => runningStep('run-1', i, `s${i}`, { i }, i * 10);
        const records: StepExecutionRecord[] = [
          completed(base(0), { ok: true }, 1, 's1'),
          {
            ...base(1),
            status: 'DEGRADED',
            output: { fallback: 'x' },
            error: e,
            lastError: e,
            nextStep: null,
            finishedAt: at(15),
            durationMs: 5,
          },
          failed(base(2), e, 2, 3),
          {
            ...base(3),
            status: 'CANCELLED',
            error: makeError('stop', 'AR-CANCELLED'),
            finishedAt: at(35),
            durationMs: 5,
          },
        ];
        for (const r of records) {
          if (r.status === 'RUNNING') throw new Error('unreachable');
          await s.startStep({ ...base(r.executionIndex) });
          await s.finishStep(r, null);
        }
        expect(await s.getSteps('run-1')).toEqual(records);
      });

      it('returns step executions ordered by execution index', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        for (const i of [3, 0, 11, 2, 1])
          await s.startStep(runningStep('run-1', i, `s${i}`, {}, i));
        expect((await s.getSteps('run-1')).map((x) => x.executionIndex)).toEqual([0, 1, 2, 3, 11]);
      });

      it('keeps runs apart', async () => {
        const s = await open();
        await writeCompletedLinearRun(s, 'a');
        await writeFailedLinearRun(s, 'b', 100);
        expect((await s.getSteps('a')).map((x) => x.status)).toEqual([
          'COMPLETED',
          'COMPLETED',
          'COMPLETED',
        ]);
        expect((await s.getSteps('b')).map((x) => x.status)).toEqual(['COMPLETED', 'FAILED']);
        expect(await s.getStateVersions('a')).toHaveLength(4);
        expect(await s.getStateVersions('b')).toHaveLength(2);
      });
    });

    describe('updateRun', () => {
      it('changes only the given fields', async () => {
        const s = await open();
        const run = makeRun();
        await s.createRun(run, {});
        await s.updateRun('run-1', {
          resumeCount: 2,
          metadata: { forced: true },
          updatedAt: at(50),
        });
        expect(await s.getRun('run-1')).toEqual({
          ...run,
          resumeCount: 2,
          metadata: { forced: true },
          updatedAt: at(50),
        });
        await s.updateRun('run-1', {
          status: 'COMPLETED',
          completedAt: at(60),
          owner: null,
          error: null,
          updatedAt: at(60),
        });
        expect(await s.getRun('run-1')).toEqual({
          ...run,
          resumeCount: 2,
          metadata: { forced: true },
          status: 'COMPLETED',
          completedAt: at(60),
          owner: null,
          error: null,
          updatedAt: at(60),
        });
      });

      it('sets updatedAt to the current time when not given', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        const before = new Date().toISOString();
        await s.updateRun('run-1', { status: 'CANCELLED' });
        const updated = (await s.getRun('run-1'))?.updatedAt ?? '';
        expect(updated >= before).toBe(true);
      });
    });

    describe('claimRun (exclusive resume)', () => {
      const mine = { pid: 1111, hostname: 'host-a' };
      const theirs = { pid: 2222, hostname: 'host-b' };

      it('applies the update when status, owner and resume count still match', async () => {
        const s = await open();
        const run = makeRun({ status: 'FAILED', owner: null, completedAt: at(5) });
        await s.createRun(run, {});
        const claimed = await s.claimRun('run-1', {
          expected: { status: 'FAILED', owner: null, resumeCount: 0 },
          update: {
            status: 'RUNNING',
            owner: mine,
            resumeCount: 1,
            completedAt: null,
            updatedAt: at(9),
          },
        });
        expect(claimed).toBe(true);
        expect(await s.getRun('run-1')).toEqual({
          ...run,
          status: 'RUNNING',
          owner: mine,
          resumeCount: 1,
          completedAt: null,
          updatedAt: at(9),
        });
      });

      it('refuses, changing nothing, when any expected field differs', async () => {
        const s = await open();
        const run = makeRun({ owner: theirs, resumeCount: 2 });
        await s.createRun(run, {});
        const update = { status: 'RUNNING' as const, owner: mine, resumeCount: 3 };
        for (const expected of [
          { status: 'FAILED' as const, owner: theirs, resumeCount: 2 },
          { status: 'RUNNING' as const, owner: mine, resumeCount: 2 },
          { status: 'RUNNING' as const, owner: { ...theirs, hostname: 'other' }, resumeCount: 2 },
          { status: 'RUNNING' as const, owner: null, resumeCount: 2 },
          { status: 'RUNNING' as const, owner: theirs, resumeCount: 1 },
        ]) {
          expect(await s.claimRun('run-1', { expected, update })).toBe(false);
        }
        expect(await s.getRun('run-1')).toEqual(run);
        // A crashed run (RUNNING, dead owner) is claimed by naming that owner.
        expect(
          await s.claimRun('run-1', {
            expected: { status: 'RUNNING', owner: theirs, resumeCount: 2 },
            update,
          }),
        ).toBe(true);
      });

      it('of two claims on what both read, exactly one wins', async () => {
        const s = await open();
        await s.createRun(makeRun({ status: 'CANCELLED', owner: null }), {});
        const expected = { status: 'CANCELLED' as const, owner: null, resumeCount: 0 };
        const results = await Promise.all([
          s.claimRun('run-1', {
            expected,
            update: { status: 'RUNNING', owner: mine, resumeCount: 1 },
          }),
          s.claimRun('run-1', {
            expected,
            update: { status: 'RUNNING', owner: theirs, resumeCount: 1 },
          }),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await s.getRun('run-1'))?.owner).toEqual(results[0] ? mine : theirs);
      });

      it('an unknown run fails with AR-RUN-NOT-FOUND', async () => {
        const s = await open();
        expect(
          await codeOf(
            s.claimRun('nope', {
              expected: { status: 'FAILED', owner: null, resumeCount: 0 },
              update: { status: 'RUNNING' },
            }),
          ),
        ).toBe('AR-RUN-NOT-FOUND');
      });
    });

    describe('resumed runs', () => {
      it('keep failed records and continue execution_index and state versions', async () => {
        const s = await open();
        await writeFailedLinearRun(s, 'r');
        await resumeFailedLinearRun(s, 'r');
        const steps = await s.getSteps('r');
        expect(steps.map((x) => [x.executionIndex, x.stepId, x.status])).toEqual([
          [0, 'fetch', 'COMPLETED'],
          [1, 'summarize', 'FAILED'],
          [2, 'summarize', 'COMPLETED'],
          [3, 'publish', 'COMPLETED'],
        ]);
        const versions = await s.getStateVersions('r');
        expect(versions.map((v) => [v.version, v.executionIndex, v.stepId])).toEqual([
          [0, null, null],
          [1, 0, 'fetch'],
          [2, 2, 'summarize'],
          [3, 3, 'publish'],
        ]);
        expect((rebuildState(versions) as { steps: JsonObject }).steps).toEqual(LINEAR_OUTPUTS);
        expect(await s.getRun('r')).toMatchObject({
          status: 'COMPLETED',
          resumeCount: 1,
          error: null,
        });
      });
    });

    describe('listRuns', () => {
      it('lists newest first and filters by workflow and status', async () => {
        const s = await open();
        await writeCompletedLinearRun(s, 'old', 0);
        await writeFailedLinearRun(s, 'mid', 1000);
        await s.createRun(
          makeRun({ runId: 'other', workflowId: 'triage', createdAt: at(2000) }),
          {},
        );
        expect((await s.listRuns()).map((r) => r.runId)).toEqual(['other', 'mid', 'old']);
        expect((await s.listRuns({ workflowId: 'linear' })).map((r) => r.runId)).toEqual([
          'mid',
          'old',
        ]);
        expect((await s.listRuns({ status: 'FAILED' })).map((r) => r.runId)).toEqual(['mid']);
        expect(
          (await s.listRuns({ status: 'RUNNING', workflowId: 'triage' })).map((r) => r.runId),
        ).toEqual(['other']);
        expect(await s.listRuns({ status: 'CANCELLED' })).toEqual([]);
        expect((await s.listRuns({ limit: 2 })).map((r) => r.runId)).toEqual(['other', 'mid']);
        expect((await s.listRuns({ workflowId: 'linear' }))[1]).toEqual(await s.getRun('old'));
      });

      it('returns at most 20 runs by default, breaking createdAt ties by insertion order', async () => {
        const s = await open();
        for (let i = 0; i < 25; i++)
          await s.createRun(makeRun({ runId: `r${i}`, createdAt: at(0) }), {});
        const listed = await s.listRuns();
        expect(listed).toHaveLength(20);
        expect(listed[0]?.runId).toBe('r24');
        expect(listed[19]?.runId).toBe('r5');
      });
    });

    describe('isolation', () => {
      it('deep-copies what it stores and what it returns', async () => {
        const s = await open();
        const run = makeRun();
        const initial = initialStateFor(run);
        await s.createRun(run, initial);
        (run.inputs as { topic: string }).topic = 'mutated';
        run.metadata['x'] = 1;
        (initial['steps'] as JsonObject)['evil'] = true;
        const step = runningStep('run-1', 0, 'fetch', { deep: { v: 1 } }, 0);
        await s.startStep(step);
        (step.input as { deep: { v: number } }).deep.v = 2;
        const output = { nested: { v: 1 } };
        const changes = setStep('fetch', output);
        await s.finishStep(
          completed(runningStep('run-1', 0, 'fetch', { deep: { v: 1 } }, 0), output, 1, null),
          changes,
        );
        output.nested.v = 99;

        const got = await s.getRun('run-1');
        expect(got?.inputs).toEqual({ topic: 'durable runs' });
        expect(got?.metadata).toEqual({});
        (got as { inputs: JsonObject }).inputs['topic'] = 'mutated again';
        expect((await s.getRun('run-1'))?.inputs).toEqual({ topic: 'durable runs' });

        const steps = await s.getSteps('run-1');
        expect(steps[0]?.input).toEqual({ deep: { v: 1 } });
        (steps[0] as { output: JsonObject }).output['nested'] = 'changed';
        expect((await s.getSteps('run-1'))[0]).toMatchObject({ output: { nested: { v: 1 } } });

        const versions = await s.getStateVersions('run-1');
        expect(rebuildState(versions)).toEqual({
          ...initialStateFor(makeRun()),
          steps: { fetch: { nested: { v: 1 } } },
        });
        versions[0]?.changes.splice(0);
        expect((await s.getStateVersions('run-1'))[0]?.changes).toHaveLength(1);
      });
    });

    describe('close', () => {
      it('rejects calls after close with AR-STORAGE', async () => {
        const s = await open();
        await s.createRun(makeRun(), {});
        await s.close();
        expect(await codeOf(s.getRun('run-1'))).toBe('AR-STORAGE');
        expect(await codeOf(s.createRun(makeRun({ runId: 'x' }), {}))).toBe('AR-STORAGE');
        store = undefined;
      });
    });
  });
}
