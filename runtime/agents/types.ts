/** The typed shape of an agent definition file (`agents/*.yaml`, schema v1, reference §1.3). */
import type { Expr } from '../definition/expressions.js';
import type { JsonObject, JsonValue } from '../json.js';

export type AgentStrategyType = 'single' | 'react';

export interface StopCondition {
  /** As written, for messages. */
  text: string;
  expr: Expr;
}

export interface AgentStrategy {
  type: AgentStrategyType;
  /** Model calls allowed in one agent run (react); 1 for single. */
  maxIterations: number;
  /** Evaluated over the pipeline state after each iteration; any true one stops the loop. */
  stopConditions: StopCondition[];
}

export interface PromptEntry {
  id: string;
  version: string;
  text: string;
  description?: string;
}

export type PipelineStep =
  | {
      id: string;
      type: 'model';
      /** `{{ path }}` template over the pipeline state (`inputs.*`, earlier pipeline step ids). */
      prompt: string;
      model?: string;
      system?: string;
    }
  | {
      id: string;
      type: 'tool';
      tool: string;
      /** Literal values, or dot-paths into pipeline state (a path only when its first segment is a state key). */
      inputs: Record<string, JsonValue>;
    };

export interface AgentDefinition {
  schemaVersion: 'v1';
  id: string;
  /** Normalised, e.g. `v1`. */
  version: string;
  description?: string;
  /** `provider/model`; undefined = runtime.yaml `default_model`. */
  model?: string;
  /** Resolved system prompt text (a `prompts.<id>` reference is resolved at load time). */
  system?: string;
  /** The allowlist: the only tools the model is offered and may call. */
  tools: string[];
  strategy: AgentStrategy;
  outputKey: string;
  temperature: number;
  maxTokens: number;
  params: JsonObject;
  /**
   * With a provider whose `native_tools: false` (no tool-calling API), describe the tools and the
   * ```` ```tool_call ```` convention in the system prompt. Default true.
   */
  autoToolPrompt: boolean;
  prompts: PromptEntry[];
  pipeline: PipelineStep[];
  source: { file: string };
}

export const AGENT_DEFAULTS = {
  maxIterations: 10,
  outputKey: 'text',
  temperature: 0.2,
  maxTokens: 4096,
} as const;
