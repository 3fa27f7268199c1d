/**
 * Builders for realistic run records, written through the RunStore API exactly the way the
 * executor writes them (createRun → startStep → recordAttempt → finishStep). Store, replay and
 * visualize tests use them to produce histories without running a workflow.
 */
import { createHash } from 'node:crypto';
import type { SerializedError } from '../../runtime/errors.js';
import type { JsonObject, JsonValue } from '../../runtime/json.js';
import type {
  FinishedStepRecord,
  RunRecord,
  RunStore,
  RunUpdate,
  RunningStepRecord,
  StateChange,
} from '../../runtime/store/run-store.js';

const BASE_TIME = Date.parse('2026-01-01T00:00:00.000Z');

/** A deterministic ISO timestamp `ms` after a fixed base. */
export function at(ms: number): string {
  return new Date(BASE_TIME + ms).toISOString();
}

export const LINEAR_YAML = `schema_version: v1
workflow: { id: linear, version: v1 }
steps:
  - id: fetch
    type: function
    function: sample.fetch
  - id: summarize
    type: function
    function: sample.summarize
  - id: publish
    type: tool
    tool: tools.echo
`;

export function makeRun(overrides: Partial<RunRecord> = {}): RunRecord {
  const yaml = overrides.workflowYaml ?? LINEAR_YAML;
  const inputs = overrides.inputs ?? { topic: 'durable runs' };
  return {
    runId: 'run-1',
    workflowId: 'linear',
    workflowVersion: 'v1',
    workflowHash: createHash('sha256').update(yaml).digest('hex'),
    workflowYaml: yaml,
    workflowFile: null,
    stepIds: ['fetch', 'summarize', 'publish'],
    inputs,
    inputHash: createHash('sha256').update(JSON.stringify(inputs)).digest('hex'),
    status: 'RUNNING',
    createdAt: at(0),
    updatedAt: at(0),
    completedAt: null,
    error: null,
    owner: { pid: 4242, hostname: 'test-host' },
    resumeCount: 0,
    metadata: {},
    ...overrides,
  };
}

export function initialStateFor(run: RunRecord): JsonObject {
  return {
    inputs: run.inputs,
    steps: {},
    runtime: { workflow_id: run.workflowId, run_id: run.runId },
  };
}

export function makeError(
  message: string,
  code = 'AR-STEP-EXECUTION',
  extra: Partial<SerializedError> = {},
): SerializedError {
  return {
    name: 'StepError',
    message,
    code,
    stack: `StepError: ${message}\n    at step (functions/sample.ts:1:1)`,
    ...extra,
  };
}

export function runningStep(
  runId: string,
  executionIndex: number,
  stepId: string,
  input: JsonValue,
  startMs: number,
  stepType = 'function',
): RunningStepRecord {
  return {
    runId,
    executionIndex,
    stepId,
    stepType,
    input,
    attempts: 1,
    startedAt: at(startMs),
    lastError: null,
    metadata: {},
    status: 'RUNNING',
  };
}

/** Finishes `step` as COMPLETED with `output` after `durationMs`. */
export function completed(
  step: RunningStepRecord,
  output: JsonObject,
  durationMs: number,
  nextStep: string | null,
  extra: Partial<Pick<FinishedStepRecord, 'attempts' | 'lastError' | 'metadata'>> = {},
): FinishedStepRecord {
  return {
    ...step,
    ...extra,
    status: 'COMPLETED',
    output,
    nextStep,
    finishedAt: at(Date.parse(step.startedAt) - BASE_TIME + durationMs),
    durationMs,
  };
}

export function failed(
  step: RunningStepRecord,
  error: SerializedError,
  durationMs: number,
  attempts = 1,
): FinishedStepRecord {
  return {
    ...step,
    attempts,
    lastError: error,
    status: 'FAILED',
    error,
    nextStep: null,
    finishedAt: at(Date.parse(step.startedAt) - BASE_TIME + durationMs),
    durationMs,
  };
}

export function setStep(stepId: string, output: JsonObject): StateChange[] {
  return [{ op: 'set', path: ['steps', stepId], value: output }];
}

/** Writes one step execution (start, optional failed attempts, finish) like the executor. */
export async function writeStep(
  store: RunStore,
  step: RunningStepRecord,
  finish: FinishedStepRecord,
  changes: StateChange[] | null,
  run?: RunUpdate,
  retries: SerializedError[] = [],
): Promise<void> {
  await store.startStep(step);
  for (const [i, error] of retries.entries())
    await store.recordAttempt(step.runId, step.executionIndex, i + 2, error);
  await store.finishStep(finish, changes, run);
}

/** The outputs of the linear sample, per step. */
export const LINEAR_OUTPUTS = {
  fetch: { text: 'raw notes about durable runs' },
  summarize: { summary: 'runs survive crashes' },
  publish: { published: true, url: 'memory://post/1' },
} satisfies Record<string, JsonObject>;

/** Writes `step` finishing COMPLETED with `output`, which the executor also sets at `steps.<id>`. */
async function writeCompletedStep(
  store: RunStore,
  step: RunningStepRecord,
  output: JsonObject,
  durationMs: number,
  nextStep: string | null,
  run?: RunUpdate,
): Promise<void> {
  await writeStep(
    store,
    step,
    completed(step, output, durationMs, nextStep),
    setStep(step.stepId, output),
    run,
  );
}

/** The run update that ends a run at `ms`: the executor releases ownership as it finishes. */
function endRun(status: 'COMPLETED' | 'FAILED', ms: number, extra: RunUpdate = {}): RunUpdate {
  return { status, ...extra, completedAt: at(ms), owner: null, updatedAt: at(ms) };
}

/**
 * Creates a linear run and writes its `fetch` step; returns the `summarize` step (execution 1)
 * that starts next.
 */
async function startLinearRun(
  store: RunStore,
  runId: string,
  createdMs: number,
): Promise<RunningStepRecord> {
  const run = makeRun({ runId, createdAt: at(createdMs), updatedAt: at(createdMs) });
  await store.createRun(run, initialStateFor(run));
  const fetch = runningStep(runId, 0, 'fetch', { topic: 'durable runs' }, createdMs + 1);
  await writeCompletedStep(store, fetch, LINEAR_OUTPUTS.fetch, 12, 'summarize');
  return summarizeStep(runId, 1, createdMs + 20);
}

function summarizeStep(runId: string, executionIndex: number, startMs: number): RunningStepRecord {
  return runningStep(
    runId,
    executionIndex,
    'summarize',
    { text: LINEAR_OUTPUTS.fetch.text },
    startMs,
  );
}

/** Writes the linear run's last step, `publish`, and completes the run 10ms after it started. */
async function writePublishAndComplete(
  store: RunStore,
  runId: string,
  executionIndex: number,
  startMs: number,
  durationMs: number,
): Promise<void> {
  const publish = runningStep(
    runId,
    executionIndex,
    'publish',
    { summary: LINEAR_OUTPUTS.summarize.summary },
    startMs,
    'tool',
  );
  await writeCompletedStep(
    store,
    publish,
    LINEAR_OUTPUTS.publish,
    durationMs,
    null,
    endRun('COMPLETED', startMs + 10),
  );
}

/** A successful three-step run; `summarize` needed a retry. */
export async function writeCompletedLinearRun(
  store: RunStore,
  runId = 'run-ok',
  createdMs = 0,
): Promise<RunRecord> {
  const s1 = await startLinearRun(store, runId, createdMs);
  const flaky = makeError('model overloaded', 'AR-STEP-EXECUTION');
  await writeStep(
    store,
    s1,
    completed(s1, LINEAR_OUTPUTS.summarize, 30, 'publish', { attempts: 2, lastError: flaky }),
    setStep('summarize', LINEAR_OUTPUTS.summarize),
    undefined,
    [flaky],
  );
  await writePublishAndComplete(store, runId, 2, createdMs + 60, 5);
  return (await store.getRun(runId)) as RunRecord;
}

/** A run that failed at `summarize` (fail_fast: no state version for the failure). */
export async function writeFailedLinearRun(
  store: RunStore,
  runId = 'run-failed',
  createdMs = 0,
): Promise<RunRecord> {
  const s1 = await startLinearRun(store, runId, createdMs);
  const error = makeError('summarizer crashed: missing key', 'AR-STEP-EXECUTION');
  await writeStep(
    store,
    s1,
    failed(s1, error, 8, 2),
    null,
    endRun('FAILED', createdMs + 30, { error }),
    [error],
  );
  return (await store.getRun(runId)) as RunRecord;
}

/** Resumes a failed linear run: re-executes `summarize` (index 2) and `publish` (index 3). */
export async function resumeFailedLinearRun(
  store: RunStore,
  runId = 'run-failed',
  startMs = 1000,
): Promise<RunRecord> {
  await store.updateRun(runId, {
    status: 'RUNNING',
    error: null,
    completedAt: null,
    resumeCount: 1,
    owner: { pid: 4343, hostname: 'test-host' },
    updatedAt: at(startMs),
  });
  const s2 = summarizeStep(runId, 2, startMs + 1);
  await writeCompletedStep(store, s2, LINEAR_OUTPUTS.summarize, 25, 'publish');
  await writePublishAndComplete(store, runId, 3, startMs + 30, 4);
  return (await store.getRun(runId)) as RunRecord;
}

export const BRANCHING_YAML = `schema_version: v1
workflow: { id: triage, version: v1 }
inputs:
  severity: { required: true }
steps:
  - id: classify
    type: function
    function: triage.classify
    next:
      - when: state.steps.classify.level == "high"
        goto: escalate
      - default: respond
  - id: escalate
    type: tool
    tool: tools.page
    next:
      - default: done
  - id: respond
    type: function
    function: triage.respond
  - id: done
    type: function
    function: triage.done
`;

/** A branching run that took classify → respond → done, so `escalate` never ran. */
export async function writeBranchingRun(
  store: RunStore,
  runId = 'run-branch',
  createdMs = 0,
): Promise<RunRecord> {
  const run = makeRun({
    runId,
    workflowId: 'triage',
    workflowYaml: BRANCHING_YAML,
    stepIds: ['classify', 'escalate', 'respond', 'done'],
    inputs: { severity: 'low' },
    createdAt: at(createdMs),
    updatedAt: at(createdMs),
  });
  await store.createRun(run, initialStateFor(run));
  const c = runningStep(runId, 0, 'classify', { severity: 'low' }, createdMs + 1);
  await writeCompletedStep(store, c, { level: 'low' }, 3, 'respond');
  const r = runningStep(runId, 1, 'respond', { level: 'low' }, createdMs + 5);
  await writeCompletedStep(store, r, { reply: '<b>thanks</b> & bye' }, 7, 'done');
  const d = runningStep(runId, 2, 'done', {}, createdMs + 13);
  await writeCompletedStep(store, d, { ok: true }, 1, null, endRun('COMPLETED', createdMs + 15));
  return (await store.getRun(runId)) as RunRecord;
}
