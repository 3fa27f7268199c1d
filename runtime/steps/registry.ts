/** Step type → handler table. Adding a step type means one entry here and one handler module. */
import type { StepDefinition, StepType } from '../definition/types.js';
import { assertNever } from '../errors.js';
import type { FunctionCatalog } from '../functions/catalog.js';
import type { JsonObject } from '../json.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { AgentStepServices } from './agent-step.js';
import type { StepContext } from './context.js';
import { createFunctionStepHandler } from './function-step.js';
import { createInputStepHandler, type InputHandler } from './input-step.js';
import { createToolStepHandler } from './tool-step.js';

/** One handler per step type; each returns the raw output, which the step runner checks. */
export type StepHandlers = {
  [K in StepType]: (
    step: Extract<StepDefinition, { type: K }>,
    input: JsonObject,
    ctx: StepContext,
  ) => Promise<unknown>;
};

export interface StepServices {
  functions: FunctionCatalog;
  tools: ToolRegistry;
  /**
   * Agent steps (G): the project config (llm providers, agents dir) and optional overrides
   * (in-code scripts, env, HTTP settings). Without it agent steps fail with AR-NO-PROVIDER.
   */
  agents?: Omit<AgentStepServices, 'tools'>;
  /**
   * Answers `type: input` steps (a terminal prompt, a notebook input_request). Absent: input steps
   * take their `default`, or fail with AR-INPUT-REQUIRED.
   */
  onInput?: InputHandler;
}

export function createStepHandlers(services: StepServices): StepHandlers {
  return {
    function: createFunctionStepHandler(services.functions),
    tool: createToolStepHandler(() => services.tools),
    agent: lazyAgentStepHandler(
      services.agents ? { ...services.agents, tools: services.tools } : undefined,
      services.tools,
    ),
    input: createInputStepHandler(services.onInput),
  };
}

/**
 * The agent handler, imported on the first agent step: it brings the LLM adapters, the agent
 * loader (yaml) and ajv, which a workflow of functions and tools never needs, and which would
 * otherwise be most of the engine's import time (and of the sync bridge worker's cold start).
 */
function lazyAgentStepHandler(
  services: AgentStepServices | undefined,
  tools: ToolRegistry,
): StepHandlers['agent'] {
  let handler: Promise<StepHandlers['agent']> | undefined;
  return async (step, input, ctx) => {
    handler ??= import('./agent-step.js').then((m) => m.createAgentStepHandler(services));
    const run = await handler;
    // The agent looks its tools up synchronously: load those registered with registerLater first.
    await tools.ready();
    return run(step, input, ctx);
  };
}

export function runStepHandler(
  handlers: StepHandlers,
  step: StepDefinition,
  input: JsonObject,
  ctx: StepContext,
): Promise<unknown> {
  switch (step.type) {
    case 'function':
      return handlers.function(step, input, ctx);
    case 'tool':
      return handlers.tool(step, input, ctx);
    case 'agent':
      return handlers.agent(step, input, ctx);
    case 'input':
      return handlers.input(step, input, ctx);
    default:
      return assertNever(step, 'step type');
  }
}
