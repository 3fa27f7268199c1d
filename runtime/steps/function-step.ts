/** `type: function`: calls an exported function from the project's `functions/` directory. */
import type { FunctionStep } from '../definition/types.js';
import type { FunctionCatalog } from '../functions/catalog.js';
import type { JsonObject } from '../json.js';
import type { StepContext } from './context.js';

export function createFunctionStepHandler(catalog: FunctionCatalog) {
  return async (step: FunctionStep, input: JsonObject, ctx: StepContext): Promise<unknown> => {
    const fn = catalog.resolve(step.function);
    // `await` covers both sync and async functions; a sync throw becomes a rejected attempt.
    return await fn(input, ctx);
  };
}
