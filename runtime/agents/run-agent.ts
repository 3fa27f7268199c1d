/**
 * Runs one agent: its pipeline of model and tool steps, with the `single` or `react` strategy.
 *
 * - Model step: renders the prompt (interpolated values wrapped as data, prompt.ts), offers the
 *   agent's allowlisted tools as native tool definitions, calls the model. `single` makes one call
 *   (tool calls it asks for are still executed and recorded); `react` loops — model, tool calls,
 *   tool results back as tool messages, model again — until the model answers without tool calls,
 *   writes a ```` ```final_answer ```` block, a stop condition holds, or max_iterations is reached.
 * - Tool step: resolves its inputs from pipeline state and runs the tool; a failure fails the agent.
 * - Output: the last model step's final_answer JSON, else `{<output_key>: text}`; or the last tool
 *   step's output.
 *
 * Tool calls the model makes are checked against the allowlist and validated (ajv) before they
 * run; a refused or failing call goes back to the model as an error result, so it can correct
 * itself, and is recorded in the trace. Cancellation and LLM limits stop the agent at once.
 */
import {
  evaluateExpression,
  isTruthy,
  parseStatePath,
  resolveStatePath,
} from '../definition/expressions.js';
import { isAgentkernelError } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import type { LlmMessage, LlmToolSpec, LlmUsage } from '../llm/adapter.js';
import { EMPTY_USAGE, toolWireName } from '../llm/adapter.js';
import type { RateLimiter } from '../llm/rate-limit.js';
import type { LlmRegistry } from '../llm/registry.js';
import { addUsage, usageJson, type UsageMeter } from '../llm/usage.js';
import type { StepContext } from '../steps/context.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { Tool } from '../tools/tool.js';
import { validateToolInput } from '../tools/validate-input.js';
import {
  parseFinalAnswer,
  parseTextToolCalls,
  renderPromptWithBoundary,
  systemWithBoundary,
  textToolPreamble,
  wrapData,
} from './prompt.js';
import type { AgentDefinition, PipelineStep } from './types.js';

export interface AgentRunDeps {
  llm: LlmRegistry;
  tools: ToolRegistry;
  meter: UsageMeter;
  /** The step's context: its signal cancels model calls and tools; tools receive it as their ctx. */
  ctx: StepContext;
  /** Text deltas as the model streams them (the step turns them into `llm_token` events). */
  onToken?: (text: string) => void;
  /**
   * Applied to every tool result before the model sees it: secrets (API keys) a tool happened to
   * read never reach the provider (added to the redaction the step applies to what it records).
   */
  scrub?: (text: string) => string;
  /** runtime.yaml `rate_limit_rpm`, shared across runs; waits before a request when over it. */
  rateLimiter?: RateLimiter;
}

export interface AgentRunResult {
  output: JsonObject;
  /** Model calls made. */
  iterations: number;
  usage: LlmUsage;
  costUsd: number;
  /** `provider/model` of each distinct model used. */
  models: string[];
  /** model and tool events, in order (recorded in step metadata; tool outputs included). */
  trace: JsonObject[];
}

/** Model params that the runtime maps itself; everything else in the model config is passed through. */
const MAPPED_PARAMS = new Set(['temperature', 'max_tokens', 'timeout']);

export async function runAgent(
  agent: AgentDefinition,
  inputs: JsonObject,
  deps: AgentRunDeps,
): Promise<AgentRunResult> {
  const state: JsonObject = { inputs };
  const trace: JsonObject[] = [];
  const models = new Set<string>();
  let usage: LlmUsage = { ...EMPTY_USAGE };
  let costUsd = 0;
  let iterations = 0;
  let output: JsonObject = {};

  // The allowlist IS the tool set offered to the model; wire names map back to runtime names.
  const offered = agent.tools.map((name) => deps.tools.get(name));
  const byWireName = new Map<string, Tool>(offered.map((t) => [toolWireName(t.name), t]));
  const specs: LlmToolSpec[] = offered.map((t) => ({
    name: toolWireName(t.name),
    description: t.description,
    parameters: t.inputSchema,
  }));

  for (const step of agent.pipeline) {
    if (step.type === 'tool') {
      const tool = deps.tools.get(step.tool);
      const input = resolveToolInputs(step, state);
      validateToolInput(tool, input);
      const started = performance.now();
      const result = await tool.execute(input, deps.ctx);
      trace.push({
        type: 'pipeline_tool',
        step: step.id,
        tool: tool.name,
        input,
        output: result,
        duration_ms: ms(started),
      });
      state[step.id] = result;
      output = result;
      continue;
    }
    const resolved = deps.llm.resolve(step.model ?? agent.model);
    models.add(`${resolved.provider}/${resolved.model}`);
    const { text: prompt, interpolated } = renderPromptWithBoundary(step.prompt, state);
    const native = resolved.nativeTools;
    const baseSystem = systemWithBoundary(step.system ?? agent.system, interpolated);
    // Without a tool-calling API the tools are described in the system prompt instead (§2.9).
    const system =
      !native && specs.length > 0 && agent.autoToolPrompt
        ? [baseSystem, textToolPreamble(offered)].filter((x) => x !== undefined).join('\n\n')
        : baseSystem;
    const extra: JsonObject = {};
    for (const [k, v] of Object.entries(resolved.params)) if (!MAPPED_PARAMS.has(k)) extra[k] = v;
    const messages: LlmMessage[] = [{ role: 'user', content: prompt }];
    let text = '';
    let final: JsonObject | undefined;
    for (let turn = 1; ; turn++) {
      deps.meter.beforeRequest();
      deps.ctx.progress(`${agent.id}: model call ${turn} (${resolved.provider}/${resolved.model})`);
      const waited = (await deps.rateLimiter?.acquire(deps.ctx.signal)) ?? 0;
      if (waited > 0)
        trace.push({ type: 'rate_limited', step: step.id, waited_ms: Math.round(waited) });
      const started = performance.now();
      const response = await resolved.adapter.complete(
        {
          model: resolved.model,
          ...(system !== undefined && { system }),
          messages,
          ...(native && specs.length > 0 && { tools: specs }),
          temperature: agent.temperature,
          maxTokens: agent.maxTokens,
          params: { ...extra, ...agent.params },
        },
        { signal: deps.ctx.signal, ...(deps.onToken && { onToken: deps.onToken }) },
      );
      iterations += 1;
      usage = addUsage(usage, response.usage);
      const cost = deps.meter.record(resolved.provider, resolved.model, response.usage);
      costUsd = Math.round((costUsd + cost) * 1e6) / 1e6;
      text = response.text;
      const calls = native
        ? response.toolCalls
        : parseTextToolCalls(text).map((c, i) => ({
            id: `text_${turn}_${i}`,
            name: toolWireName(c.tool),
            arguments: c.input,
          }));
      trace.push({
        type: 'model',
        step: step.id,
        iteration: turn,
        model: `${resolved.provider}/${resolved.model}`,
        text: response.text,
        tool_calls: calls.map((c) => byWireName.get(c.name)?.name ?? c.name),
        usage: usageJson(response.usage),
        cost_usd: cost,
        stop_reason: response.stopReason,
        duration_ms: ms(started),
      });
      messages.push({
        role: 'assistant',
        content: response.text,
        ...(native && { toolCalls: calls }),
      });
      const results: string[] = [];
      for (const call of calls) {
        const content = await runToolCall(
          call.name,
          call.arguments,
          byWireName,
          deps,
          trace,
          step.id,
        );
        if (native) messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content });
        else
          results.push(
            wrapData(`tool_result:${byWireName.get(call.name)?.name ?? call.name}`, content),
          );
      }
      // Text mode: results go back as one user turn, each wrapped as data (never as instructions).
      if (results.length > 0) messages.push({ role: 'user', content: results.join('\n') });
      state[step.id] = { text };
      state._iteration = turn;
      final = parseFinalAnswer(text);
      if (agent.strategy.type === 'single') break;
      if (final || calls.length === 0) break;
      if (stopConditionHolds(agent, state, trace)) break;
      if (turn >= agent.strategy.maxIterations) {
        trace.push({ type: 'max_iterations', step: step.id, iterations: turn });
        break;
      }
    }
    output = final ?? { [agent.outputKey]: text };
  }
  return { output, iterations, usage, costUsd, models: [...models], trace };
}

async function runToolCall(
  wireName: string,
  args: JsonObject,
  byWireName: Map<string, Tool>,
  deps: AgentRunDeps,
  trace: JsonObject[],
  step: string,
): Promise<string> {
  const tool = byWireName.get(wireName);
  const started = performance.now();
  deps.ctx.progress(`tool call ${tool?.name ?? wireName}`, { tool: tool?.name ?? wireName });
  if (!tool) {
    const error = `tool '${wireName}' is not available to this agent (allowed: ${[...byWireName.values()].map((t) => t.name).join(', ') || 'none'})`;
    trace.push({
      type: 'tool',
      step,
      tool: wireName,
      input: args,
      success: false,
      error,
      duration_ms: 0,
    });
    return JSON.stringify({ error });
  }
  try {
    validateToolInput(tool, args);
    const result = await tool.execute(args, deps.ctx);
    const content = JSON.stringify(result);
    trace.push({
      type: 'tool',
      step,
      tool: tool.name,
      input: args,
      success: true,
      output: result,
      duration_ms: ms(started),
    });
    return deps.scrub ? deps.scrub(content) : content;
  } catch (error) {
    // Cancellation ends the agent; anything else is information the model can act on.
    if (deps.ctx.signal.aborted) throw error;
    if (
      isAgentkernelError(error) &&
      (error.code === 'AR-CANCELLED' || error.code === 'AR-LLM-LIMIT')
    )
      throw error;
    const message = error instanceof Error ? error.message : String(error);
    trace.push({
      type: 'tool',
      step,
      tool: tool.name,
      input: args,
      success: false,
      error: message,
      duration_ms: ms(started),
    });
    const content = JSON.stringify({ error: message });
    return deps.scrub ? deps.scrub(content) : content;
  }
}

function stopConditionHolds(
  agent: AgentDefinition,
  state: JsonObject,
  trace: JsonObject[],
): boolean {
  for (const condition of agent.strategy.stopConditions) {
    try {
      if (isTruthy(evaluateExpression(condition.expr, state))) return true;
    } catch (error) {
      // A condition over a key the model has not produced yet is simply not true yet.
      trace.push({
        type: 'stop_condition_error',
        condition: condition.text,
        error: (error as Error).message,
      });
    }
  }
  return false;
}

/** A string value is a dot-path only when its first segment names something in pipeline state (§1.3). */
function resolveToolInputs(
  step: Extract<PipelineStep, { type: 'tool' }>,
  state: JsonObject,
): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(step.inputs)) out[key] = resolveValue(value, state);
  return out;
}

function resolveValue(value: JsonValue, state: JsonObject): JsonValue {
  if (typeof value === 'string') {
    const first = value.split('.')[0]!;
    if (/^[\w-]+(\.[\w-]+)*$/.test(value) && Object.hasOwn(state, first))
      return resolveStatePath(state, parseStatePath(value));
    return value;
  }
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveValue(v, state);
    return out;
  }
  return value;
}

function ms(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
