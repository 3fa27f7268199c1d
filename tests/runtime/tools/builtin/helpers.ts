import type { StepContext } from '../../../../runtime/steps/context.js';

export function toolContext(signal: AbortSignal = new AbortController().signal): StepContext {
  return { runId: 'r', stepId: 's', attempt: 1, signal, state: {}, progress: () => undefined };
}
