/**
 * Deterministic replay: rebuilds a run from its records alone. Nothing is executed: this module
 * depends only on the store and the state chain (never on steps/, functions/, tools/ or llm/), so a
 * replay cannot call a model or a tool even by accident; a test checks the import graph.
 *
 * Unlike the Python runtime's first replayer, failed records are part of the walk (they keep state
 * unchanged), so a run that failed and was resumed replays end to end.
 */
import { ReplayError, RunNotFoundError, type SerializedError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type {
  RunRecord,
  RunStore,
  StateVersion,
  StepExecutionRecord,
  StepStatus,
} from '../store/run-store.js';
import {
  applyChanges,
  diffStates,
  jsonEqual,
  rebuildState,
  stepOutputChange,
  type StateDiffEntry,
} from '../store/state-chain.js';

export interface ReplayOptions {
  /** Prove the recorded state chain is consistent; a mismatch throws AR-REPLAY-MISMATCH. */
  verifyState?: boolean;
  /** Stop after the last execution of this step (inclusive). */
  untilStep?: string;
  /** Called after each replayed step, awaited (the CLI's step-by-step mode waits for Enter here). */
  onStep?: (step: ReplayedStep, index: number) => void | Promise<void>;
}

export interface ReplayedStep {
  executionIndex: number;
  stepId: string;
  stepType: string;
  status: StepStatus;
  attempts: number;
  input: StepExecutionRecord['input'];
  /** The recorded output (COMPLETED or DEGRADED), otherwise null. */
  output: JsonObject | null;
  /** The step's final error (DEGRADED, FAILED, CANCELLED), otherwise null. */
  error: SerializedError | null;
  lastError: SerializedError | null;
  durationMs: number | null;
  /** The state version this step produced, or null when it changed nothing. */
  stateVersion: number | null;
  stateBefore: JsonObject;
  stateAfter: JsonObject;
  diff: StateDiffEntry[];
  record: StepExecutionRecord;
}

export interface ReplayResult {
  run: RunRecord;
  steps: ReplayedStep[];
  finalState: JsonObject;
  /** True when `verifyState` was asked for and every check passed. */
  verified: boolean;
  /** The `untilStep` replay stopped at, or null when it walked the whole history. */
  stoppedAt: string | null;
}

export async function replayRun(
  store: RunStore,
  runId: string,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const run = await store.getRun(runId);
  if (!run) throw new RunNotFoundError(runId);
  const [records, versions] = await Promise.all([
    store.getSteps(runId),
    store.getStateVersions(runId),
  ]);
  if (records.length === 0) {
    throw new ReplayError(
      'AR-REPLAY-DATA-MISSING',
      `Run ${runId} has no step history to replay (status ${run.status})`,
      {
        details: { runId },
      },
    );
  }
  const initial = versions[0];
  if (!initial || initial.version !== 0) {
    throw new ReplayError(
      'AR-REPLAY-DATA-MISSING',
      `Run ${runId} has no initial state (state version 0) to replay from`,
      {
        details: { runId },
      },
    );
  }
  const verify = options.verifyState === true;
  const byExecution = indexVersions(runId, versions, records, verify);
  const lastIndex = lastExecutionOf(runId, records, options.untilStep);

  let state = applyChanges({}, initial.changes);
  let latestVersion = 0;
  const steps: ReplayedStep[] = [];
  for (const record of records) {
    if (lastIndex !== null && record.executionIndex > lastIndex) break;
    const version = byExecution.get(record.executionIndex) ?? null;
    const before = state;
    const after = version ? applyChanges(before, version.changes) : before;
    if (version) latestVersion = version.version;
    if (verify) verifyStep(runId, record, before, after);
    const step = toReplayedStep(record, version, before, after);
    steps.push(step);
    state = after;
    await options.onStep?.(step, steps.length - 1);
  }

  if (verify) {
    const recorded = rebuildState(versions, latestVersion);
    if (!jsonEqual(recorded, state)) {
      throw mismatch(
        runId,
        steps[steps.length - 1]?.stepId ?? null,
        'the replayed final state differs from the recorded state chain',
      );
    }
  }
  return { run, steps, finalState: state, verified: verify, stoppedAt: options.untilStep ?? null };
}

/** Maps execution index → the state version it produced, checking the chain's shape. */
function indexVersions(
  runId: string,
  versions: readonly StateVersion[],
  records: readonly StepExecutionRecord[],
  verify: boolean,
): Map<number, StateVersion> {
  const known = new Set(records.map((r) => r.executionIndex));
  const out = new Map<number, StateVersion>();
  let lastExecution = -1;
  versions.forEach((v, i) => {
    if (!verify) {
      if (v.executionIndex !== null) out.set(v.executionIndex, v);
      return;
    }
    if (v.version !== i) {
      throw mismatch(
        runId,
        v.stepId,
        `state versions are not contiguous: expected version ${i}, found ${v.version}`,
      );
    }
    if (i === 0) return;
    if (v.executionIndex === null || !known.has(v.executionIndex)) {
      throw mismatch(
        runId,
        v.stepId,
        `state version ${v.version} belongs to no recorded step execution`,
      );
    }
    if (out.has(v.executionIndex)) {
      throw mismatch(
        runId,
        v.stepId,
        `step execution #${v.executionIndex} has more than one state version`,
      );
    }
    const record = records.find((r) => r.executionIndex === v.executionIndex);
    if (record && record.stepId !== v.stepId) {
      throw mismatch(
        runId,
        v.stepId,
        `state version ${v.version} names step '${v.stepId}' but execution #${v.executionIndex} is '${record.stepId}'`,
      );
    }
    if (v.executionIndex <= lastExecution) {
      throw mismatch(runId, v.stepId, `state version ${v.version} is out of execution order`);
    }
    lastExecution = v.executionIndex;
    out.set(v.executionIndex, v);
  });
  return out;
}

function lastExecutionOf(
  runId: string,
  records: readonly StepExecutionRecord[],
  untilStep: string | undefined,
): number | null {
  if (untilStep === undefined) return null;
  const matching = records.filter((r) => r.stepId === untilStep);
  const last = matching[matching.length - 1];
  if (!last) {
    const executed = [...new Set(records.map((r) => r.stepId))].join(', ');
    throw new ReplayError(
      'AR-REPLAY-DATA-MISSING',
      `Step '${untilStep}' never executed in run ${runId} (executed: ${executed})`,
      {
        details: { runId, untilStep },
      },
    );
  }
  return last.executionIndex;
}

function verifyStep(
  runId: string,
  record: StepExecutionRecord,
  before: JsonObject,
  after: JsonObject,
): void {
  switch (record.status) {
    case 'COMPLETED':
    case 'DEGRADED': {
      const expected = applyChanges(before, stepOutputChange(record.stepId, record.output));
      if (!jsonEqual(expected, after)) {
        throw mismatch(
          runId,
          record.stepId,
          `execution #${record.executionIndex} recorded an output that its state change does not set at steps.${record.stepId}`,
        );
      }
      return;
    }
    case 'FAILED':
    case 'CANCELLED':
    case 'RUNNING':
      if (!jsonEqual(before, after)) {
        throw mismatch(
          runId,
          record.stepId,
          `execution #${record.executionIndex} is ${record.status} but changed the state`,
        );
      }
      return;
  }
}

function toReplayedStep(
  record: StepExecutionRecord,
  version: StateVersion | null,
  before: JsonObject,
  after: JsonObject,
): ReplayedStep {
  const hasOutput = record.status === 'COMPLETED' || record.status === 'DEGRADED';
  const hasError =
    record.status === 'DEGRADED' || record.status === 'FAILED' || record.status === 'CANCELLED';
  return {
    executionIndex: record.executionIndex,
    stepId: record.stepId,
    stepType: record.stepType,
    status: record.status,
    attempts: record.attempts,
    input: record.input,
    output: hasOutput ? record.output : null,
    error: hasError ? record.error : null,
    lastError: record.lastError,
    durationMs: record.status === 'RUNNING' ? null : record.durationMs,
    stateVersion: version?.version ?? null,
    stateBefore: before,
    stateAfter: after,
    diff: diffStates(before, after),
    record,
  };
}

function mismatch(runId: string, stepId: string | null, what: string): ReplayError {
  const where = stepId ? ` at step '${stepId}'` : '';
  return new ReplayError(
    'AR-REPLAY-MISMATCH',
    `Replay of run ${runId} does not match its records${where}: ${what}`,
    {
      details: { runId, stepId },
    },
  );
}
