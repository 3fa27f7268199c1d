/**
 * `type: agent`: runs an agent definition (`agents/*.yaml`) with the step's input as the agent's
 * `inputs`. Model calls go through the LLM registry (runtime.yaml `llm`), usage and cost are
 * counted per run against runtime.yaml's limits, tokens stream out as `llm_token` events (never
 * recorded), and usage/cost/trace go into the step's metadata. Every secret value (API keys) is
 * scrubbed from the output, the metadata, the streamed tokens and any error before they leave.
 */
import type { RuntimeConfig } from '../config.js';
import type { AgentStep } from '../definition/types.js';
import { NoProviderError, isAgentkernelError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { AgentRegistry } from '../agents/registry.js';
import { StreamRedactor } from '../agents/stream-redactor.js';
import type { AgentDefinition } from '../agents/types.js';
import { runAgent } from '../agents/run-agent.js';
import type { ProviderHttpOptions } from '../llm/http.js';
import { sharedRateLimiter, type RateLimiter } from '../llm/rate-limit.js';
import { LlmRegistry } from '../llm/registry.js';
import type { ScriptedResponse } from '../llm/scripted.js';
import { UsageMeter, recordedRunTotals, usageJson } from '../llm/usage.js';
import { makeRedactor, type Redactor } from '../store/redact.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { StepContext } from './context.js';

export interface AgentStepServices {
  tools: ToolRegistry;
  config: RuntimeConfig;
  /** Where API keys are read from; default process.env. */
  env?: Record<string, string | undefined>;
  /** Default: every agent file under `config.agentsDir`, loaded on the first agent step. */
  agents?: AgentRegistry;
  /** In-code scripts for `scripted/<name>` models. */
  scripts?: Record<string, readonly ScriptedResponse[]>;
  /** HTTP behaviour for providers (tests shorten retries and timeouts). */
  http?: Omit<ProviderHttpOptions, 'provider' | 'signal' | 'secrets'>;
}

/** Per-run LLM state: the scripted queues and the usage meter live as long as the run. */
interface RunLlmState {
  llm: LlmRegistry;
  meter: UsageMeter;
  /** Settles once the meter holds what the run spent before this process (resume). */
  seeded: Promise<void>;
}

/**
 * Runs kept in the per-run cache; older ones are dropped (a run seen again, e.g. resumed, is
 * re-seeded from its recorded totals, so dropping loses nothing but scripted-queue positions).
 */
const MAX_CACHED_RUNS = 64;

export function createAgentStepHandler(services?: AgentStepServices) {
  let agents = services?.agents;
  const runs = new Map<string, RunLlmState>();

  // `input`/`ctx` are optional only so the provider-less form can be called with a step alone.
  return async (step: AgentStep, input: JsonObject = {}, ctx?: StepContext): Promise<unknown> => {
    if (!services || !ctx)
      throw new NoProviderError(
        `Step '${step.id}' runs agent '${step.agent}', but no LLM provider is configured: agent steps need a provider (configure one in runtime.yaml under llm.providers)`,
        { details: { stepId: step.id, agent: step.agent } },
      );
    agents ??= AgentRegistry.load(services.config.agentsDir);
    const agent = agents.get(step.agent);
    try {
      return await runAgentStep(services, runs, agent, input, ctx);
    } catch (error) {
      // Say which step and agent needed the missing provider/model; the engine reports the step.
      if (isAgentkernelError(error) && error.code === 'AR-NO-PROVIDER')
        throw new NoProviderError(
          `Step '${step.id}' runs agent '${step.agent}', but ${error.message}`,
          {
            details: { ...error.details, stepId: step.id, agent: step.agent },
          },
        );
      throw error;
    }
  };
}

async function runAgentStep(
  services: AgentStepServices,
  runs: Map<string, RunLlmState>,
  agent: AgentDefinition,
  input: JsonObject,
  ctx: StepContext,
): Promise<JsonObject> {
  {
    let run = runs.get(ctx.runId);
    if (!run) {
      run = {
        llm: new LlmRegistry({
          config: services.config,
          ...(services.env && { env: services.env }),
          ...(services.scripts && { scripts: services.scripts }),
          ...(services.http && { http: services.http }),
        }),
        meter: new UsageMeter(services.config.llm.limits, services.config.llm.pricing),
        seeded: Promise.resolve(),
      };
      // G2: a resumed run continues its limits from the totals its earlier executions recorded.
      const meter = run.meter;
      if (ctx.earlierStepMetadata)
        run.seeded = ctx.earlierStepMetadata().then((m) => meter.seed(recordedRunTotals(m)));
      runs.set(ctx.runId, run);
      if (runs.size > MAX_CACHED_RUNS) runs.delete(runs.keys().next().value!);
    }
    await run.seeded;
    const redact: Redactor = makeRedactor(run.llm.secrets()) ?? (<T>(v: T) => v);
    const before = run.meter.snapshot();
    const tokens = ctx.emitToken
      ? new StreamRedactor(run.llm.secrets(), (text) => ctx.emitToken!(text))
      : undefined;
    try {
      const result = await runAgent(agent, input, {
        llm: run.llm,
        tools: services.tools,
        meter: run.meter,
        ctx,
        ...rateLimiterFor(services.config),
        ...(tokens && { onToken: (text: string) => tokens.push(text) }),
        scrub: (text: string) => redact(text),
      });
      tokens?.flush();
      const totals = run.meter.snapshot();
      ctx.setMetadata?.(
        redact({
          agent: `${agent.id}@${agent.version}`,
          models: result.models,
          iterations: result.iterations,
          usage: usageJson(result.usage),
          cost_usd: result.costUsd,
          run_totals: {
            requests: totals.requests,
            usage: usageJson(totals.usage),
            cost_usd: totals.costUsd,
          },
          trace: result.trace,
        }),
      );
      return redact(result.output);
    } catch (error) {
      const totals = run.meter.snapshot();
      ctx.setMetadata?.({
        agent: `${agent.id}@${agent.version}`,
        requests: totals.requests - before.requests,
        run_totals: {
          requests: totals.requests,
          usage: usageJson(totals.usage),
          cost_usd: totals.costUsd,
        },
      });
      throw scrubError(error, redact);
    }
  }
}

function rateLimiterFor(config: RuntimeConfig): { rateLimiter?: RateLimiter } {
  const limiter = sharedRateLimiter(config.projectDir, config.llm.limits.rateLimitRpm);
  return limiter ? { rateLimiter: limiter } : {};
}

/** The same error with secrets removed from its message (and its cause's), class and code kept. */
function scrubError(error: unknown, redact: Redactor): unknown {
  if (!(error instanceof Error)) return error;
  const clean = redact(error.message);
  if (clean !== error.message) {
    Object.defineProperty(error, 'message', { value: clean, configurable: true, writable: true });
    if (typeof error.stack === 'string') error.stack = redact(error.stack);
  }
  if (isAgentkernelError(error)) Object.assign(error.details, redact(error.details));
  if (error.cause !== undefined) scrubError(error.cause, redact);
  return error;
}
