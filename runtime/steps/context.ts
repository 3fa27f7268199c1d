/**
 * What a step implementation (a function in `functions/`, a Tool, later an agent) receives besides
 * its input. This is the whole contract a user function codes against:
 *
 * ```ts
 * // functions/triage.ts — referenced from YAML as `function: triage.classify_issue`
 * export async function classify_issue(input: { issue: string }, ctx: StepContext) {
 *   ctx.progress('classifying');            // shows up live in the CLI / notebook
 *   const res = await fetch(url, { signal: ctx.signal }); // stop when the run is cancelled or times out
 *   return { severity: 'high' };            // a plain JSON object: becomes state.steps.<step id>
 * }
 * ```
 */
import type { JsonObject } from '../json.js';

export interface StepContext {
  runId: string;
  stepId: string;
  /** 1-based attempt number (retries count up). */
  attempt: number;
  /**
   * Aborted when the run is cancelled or this attempt's `timeout_ms` elapses. Pass it to anything
   * that accepts a signal. A step that ignores it still has its attempt ended (the runner stops
   * waiting), but its code keeps running in the background until it returns.
   */
  signal: AbortSignal;
  /** The run state before this step: `{ inputs, steps, runtime }`. Read-only. */
  state: Readonly<JsonObject>;
  /** Reports progress; delivered as a `step_progress` RunEvent, never recorded. */
  progress(message: string, data?: JsonObject): void;
  /**
   * Added by the agent-steps layer (G), optional so other hosts need not provide them:
   * `emitToken` streams model output as an `llm_token` RunEvent (never recorded, so replay stays
   * deterministic); `setMetadata` merges facts (usage, cost, model, agent trace) into the step
   * execution's recorded metadata.
   */
  emitToken?(text: string): void;
  setMetadata?(data: JsonObject): void;
  /**
   * Added by G2: the recorded metadata of this run's earlier step executions (oldest first, the
   * current one excluded), so per-run LLM limits continue from the recorded totals when a resumed
   * run goes on in a new process instead of starting again from zero.
   */
  earlierStepMetadata?(): Promise<JsonObject[]>;
}
