/**
 * `type: tool`: looks the tool up at RUN time (a missing tool fails the step, not the load — that
 * is what lets sample 04 be fixed by adding a tool and resuming), validates the input, executes.
 */
import type { ToolStep } from '../definition/types.js';
import type { JsonObject } from '../json.js';
import type { ToolRegistry } from '../tools/registry.js';
import { validateToolInput } from '../tools/validate-input.js';
import type { StepContext } from './context.js';

export function createToolStepHandler(tools: () => ToolRegistry) {
  return async (step: ToolStep, input: JsonObject, ctx: StepContext): Promise<unknown> => {
    const registry = tools();
    await registry.ready(); // tools registered with registerLater (the configurable built-ins)
    const tool = registry.get(step.tool);
    validateToolInput(tool, input);
    return await tool.execute(input, ctx);
  };
}
