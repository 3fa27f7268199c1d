/**
 * agentkernel's runtime: the ONLY public door. The kernel (and users) import from here; nothing
 * here imports kernel/, zeromq or ts-morph.
 */

// Running workflows
export {
  runWorkflow,
  streamWorkflow,
  resumeRun,
  createRuntime,
  isInlineYaml,
  type Runtime,
  type RuntimeOptions,
  type RunOptions,
  type ResumeRunOptions,
  type RuntimeRunCallOptions,
  type RuntimeResumeCallOptions,
  type RunStream,
} from './api.js';
export type { RunResult } from './engine/result.js';
export {
  Executor,
  type ExecutorOptions,
  type RunCallOptions,
  type ResumeOptions,
} from './engine/executor.js';
export type { RunEvent, RunEventType, RunEventListener } from './engine/events.js';
export { EventStream } from './engine/event-stream.js';
export {
  openProject,
  findProjectDir,
  DEFAULT_LAYOUT,
  type Project,
  type ProjectLayout,
} from './engine/project.js';
export { prepareInputs } from './engine/inputs.js';
export { backoffDelayMs, isRetryable, DEFAULT_MAX_ATTEMPTS } from './engine/retry.js';
export {
  resolveNextStep,
  resumePoint,
  type ConditionEvaluator,
  type ResumePoint,
} from './engine/plan.js';

// Steps, functions, tools
export type { StepContext } from './steps/context.js';
export type { InputHandler, InputRequest } from './steps/input-step.js';
export { createStepHandlers, type StepHandlers, type StepServices } from './steps/registry.js';
export { FunctionCatalog, type StepFunction } from './functions/catalog.js';
export {
  ToolRegistry,
  discoverTools,
  echoTool,
  builtinTools,
  isTool,
  validateToolInput,
  ToolInputError,
  type Tool,
  type ToolContext,
} from './tools/index.js';

// Agent steps (G): LLM providers, agent definitions, configurable built-in tools
export * from './llm/index.js';
export * from './agents/index.js';
export {
  configuredBuiltinTools,
  createHttpTool,
  createFileTool,
  createShellTool,
  isPrivateAddress,
  type HttpToolOptions,
  type Resolver,
} from './tools/builtin/index.js';

// Workflow definitions (loader, expressions, registry) and runtime.yaml
export * from './definition/index.js';
export {
  loadRuntimeConfig,
  loadDotEnv,
  secretValues,
  CONFIG_FILE,
  type RuntimeConfig,
  type ConfigOptions,
  type OverwritePolicy,
} from './config.js';

// Run store (jsonEqual exists in both layers with the same meaning; the store's is the one exported)
export * from './store/index.js';
export { jsonEqual } from './store/state-chain.js';

// Replay and visualization of recorded runs (added by H for the notebook's %replay / %inspect)
export * from './replay/index.js';
export * from './visualize/index.js';

// Errors and JSON
export * from './errors.js';
export type { JsonObject, JsonPrimitive, JsonValue } from './json.js';
export { isJsonObject } from './json.js';

// Command line (the package bin reaches it through kernel/cli.ts)
export { runCli, processIO, helpText, commands as cliCommands } from './cli/main.js';
export type { CliCommand, CliIO } from './cli/command.js';
// `-i key=value` coercion, shared with the notebook's %workflow (added by H)
export { coerceInputValue, parseInputPairs } from './cli/coerce.js';

// Sync bridge (F): runWorkflowSync and friends are exported below this line.
export {
  runWorkflowSync,
  resumeRunSync,
  prewarmSyncBridge,
  // closeSyncBridges (added by J): the kernel stops the sync workers before it exits.
  closeSyncBridges,
  SyncBridge,
  type SyncRunOptions,
  type SyncBridgeOptions,
  type SyncStepFunction,
} from './sync/run-sync.js';
export { SharedAbortController } from './sync/shared-abort.js';
