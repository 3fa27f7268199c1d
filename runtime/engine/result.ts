/** RunResult: what a finished (or stopped) run hands back. Plain JSON, safe to post across threads. */
import type { SerializedError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { RunStatus, StepExecutionRecord } from '../store/run-store.js';

export interface RunResult {
  runId: string;
  workflowId: string;
  workflowVersion: string;
  status: RunStatus;
  /** True only for COMPLETED. */
  succeeded: boolean;
  /** `state.steps`: each step's output by step id. */
  outputs: JsonObject;
  /** Final state `{inputs, steps, runtime}`. */
  state: JsonObject;
  /** Every step execution of the run, including earlier sessions of a resumed run. */
  steps: StepExecutionRecord[];
  error: SerializedError | null;
  /** ISO-8601: run creation, and the end of this session. */
  startedAt: string;
  completedAt: string | null;
  /** Wall time of this call (one session of a resumed run). */
  durationMs: number;
}
