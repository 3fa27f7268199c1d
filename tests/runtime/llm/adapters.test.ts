/**
 * The three HTTP adapters against fake servers on 127.0.0.1 speaking each provider's wire format:
 * plain and streamed answers, tool calls, retries (429 + Retry-After, 500 exhausted), aborts
 * mid-stream, provider error messages, and no API key in any error.
 */
import { CancelledError, ProviderError, isAgentkernelError } from '../../../runtime/errors.js';
import type { JsonObject } from '../../../runtime/json.js';
import type { LlmAdapter, LlmRequest } from '../../../runtime/llm/adapter.js';
import { AnthropicAdapter } from '../../../runtime/llm/anthropic.js';
import { GeminiAdapter } from '../../../runtime/llm/gemini.js';
import type { HttpRetryInfo } from '../../../runtime/llm/http.js';
import {
  OpenAiCompatibleAdapter,
  type HttpAdapterOptions,
} from '../../../runtime/llm/openai-compatible.js';
import { startFakeAnthropicServer } from '../../helpers/fake-anthropic-server.js';
import type { FakeLlmServer, FakeTurn } from '../../helpers/fake-llm-server.js';
import { startFakeGeminiServer } from '../../helpers/fake-gemini-server.js';
import { startFakeOpenAiServer } from '../../helpers/fake-openai-server.js';

const KEY = 'sk-test-SECRET-0123456789';

interface Provider {
  name: string;
  start(turns: FakeTurn[]): Promise<FakeLlmServer>;
  adapter(options: HttpAdapterOptions): LlmAdapter;
  baseUrl(server: FakeLlmServer): string;
  keyHeader(headers: Record<string, unknown>): unknown;
}

const providers: Provider[] = [
  {
    name: 'openai',
    start: startFakeOpenAiServer,
    adapter: (o) => new OpenAiCompatibleAdapter(o),
    baseUrl: (s) => `${s.url}/v1`,
    keyHeader: (h) => h.authorization,
  },
  {
    name: 'anthropic',
    start: startFakeAnthropicServer,
    adapter: (o) => new AnthropicAdapter(o),
    baseUrl: (s) => s.url,
    keyHeader: (h) => h['x-api-key'],
  },
  {
    name: 'gemini',
    start: startFakeGeminiServer,
    adapter: (o) => new GeminiAdapter(o),
    baseUrl: (s) => `${s.url}/v1beta`,
    keyHeader: (h) => h['x-goog-api-key'],
  },
];

const request: LlmRequest = {
  model: 'm1',
  system: 'You are terse.',
  messages: [{ role: 'user', content: 'Say hi' }],
  tools: [
    {
      name: 'tools__echo',
      description: 'echo',
      parameters: { type: 'object', properties: { message: { type: 'string' } } },
    },
  ],
  temperature: 0.1,
  maxTokens: 100,
};

describe.each(providers)('$name adapter against its fake server', (p) => {
  let server: FakeLlmServer;
  const retries: HttpRetryInfo[] = [];
  const make = (http: HttpAdapterOptions['http'] = {}) =>
    p.adapter({
      provider: p.name,
      baseUrl: p.baseUrl(server),
      apiKey: () => KEY,
      http: { retryBaseMs: 1, onRetry: (i) => retries.push(i), ...http },
    });

  beforeEach(async () => {
    retries.length = 0;
    server = await p.start([]);
  });
  afterEach(() => server.stop());

  it('returns text, tool calls and usage from a plain JSON answer, sending the key in its header', async () => {
    server.enqueue({
      text: 'Hello there',
      toolCalls: [{ name: 'tools__echo', arguments: { message: 'x' } }],
      usage: { input: 10, output: 5 },
    });
    const res = await make().complete(request);
    expect(res.text).toBe('Hello there');
    expect(res.toolCalls).toEqual([
      expect.objectContaining({ name: 'tools__echo', arguments: { message: 'x' } }),
    ]);
    expect(res.usage).toEqual({ inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    const headerValue = p.keyHeader(server.requests[0]!.headers);
    expect(String(headerValue)).toContain(KEY);
  });

  it('streams text deltas through onToken and assembles streamed tool-call arguments', async () => {
    server.enqueue({
      text: 'one two three four',
      toolCalls: [{ name: 'tools__echo', arguments: { message: 'streamed args', n: 2 } }],
    });
    const tokens: string[] = [];
    const res = await make().complete(request, { onToken: (t) => tokens.push(t) });
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe('one two three four');
    expect(res.text).toBe('one two three four');
    expect(res.toolCalls).toEqual([
      expect.objectContaining({
        name: 'tools__echo',
        arguments: { message: 'streamed args', n: 2 },
      }),
    ]);
    expect(res.usage.totalTokens).toBe(19);
  });

  it('retries a 429 after the Retry-After the server asked for, then succeeds', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '0.02' } }, { text: 'ok' });
    const res = await make().complete(request);
    expect(res.text).toBe('ok');
    expect(retries).toEqual([expect.objectContaining({ attempt: 1, status: 429, delayMs: 20 })]);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after the retries on 500 with a ProviderError carrying the provider message', async () => {
    server.enqueue(
      { status: 500, body: errorBody(p.name, 'backend exploded') },
      { status: 500, body: errorBody(p.name, 'backend exploded') },
      { status: 500, body: errorBody(p.name, 'backend exploded') },
    );
    const error = await make({ maxRetries: 2 })
      .complete(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(isAgentkernelError(error) && error.code).toBe('AR-PROVIDER');
    expect((error as ProviderError).status).toBe(500);
    expect((error as Error).message).toContain('backend exploded');
    expect(server.requests).toHaveLength(3);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('does not retry a 400 and never puts the API key in the error, even when the provider echoes it', async () => {
    server.enqueue({ status: 401, body: errorBody(p.name, `Incorrect API key provided: ${KEY}`) });
    const error = (await make()
      .complete(request)
      .catch((e: unknown) => e)) as ProviderError;
    expect(error.status).toBe(401);
    expect(error.message).toContain('Incorrect API key provided');
    expect(JSON.stringify(error.toJSON())).not.toContain(KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('aborts mid-stream when the signal fires, with a CancelledError', async () => {
    // Enough events that every format has sent at least one text delta (Anthropic opens with 3 others).
    server.enqueue({ stall: true, text: 'a b c d e f g', chunks: 5 });
    const controller = new AbortController();
    const tokens: string[] = [];
    const pending = make().complete(request, {
      signal: controller.signal,
      onToken: (t) => {
        tokens.push(t);
        controller.abort(new CancelledError('stop now'));
      },
    });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(tokens.length).toBeGreaterThanOrEqual(1);
  });

  it('stops a stalled stream at its timeout with a retryable ProviderError', async () => {
    server.enqueue(
      { stall: true, text: 'a b c', chunks: 2 },
      { stall: true, text: 'a b c', chunks: 2 },
    );
    const error = (await make({ timeoutMs: 150, maxRetries: 0 })
      .complete(request, { onToken: () => undefined })
      .catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(/timeout/);
  });
});

function errorBody(provider: string, message: string): JsonObject {
  if (provider === 'anthropic') return { type: 'error', error: { type: 'api_error', message } };
  if (provider === 'gemini') return { error: { code: 500, message, status: 'INTERNAL' } };
  return { error: { message, type: 'server_error' } };
}
