/**
 * Run events: what listeners (the CLI printer, the notebook progress view, the sync bridge) see
 * while a run goes on. Every event is plain JSON so it can cross a worker thread or a process
 * boundary unchanged.
 */
import type { SerializedError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { RunStatus } from '../store/run-store.js';

interface EventBase {
  runId: string;
  /** ISO-8601 UTC. */
  at: string;
}

interface StepEventBase extends EventBase {
  stepId: string;
  stepType: string;
  executionIndex: number;
}

export type RunEvent =
  | (EventBase & {
      type: 'run_start';
      workflowId: string;
      workflowVersion: string;
      /** True when this run continues an earlier FAILED/CANCELLED/crashed run. */
      resumed: boolean;
      /** The step execution starts from (first step, or the resume point). */
      fromStep: string | null;
    })
  | (StepEventBase & { type: 'step_start'; attempt: number; maxAttempts: number })
  | (StepEventBase & {
      type: 'step_retry';
      attempt: number;
      nextAttempt: number;
      maxAttempts: number;
      delayMs: number;
      error: SerializedError;
    })
  | (StepEventBase & {
      type: 'step_progress';
      /** Free text a step reported through `ctx.progress(...)`. */
      message: string;
      data?: JsonObject;
    })
  | (StepEventBase & {
      /** A chunk of model output as it streams; never recorded, so replay stays deterministic. */
      type: 'llm_token';
      text: string;
    })
  | (StepEventBase & {
      type: 'step_complete';
      attempts: number;
      durationMs: number;
      output: JsonObject;
      nextStep: string | null;
    })
  | (StepEventBase & {
      type: 'step_degraded';
      attempts: number;
      durationMs: number;
      output: JsonObject;
      error: SerializedError;
      nextStep: string | null;
    })
  | (StepEventBase & {
      type: 'step_error';
      attempts: number;
      durationMs: number;
      error: SerializedError;
    })
  | (EventBase & {
      type: 'run_end';
      status: RunStatus;
      durationMs: number;
      error: SerializedError | null;
    });

export type RunEventType = RunEvent['type'];
export type RunEventListener = (event: RunEvent) => void;
