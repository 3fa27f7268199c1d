/**
 * OpenAI-compatible Chat Completions (`POST {base_url}/chat/completions`): OpenAI itself and, through
 * `base_url`, vLLM, Ollama (`http://localhost:11434/v1`), llama.cpp server, LM Studio and
 * Azure-style gateways. Native tool calls; streaming with `stream: true`, where text arrives in
 * `delta.content` and tool calls arrive in pieces (`delta.tool_calls[i]`, keyed by `index`).
 */
import type { JsonObject, JsonValue } from '../json.js';
import { ProviderError } from '../errors.js';
import {
  parseToolArguments,
  type CompleteOptions,
  type LlmAdapter,
  type LlmMessage,
  type LlmRequest,
  type LlmResponse,
  type LlmToolCall,
} from './adapter.js';
import type { ProviderHttpOptions } from './http.js';
import { sendProviderCall } from './provider-call.js';
import { readSse } from './sse.js';
import { normalizeUsage } from './usage.js';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface HttpAdapterOptions {
  provider: string;
  baseUrl?: string;
  /** Resolved at call time from the env var named in runtime.yaml; undefined for keyless local servers. */
  apiKey?: () => string | undefined;
  /** HTTP behaviour (timeout, retries…), minus what each call supplies. */
  http?: Omit<ProviderHttpOptions, 'provider' | 'signal' | 'secrets'>;
  /** Extra static headers (gateways, org/project ids); runtime.yaml `headers:`. */
  headers?: Record<string, string>;
  /** Query parameters added to every URL (Azure's `api-version`); runtime.yaml `query:`. */
  query?: Record<string, string>;
  /**
   * OpenAI-compatible only: the header carrying the key. `authorization` (default) sends
   * `Bearer <key>`; any other name (Azure: `api-key`) sends the key as is.
   */
  authHeader?: string;
}

/** `base` + `path`, with the configured query parameters appended. */
export function endpoint(
  base: string,
  path: string,
  query: Record<string, string> | undefined,
  extra = '',
): string {
  const url = new URL(`${base.replace(/\/+$/, '')}${path}${extra}`);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  return url.toString();
}

interface OpenAiToolCallWire {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

export class OpenAiCompatibleAdapter implements LlmAdapter {
  readonly provider: string;
  constructor(private readonly options: HttpAdapterOptions) {
    this.provider = options.provider;
  }

  async complete(request: LlmRequest, options: CompleteOptions = {}): Promise<LlmResponse> {
    const stream = options.onToken !== undefined;
    const body: JsonObject = {
      model: request.model,
      messages: toWireMessages(request),
      ...(request.temperature !== undefined && { temperature: request.temperature }),
      ...(request.maxTokens !== undefined && { max_tokens: request.maxTokens }),
      ...(request.tools && request.tools.length > 0
        ? {
            tools: request.tools.map((t) => ({
              type: 'function',
              function: { name: t.name, description: t.description, parameters: t.parameters },
            })),
            tool_choice: 'auto',
          }
        : {}),
      ...(stream && { stream: true, stream_options: { include_usage: true } }),
      ...request.params,
    };
    const key = this.options.apiKey?.();
    const authHeader = (this.options.authHeader ?? 'authorization').toLowerCase();
    const headers: Record<string, string> = {
      ...this.options.headers,
      ...(key && { [authHeader]: authHeader === 'authorization' ? `Bearer ${key}` : key }),
    };
    const url = endpoint(
      this.options.baseUrl ?? OPENAI_BASE_URL,
      '/chat/completions',
      this.options.query,
    );
    return sendProviderCall(
      this.options,
      {
        url,
        headers,
        body,
        key,
        fromJson: (raw) => parseCompletion(this.provider, request.model, raw),
        fromStream: (response, onToken) => this.readStream(response, request.model, onToken),
      },
      options,
    );
  }

  private async readStream(
    response: Response,
    model: string,
    onToken: (text: string) => void,
  ): Promise<LlmResponse> {
    let text = '';
    let stopReason: string | null = null;
    let usage: unknown;
    let modelName = model;
    const calls = new Map<number, { id: string; name: string; args: string }>();
    for await (const event of readSse(response.body!)) {
      if (event.data === '[DONE]') break;
      const chunk = JSON.parse(event.data) as {
        model?: string;
        error?: { message?: string };
        usage?: unknown;
        choices?: {
          delta?: { content?: string | null; tool_calls?: OpenAiToolCallWire[] };
          finish_reason?: string | null;
        }[];
      };
      if (chunk.error)
        throw new ProviderError(
          this.provider,
          200,
          `${this.provider} stream error: ${chunk.error.message ?? 'unknown'}`,
        );
      if (chunk.model) modelName = chunk.model;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string' && delta.content !== '') {
        text += delta.content;
        onToken(delta.content);
      }
      for (const piece of delta.tool_calls ?? []) {
        const index = piece.index ?? calls.size;
        const call = calls.get(index) ?? { id: '', name: '', args: '' };
        if (piece.id) call.id = piece.id;
        if (piece.function?.name) call.name += piece.function.name;
        if (piece.function?.arguments) call.args += piece.function.arguments;
        calls.set(index, call);
      }
      if (choice.finish_reason) stopReason = choice.finish_reason;
    }
    const toolCalls: LlmToolCall[] = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({
        id: c.id || `call_${index}`,
        name: c.name,
        arguments: parseToolArguments(c.args),
      }));
    return { text, toolCalls, usage: normalizeUsage(usage), stopReason, model: modelName };
  }
}

function toWireMessages(request: LlmRequest): JsonValue[] {
  const out: JsonValue[] = [];
  if (request.system) out.push({ role: 'system', content: request.system });
  for (const m of request.messages) out.push(toWire(m));
  return out;
}

function toWire(m: LlmMessage): JsonObject {
  switch (m.role) {
    case 'user':
      return { role: 'user', content: m.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: m.content === '' && m.toolCalls?.length ? null : m.content,
        ...(m.toolCalls?.length
          ? {
              tool_calls: m.toolCalls.map((c) => ({
                id: c.id,
                type: 'function',
                function: { name: c.name, arguments: JSON.stringify(c.arguments) },
              })),
            }
          : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  }
}

function parseCompletion(provider: string, model: string, raw: unknown): LlmResponse {
  const body = raw as {
    model?: string;
    usage?: unknown;
    choices?: {
      message?: { content?: string | null; tool_calls?: OpenAiToolCallWire[] };
      finish_reason?: string | null;
    }[];
  };
  const choice = body.choices?.[0];
  if (!choice) throw new ProviderError(provider, 200, `${provider}: response has no choices`);
  const message = choice.message ?? {};
  return {
    text: message.content ?? '',
    toolCalls: (message.tool_calls ?? []).map((c, i) => ({
      id: c.id ?? `call_${i}`,
      name: c.function?.name ?? '',
      arguments: parseToolArguments(c.function?.arguments ?? ''),
    })),
    usage: normalizeUsage(body.usage),
    stopReason: choice.finish_reason ?? null,
    model: body.model ?? model,
  };
}
