/**
 * Runs ONE step execution: builds its input, makes up to `retry.attempts` attempts, each with its
 * own AbortSignal (the run's signal plus the step's `timeout_ms`), sleeps the backoff between
 * attempts (interruptible by the run's signal), checks the output, and degrades an optional step
 * to its default. It never touches the store: the executor records what this returns, and hears
 * about failed attempts through `hooks`.
 */
import type { StepDefinition } from '../definition/types.js';
import { StepTimeoutError, serializeError, type SerializedError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { StepContext } from '../steps/context.js';
import { buildStepInput } from '../steps/input.js';
import { runStepHandler, type StepHandlers } from '../steps/registry.js';
import { CancellationScope, abortReason, raceAbort, sleep } from './cancellation.js';
import { checkOutput, toJsonOutput } from './output-contract.js';
import { backoffDelayMs, shouldRetry } from './retry.js';

export interface StepRunHooks {
  /** Attempt `attempt` failed and attempt `attempt + 1` follows after `delayMs`. */
  onRetry?(attempt: number, error: SerializedError, delayMs: number): Promise<void> | void;
  onProgress?(message: string, data?: JsonObject): void;
  /** A streamed model-output chunk (agent steps); becomes an `llm_token` event, never recorded. */
  onToken?(text: string): void;
  /** Facts to merge into the step execution's recorded metadata (agent usage, cost, trace). */
  onMetadata?(data: JsonObject): void;
  /** The run's earlier step executions' recorded metadata (G2: seeds per-run LLM limits on resume). */
  earlierStepMetadata?(): Promise<JsonObject[]>;
}

export interface StepRunRequest {
  runId: string;
  step: StepDefinition;
  /** State before the step (read-only). */
  state: JsonObject;
  handlers: StepHandlers;
  /** The run's signal: aborting it cancels the attempt in flight and any backoff sleep. */
  signal: AbortSignal;
  hooks?: StepRunHooks;
  /** The input, when the caller already built it; otherwise built (and rebuilt per attempt until it resolves) here. */
  input?: JsonObject;
  /** Injected for deterministic jitter in tests. */
  random?: () => number;
}

export type StepOutcome =
  | {
      status: 'COMPLETED';
      input: JsonObject | null;
      output: JsonObject;
      attempts: number;
      lastError: SerializedError | null;
    }
  | {
      status: 'DEGRADED';
      input: JsonObject | null;
      output: JsonObject;
      attempts: number;
      error: Error;
    }
  | { status: 'FAILED'; input: JsonObject | null; attempts: number; error: Error }
  | { status: 'CANCELLED'; input: JsonObject | null; attempts: number; error: Error };

export async function runStep(request: StepRunRequest): Promise<StepOutcome> {
  const { step, state, signal, hooks = {} } = request;
  let input: JsonObject | null = request.input ?? null;
  let attempts = 0;
  let lastError: Error | null = null;

  for (;;) {
    if (signal.aborted) return { status: 'CANCELLED', input, attempts, error: abortReason(signal) };
    attempts += 1;
    try {
      if (input === null) {
        input = buildStepInput(step, state);
      }
      const output = await runAttempt(request, input, attempts);
      return {
        status: 'COMPLETED',
        input,
        output,
        attempts,
        lastError: lastError === null ? null : serializeError(lastError),
      };
    } catch (error) {
      const err = toError(error);
      // A step that failed BECAUSE the run was cancelled is cancelled, not failed.
      if (signal.aborted)
        return { status: 'CANCELLED', input, attempts, error: abortReason(signal) };
      lastError = err;
      if (!shouldRetry(step.retry, attempts, err)) break;
      const delayMs = backoffDelayMs(step.retry, attempts, request.random);
      await hooks.onRetry?.(attempts, serializeError(err), delayMs);
      try {
        await sleep(delayMs, signal);
      } catch {
        return { status: 'CANCELLED', input, attempts, error: abortReason(signal) };
      }
    }
  }

  const failure = lastError ?? new Error(`Step '${step.id}' failed`);
  if (step.optional) {
    return {
      status: 'DEGRADED',
      input,
      output: { ...(step.default ?? {}) },
      attempts,
      error: failure,
    };
  }
  return { status: 'FAILED', input, attempts, error: failure };
}

/** One attempt: own signal (run signal + timeout), handler call raced against that signal, output checks. */
async function runAttempt(
  request: StepRunRequest,
  input: JsonObject,
  attempt: number,
): Promise<JsonObject> {
  const { step } = request;
  const scope = new CancellationScope(request.signal);
  const timer =
    step.timeoutMs !== undefined
      ? setTimeout(
          () => scope.abort(new StepTimeoutError(step.id, step.timeoutMs!)),
          step.timeoutMs,
        )
      : undefined;
  const ctx: StepContext = {
    runId: request.runId,
    stepId: step.id,
    attempt,
    signal: scope.signal,
    state: request.state,
    progress: (message, data) => request.hooks?.onProgress?.(message, data),
    emitToken: (text) => request.hooks?.onToken?.(text),
    setMetadata: (data) => request.hooks?.onMetadata?.(data),
    ...(request.hooks?.earlierStepMetadata && {
      earlierStepMetadata: request.hooks.earlierStepMetadata,
    }),
  };
  try {
    // The handler is called inside a promise so a synchronous throw is a rejected attempt, and
    // raced against the attempt signal so a function that ignores it still times out.
    const raw = await raceAbort(
      new Promise<unknown>((resolve, reject) => {
        runStepHandler(request.handlers, step, input, ctx).then(resolve, reject);
      }),
      scope.signal,
    );
    const output = toJsonOutput(step.id, raw);
    checkOutput(step, output);
    return output;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    scope.dispose();
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
