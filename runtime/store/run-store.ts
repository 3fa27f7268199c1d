/**
 * The run store: the durable record of every run, step execution and state change. The executor
 * is its only writer. Each method that changes more than one record is one transaction in a
 * durable implementation, so a crash (even `kill -9`) between two calls leaves a consistent,
 * resumable record.
 *
 * State is recorded as a chain of changes, not snapshots: version 0 sets the initial state, and
 * each finished step appends the change it made (normally one `set` of `steps.<id>`). Bytes written
 * per step therefore stay flat as a run grows; `rebuildState` replays the chain to any version.
 */
import type { SerializedError } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';

export type RunStatus = 'RUNNING' | 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'FAILED' | 'CANCELLED';

export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['COMPLETED', 'COMPLETED_WITH_ERRORS'];
/** A run in one of these states may be resumed (RUNNING only when its owner process is gone). */
export const RESUMABLE_RUN_STATUSES: readonly RunStatus[] = ['FAILED', 'CANCELLED', 'RUNNING'];

export interface RunOwner {
  pid: number;
  hostname: string;
}

export interface RunRecord {
  runId: string;
  workflowId: string;
  workflowVersion: string;
  /** SHA-256 of the workflow text: the resume integrity lock. */
  workflowHash: string;
  workflowYaml: string;
  /** Absolute path of the workflow file, or null for inline YAML. */
  workflowFile: string | null;
  /** Step ids in file order. */
  stepIds: string[];
  inputs: JsonObject;
  /** SHA-256 of the canonical JSON of `inputs`. */
  inputHash: string;
  status: RunStatus;
  /** ISO-8601 UTC timestamps. */
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  error: SerializedError | null;
  /** The process executing the run while it is RUNNING; a dead owner means the run crashed. */
  owner: RunOwner | null;
  /** How many times the run was resumed. */
  resumeCount: number;
  /** Free-form facts: forced resumes, usage and cost totals, tags. */
  metadata: JsonObject;
}

export type StepStatus = 'RUNNING' | 'COMPLETED' | 'DEGRADED' | 'FAILED' | 'CANCELLED';

interface StepExecutionBase {
  runId: string;
  /** 0-based position of this execution in the run (resumed re-executions continue the count). */
  executionIndex: number;
  stepId: string;
  stepType: string;
  /** The resolved step input as passed to the function/tool/agent (secrets removed). */
  input: JsonValue;
  /** Attempts made so far. */
  attempts: number;
  startedAt: string;
  /** Error of the latest failed attempt, if any (a degraded or retried-then-ok step keeps it). */
  lastError: SerializedError | null;
  /** Usage, cost, model name, agent trace and other per-step facts. */
  metadata: JsonObject;
}

interface FinishedStepBase extends StepExecutionBase {
  finishedAt: string;
  durationMs: number;
}

export type StepExecutionRecord =
  | (StepExecutionBase & { status: 'RUNNING' })
  | (FinishedStepBase & { status: 'COMPLETED'; output: JsonObject; nextStep: string | null })
  | (FinishedStepBase & {
      status: 'DEGRADED';
      output: JsonObject;
      error: SerializedError;
      nextStep: string | null;
    })
  | (FinishedStepBase & { status: 'FAILED'; error: SerializedError; nextStep: string | null })
  | (FinishedStepBase & { status: 'CANCELLED'; error: SerializedError });

export type FinishedStepRecord = Exclude<StepExecutionRecord, { status: 'RUNNING' }>;
export type RunningStepRecord = Extract<StepExecutionRecord, { status: 'RUNNING' }>;

/** One change to run state. `path: []` with `set` replaces the whole state (version 0). */
export type StateChange =
  { op: 'set'; path: string[]; value: JsonValue } | { op: 'delete'; path: string[] };

export interface StateVersion {
  runId: string;
  version: number;
  /** The step execution that produced it; null for version 0. */
  executionIndex: number | null;
  stepId: string | null;
  changes: StateChange[];
  createdAt: string;
}

export interface RunUpdate {
  status?: RunStatus;
  completedAt?: string | null;
  error?: SerializedError | null;
  owner?: RunOwner | null;
  resumeCount?: number;
  /** Replaces the run's metadata object (callers merge first if they want to keep keys). */
  metadata?: JsonObject;
  /** ISO-8601 UTC; the store uses the current time when omitted. */
  updatedAt?: string;
}

/**
 * A compare-and-set on a run (added for exclusive resume): the update applies only when the run
 * still has exactly the `expected` status, owner and resume count the caller read, checked and
 * written in one transaction. Two processes resuming the same run both read it, both try to
 * claim it, and exactly one wins.
 */
export interface RunClaim {
  expected: { status: RunStatus; owner: RunOwner | null; resumeCount: number };
  /** Normally `{ status: 'RUNNING', owner: <me>, resumeCount: n + 1, … }`. */
  update: RunUpdate;
}

export interface RunFilter {
  workflowId?: string;
  status?: RunStatus;
  /** Newest first; default 20. */
  limit?: number;
}

export interface RunStore {
  /** Inserts the run and state version 0 (the initial state) in one transaction. */
  createRun(run: RunRecord, initialState: JsonObject): Promise<void>;
  /** Records a step execution as RUNNING (before its first attempt). */
  startStep(step: RunningStepRecord): Promise<void>;
  /** Records a failed attempt that will be retried. */
  recordAttempt(
    runId: string,
    executionIndex: number,
    attempts: number,
    lastError: SerializedError,
  ): Promise<void>;
  /**
   * Finishes a step execution in one transaction: the step row, the state change it made (a new
   * state version when `changes` is non-null) and, optionally, the run's new status.
   */
  finishStep(
    step: FinishedStepRecord,
    changes: StateChange[] | null,
    run?: RunUpdate,
  ): Promise<void>;
  updateRun(runId: string, update: RunUpdate): Promise<void>;
  /**
   * Applies `claim.update` if the run still matches `claim.expected` (one transaction); returns
   * whether it did. An unknown run fails with AR-RUN-NOT-FOUND.
   */
  claimRun(runId: string, claim: RunClaim): Promise<boolean>;
  getRun(runId: string): Promise<RunRecord | null>;
  /** Step executions ordered by execution index. */
  getSteps(runId: string): Promise<StepExecutionRecord[]>;
  /** State versions ordered by version, starting at 0. */
  getStateVersions(runId: string): Promise<StateVersion[]>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  close(): Promise<void>;
}
