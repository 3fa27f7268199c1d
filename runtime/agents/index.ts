/** Agent definitions and their execution (re-exported by runtime/index.ts). */
export type { AgentDefinition, AgentStrategy, PipelineStep, PromptEntry } from './types.js';
export { parseAgent, loadAgentFile } from './load.js';
export { AgentRegistry } from './registry.js';
export { AgentDefinitionError, AgentNotFoundError } from './errors.js';
export { runAgent, type AgentRunDeps, type AgentRunResult } from './run-agent.js';
export { DATA_BOUNDARY_NOTICE, parseFinalAnswer } from './prompt.js';
export type { AgentStepServices } from '../steps/agent-step.js';
