/**
 * Token usage in one shape, cost from runtime.yaml's pricing table, and the per-run limits
 * (max requests / tokens / cost) that stop a run with a clear error instead of a surprise bill.
 */
import type { LlmLimits, TokenPrice } from '../config.js';
import { LlmLimitError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { LlmUsage } from './adapter.js';

/**
 * Normalises the providers' usage objects: OpenAI `prompt_tokens/completion_tokens/total_tokens`,
 * Anthropic `input_tokens/output_tokens` (+ cache tokens), Gemini `promptTokenCount/
 * candidatesTokenCount/totalTokenCount/thoughtsTokenCount` (thinking tokens are billed as output).
 */
export function normalizeUsage(raw: unknown): LlmUsage {
  if (typeof raw !== 'object' || raw === null)
    return { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  const u = raw as Record<string, unknown>;
  const n = (key: string): number => (typeof u[key] === 'number' ? (u[key] as number) : 0);
  let input: number;
  let output: number;
  let total: number | undefined;
  if ('promptTokenCount' in u || 'candidatesTokenCount' in u) {
    input = n('promptTokenCount');
    output = n('candidatesTokenCount') + n('thoughtsTokenCount');
    total = typeof u.totalTokenCount === 'number' ? u.totalTokenCount : undefined;
  } else if ('prompt_tokens' in u || 'completion_tokens' in u) {
    input = n('prompt_tokens');
    output = n('completion_tokens');
    total = typeof u.total_tokens === 'number' ? u.total_tokens : undefined;
  } else {
    input = n('input_tokens') + n('cache_creation_input_tokens') + n('cache_read_input_tokens');
    output = n('output_tokens');
    if ('inputTokens' in u || 'outputTokens' in u) {
      input = n('inputTokens');
      output = n('outputTokens');
    }
  }
  return { inputTokens: input, outputTokens: output, totalTokens: total ?? input + output };
}

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

/** Price lookup: `<provider>/<model>`, then `<provider>/*`, then `*`; none = free (local models). */
export function priceFor(
  pricing: Record<string, TokenPrice>,
  provider: string,
  model: string,
): TokenPrice | undefined {
  return pricing[`${provider}/${model}`] ?? pricing[`${provider}/*`] ?? pricing['*'];
}

/** USD for one call; the table is per 1k tokens, as in the Python runtime. */
export function costUsd(price: TokenPrice | undefined, usage: LlmUsage): number {
  if (!price) return 0;
  const cost = (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1000;
  // Round to a micro-dollar so sums stay readable in the store.
  return Math.round(cost * 1e6) / 1e6;
}

export interface UsageTotals {
  requests: number;
  usage: LlmUsage;
  costUsd: number;
}

/**
 * Counts one run's LLM requests, tokens and cost, and enforces runtime.yaml's per-run limits:
 * requests are checked before a call (so the limit is never exceeded), tokens and cost after it
 * (they are only known then). 0 means "no limit".
 */
export class UsageMeter {
  private totals: UsageTotals = {
    requests: 0,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: 0,
  };

  constructor(
    private readonly limits: LlmLimits,
    private readonly pricing: Record<string, TokenPrice>,
  ) {}

  /** Call before sending a request; throws LlmLimitError when the request budget is spent. */
  beforeRequest(): void {
    const max = this.limits.maxRequestsPerRun;
    if (max > 0 && this.totals.requests >= max)
      throw new LlmLimitError(
        `LLM request limit reached: this run already made ${this.totals.requests} requests (llm.limits.max_requests_per_run: ${max} in runtime.yaml)`,
        { details: { limit: 'max_requests_per_run', value: max } },
      );
    this.totals.requests += 1;
  }

  /** Records a finished call; returns its cost. Throws LlmLimitError if tokens or cost went over. */
  record(provider: string, model: string, usage: LlmUsage): number {
    const cost = costUsd(priceFor(this.pricing, provider, model), usage);
    this.totals = {
      requests: this.totals.requests,
      usage: addUsage(this.totals.usage, usage),
      costUsd: Math.round((this.totals.costUsd + cost) * 1e6) / 1e6,
    };
    const maxTokens = this.limits.maxTotalTokensPerRun;
    if (maxTokens > 0 && this.totals.usage.totalTokens > maxTokens)
      throw new LlmLimitError(
        `LLM token limit exceeded: ${this.totals.usage.totalTokens} tokens used in this run (llm.limits.max_total_tokens_per_run: ${maxTokens} in runtime.yaml)`,
        {
          details: {
            limit: 'max_total_tokens_per_run',
            value: maxTokens,
            used: this.totals.usage.totalTokens,
          },
        },
      );
    const maxCost = this.limits.maxCostUsdPerRun;
    if (maxCost > 0 && this.totals.costUsd > maxCost)
      throw new LlmLimitError(
        `LLM cost limit exceeded: $${this.totals.costUsd} spent in this run (llm.limits.max_cost_usd_per_run: ${maxCost} in runtime.yaml)`,
        { details: { limit: 'max_cost_usd_per_run', value: maxCost, used: this.totals.costUsd } },
      );
    return cost;
  }

  snapshot(): UsageTotals {
    return structuredClone(this.totals);
  }

  /**
   * Starts from what the run already spent (its recorded totals, see recordedRunTotals): a run
   * resumed in a new process must not get a fresh budget. Call before the first request.
   */
  seed(totals: UsageTotals): void {
    this.totals = structuredClone(totals);
  }
}

/**
 * What a run had spent according to its earlier step executions' metadata (oldest first): the
 * latest `run_totals` an agent step recorded (cumulative, failed attempts included), else the sum
 * of the per-step `usage`/`cost_usd` (records without run totals).
 */
export function recordedRunTotals(metadata: readonly JsonObject[]): UsageTotals {
  for (let i = metadata.length - 1; i >= 0; i--) {
    const totals = metadata[i]!.run_totals;
    if (typeof totals === 'object' && totals !== null && !Array.isArray(totals))
      return totalsFromJson(totals);
  }
  return totalsFromJson(runUsageTotals(metadata.map((m) => ({ metadata: m }))));
}

function totalsFromJson(json: JsonObject): UsageTotals {
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const usage =
    typeof json.usage === 'object' && json.usage !== null && !Array.isArray(json.usage)
      ? json.usage
      : {};
  return {
    requests: num(json.requests),
    usage: {
      inputTokens: num(usage.input_tokens),
      outputTokens: num(usage.output_tokens),
      totalTokens: num(usage.total_tokens),
    },
    costUsd: num(json.cost_usd),
  };
}

export function usageJson(usage: LlmUsage): JsonObject {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
  };
}

/**
 * A run's LLM totals, summed from its recorded step executions (agent steps put `usage`,
 * `cost_usd` and `iterations` in their metadata). Reading them back from the durable records is
 * what makes the accounting survive crashes and resumes: every execution that was recorded counts.
 */
export function runUsageTotals(steps: readonly { metadata: JsonObject }[]): {
  requests: number;
  usage: JsonObject;
  cost_usd: number;
} {
  let requests = 0;
  let input = 0;
  let output = 0;
  let total = 0;
  let cost = 0;
  for (const { metadata } of steps) {
    const usage = metadata.usage;
    if (typeof usage === 'object' && usage !== null && !Array.isArray(usage)) {
      input += typeof usage.input_tokens === 'number' ? usage.input_tokens : 0;
      output += typeof usage.output_tokens === 'number' ? usage.output_tokens : 0;
      total += typeof usage.total_tokens === 'number' ? usage.total_tokens : 0;
    }
    if (typeof metadata.cost_usd === 'number') cost += metadata.cost_usd;
    if (typeof metadata.iterations === 'number') requests += metadata.iterations;
  }
  return {
    requests,
    usage: { input_tokens: input, output_tokens: output, total_tokens: total },
    cost_usd: Math.round(cost * 1e6) / 1e6,
  };
}
