/**
 * `type: input` (human in the loop): renders the step's prompt over run state, asks whoever hosts
 * the run (a terminal, a notebook's input_request) through `onInput`, and returns the answer as
 * `{ <outputKey>: answer }`. The executor records it like any output, so resume and replay reuse
 * the answer and never ask again. With nobody to ask, the step's `default` answers; without one
 * the step fails with InputRequiredError (AR-INPUT-REQUIRED).
 */
import type { InputStep } from '../definition/types.js';
import { InputRequiredError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { StepContext } from './context.js';

/** What a host is asked to show the person running the workflow. */
export interface InputRequest {
  runId: string;
  stepId: string;
  /** The step's prompt with its `{{ }}` templates filled in. */
  prompt: string;
  /** Hide what is typed (a host that cannot hide input should still ask). */
  password: boolean;
  /** The step's default answer, for hosts that offer it (e.g. on an empty line). */
  default?: string;
  /** Aborted when the run is cancelled or the step's timeout_ms passes: stop waiting then. */
  signal: AbortSignal;
}

/** Answers an input step; the runtime records what it returns. */
export type InputHandler = (request: InputRequest) => Promise<string> | string;

export function createInputStepHandler(onInput: InputHandler | undefined) {
  return async (step: InputStep, input: JsonObject, ctx: StepContext): Promise<unknown> => {
    // buildStepInput rendered the prompt's templates over run state.
    const prompt = typeof input.prompt === 'string' ? input.prompt : step.prompt;
    if (onInput === undefined) {
      if (step.answerDefault !== undefined) return { [step.outputKey]: step.answerDefault };
      throw new InputRequiredError(step.id, prompt);
    }
    const answer = await onInput({
      runId: ctx.runId,
      stepId: step.id,
      prompt,
      password: step.password,
      ...(step.answerDefault !== undefined ? { default: step.answerDefault } : {}),
      signal: ctx.signal,
    });
    if (typeof answer !== 'string')
      throw new TypeError(
        `onInput must return the answer as a string for step '${step.id}', got ${answer === null ? 'null' : typeof answer}`,
      );
    return { [step.outputKey]: answer };
  };
}
