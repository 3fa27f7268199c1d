import { isRetryable } from '../../../runtime/engine/retry.js';
import { LlmLimitError, ProviderError, isAgentkernelError } from '../../../runtime/errors.js';
import { RateLimiter } from '../../../runtime/llm/rate-limit.js';
import {
  UsageMeter,
  costUsd,
  normalizeUsage,
  priceFor,
  runUsageTotals,
} from '../../../runtime/llm/usage.js';

const limits = {
  rateLimitRpm: 0,
  maxRequestsPerRun: 0,
  maxTotalTokensPerRun: 0,
  maxCostUsdPerRun: 0,
};

describe('usage', () => {
  it('normalises the OpenAI, Anthropic and Gemini usage shapes', () => {
    expect(normalizeUsage({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 })).toEqual({
      inputTokens: 3,
      outputTokens: 4,
      totalTokens: 7,
    });
    expect(normalizeUsage({ input_tokens: 5, output_tokens: 6 })).toEqual({
      inputTokens: 5,
      outputTokens: 6,
      totalTokens: 11,
    });
    expect(
      normalizeUsage({
        promptTokenCount: 2,
        candidatesTokenCount: 3,
        thoughtsTokenCount: 4,
        totalTokenCount: 9,
      }),
    ).toEqual({ inputTokens: 2, outputTokens: 7, totalTokens: 9 });
    expect(normalizeUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });

  it('prices by provider/model, then provider/*, then *', () => {
    const table = {
      'openai/gpt-4o': { input: 5, output: 15 },
      'openai/*': { input: 1, output: 1 },
      '*': { input: 0.5, output: 0.5 },
    };
    expect(priceFor(table, 'openai', 'gpt-4o')).toEqual({ input: 5, output: 15 });
    expect(priceFor(table, 'openai', 'other')).toEqual({ input: 1, output: 1 });
    expect(priceFor(table, 'anthropic', 'x')).toEqual({ input: 0.5, output: 0.5 });
    expect(
      costUsd(
        { input: 5, output: 15 },
        { inputTokens: 1000, outputTokens: 2000, totalTokens: 3000 },
      ),
    ).toBe(35);
  });

  it('stops at the request, token and cost limits with an AR-LLM-LIMIT error', () => {
    const byRequests = new UsageMeter({ ...limits, maxRequestsPerRun: 2 }, {});
    byRequests.beforeRequest();
    byRequests.beforeRequest();
    expect(() => byRequests.beforeRequest()).toThrow(/max_requests_per_run: 2/);

    const byTokens = new UsageMeter({ ...limits, maxTotalTokensPerRun: 10 }, {});
    byTokens.record('p', 'm', { inputTokens: 4, outputTokens: 4, totalTokens: 8 });
    let caught: unknown;
    try {
      byTokens.record('p', 'm', { inputTokens: 2, outputTokens: 2, totalTokens: 4 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LlmLimitError);
    expect(isAgentkernelError(caught) && caught.code).toBe('AR-LLM-LIMIT');

    const byCost = new UsageMeter(
      { ...limits, maxCostUsdPerRun: 0.01 },
      { '*': { input: 1, output: 1 } },
    );
    expect(() =>
      byCost.record('p', 'm', { inputTokens: 20, outputTokens: 0, totalTokens: 20 }),
    ).toThrow(/max_cost_usd_per_run/);
    expect(byCost.snapshot().costUsd).toBeCloseTo(0.02);
  });
});

describe('rate limit and run totals', () => {
  it('lets N requests through per 60 s window and makes the next wait for the oldest to expire', async () => {
    let now = 1000;
    const waits: number[] = [];
    const limiter = new RateLimiter(
      2,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    expect(await limiter.acquire()).toBe(0);
    now += 10_000;
    expect(await limiter.acquire()).toBe(0);
    expect(await limiter.acquire()).toBe(50_000);
    expect(waits).toEqual([50_000]);
  });

  it('sums usage, cost and requests from recorded step metadata', () => {
    expect(
      runUsageTotals([
        {
          metadata: {
            usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
            cost_usd: 0.001,
            iterations: 2,
          },
        },
        { metadata: {} },
        {
          metadata: {
            usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
            cost_usd: 0.002,
            iterations: 1,
          },
        },
      ]),
    ).toEqual({
      requests: 3,
      usage: { input_tokens: 4, output_tokens: 5, total_tokens: 9 },
      cost_usd: 0.003,
    });
  });
});

describe('step retry of provider errors', () => {
  it('retries a step after a 5xx/429 provider error but not after a 4xx one', () => {
    expect(isRetryable(new ProviderError('openai', 503, 'overloaded'))).toBe(true);
    expect(isRetryable(new ProviderError('openai', 429, 'slow down'))).toBe(true);
    expect(isRetryable(new ProviderError('openai', 401, 'bad key'))).toBe(false);
    expect(isRetryable(new ProviderError('openai', 400, 'bad request'))).toBe(false);
  });
});
