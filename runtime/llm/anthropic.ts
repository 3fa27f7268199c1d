/**
 * Anthropic Messages API (`POST {base_url}/v1/messages`, `x-api-key`, `anthropic-version`).
 * `system` is top-level; tool calls are `tool_use` content blocks, results go back as
 * `tool_result` blocks in a user turn. Streaming events: message_start, content_block_start,
 * content_block_delta (text_delta / input_json_delta), content_block_stop, message_delta,
 * message_stop, ping, error.
 */
import type { JsonObject, JsonValue } from '../json.js';
import { ProviderError } from '../errors.js';
import {
  parseToolArguments,
  type CompleteOptions,
  type LlmAdapter,
  type LlmRequest,
  type LlmResponse,
  type LlmToolCall,
} from './adapter.js';
import { endpoint, type HttpAdapterOptions } from './openai-compatible.js';
import { AlternatingTurns, sendProviderCall } from './provider-call.js';
import { readSse } from './sse.js';
import { normalizeUsage } from './usage.js';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
/** The Messages API requires max_tokens; used when neither the agent nor runtime.yaml sets it. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: JsonObject };

export class AnthropicAdapter implements LlmAdapter {
  readonly provider: string;
  constructor(private readonly options: HttpAdapterOptions) {
    this.provider = options.provider;
  }

  async complete(request: LlmRequest, options: CompleteOptions = {}): Promise<LlmResponse> {
    const stream = options.onToken !== undefined;
    const body: JsonObject = {
      model: request.model,
      max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages: toWireMessages(request),
      ...(request.system && { system: request.system }),
      ...(request.temperature !== undefined && { temperature: request.temperature }),
      ...(request.tools && request.tools.length > 0
        ? {
            tools: request.tools.map((t) => ({
              name: t.name,
              description: t.description,
              input_schema: t.parameters,
            })),
          }
        : {}),
      ...(stream && { stream: true }),
      ...request.params,
    };
    const key = this.options.apiKey?.();
    const headers: Record<string, string> = {
      ...this.options.headers,
      'anthropic-version': ANTHROPIC_VERSION,
      ...(key ? { 'x-api-key': key } : {}),
    };
    const url = endpoint(
      this.options.baseUrl ?? ANTHROPIC_BASE_URL,
      '/v1/messages',
      this.options.query,
    );
    return sendProviderCall(
      this.options,
      {
        url,
        headers,
        body,
        key,
        fromJson: (json) => {
          const raw = json as {
            content?: Block[];
            usage?: unknown;
            stop_reason?: string | null;
            model?: string;
          };
          return fromBlocks(
            raw.content ?? [],
            raw.usage,
            raw.stop_reason ?? null,
            raw.model ?? request.model,
          );
        },
        fromStream: (response, onToken) => this.readStream(response, request.model, onToken),
      },
      options,
    );
  }

  private async readStream(
    response: Response,
    model: string,
    onToken: (t: string) => void,
  ): Promise<LlmResponse> {
    const blocks: { type: string; text: string; id: string; name: string; json: string }[] = [];
    const usage: Record<string, number> = {};
    let stopReason: string | null = null;
    let modelName = model;
    for await (const event of readSse(response.body!)) {
      const data = JSON.parse(event.data) as {
        type: string;
        index?: number;
        message?: { model?: string; usage?: Record<string, number> };
        content_block?: { type: string; id?: string; name?: string; text?: string };
        delta?: {
          type?: string;
          text?: string;
          partial_json?: string;
          stop_reason?: string | null;
        };
        usage?: Record<string, number>;
        error?: { type?: string; message?: string };
      };
      switch (data.type) {
        case 'message_start':
          if (data.message?.model) modelName = data.message.model;
          Object.assign(usage, data.message?.usage ?? {});
          break;
        case 'content_block_start': {
          const b = data.content_block;
          blocks[data.index ?? blocks.length] = {
            type: b?.type ?? 'text',
            text: b?.text ?? '',
            id: b?.id ?? '',
            name: b?.name ?? '',
            json: '',
          };
          break;
        }
        case 'content_block_delta': {
          const block = blocks[data.index ?? blocks.length - 1];
          if (!block || !data.delta) break;
          if (data.delta.type === 'text_delta' && data.delta.text) {
            block.text += data.delta.text;
            onToken(data.delta.text);
          } else if (data.delta.type === 'input_json_delta' && data.delta.partial_json) {
            block.json += data.delta.partial_json;
          }
          break;
        }
        case 'message_delta':
          if (data.delta?.stop_reason) stopReason = data.delta.stop_reason;
          Object.assign(usage, data.usage ?? {});
          break;
        case 'error':
          throw new ProviderError(
            this.provider,
            200,
            `${this.provider} stream error (${data.error?.type ?? 'error'}): ${data.error?.message ?? ''}`,
            { retryable: data.error?.type === 'overloaded_error' },
          );
        default:
          break; // ping, content_block_stop, message_stop
      }
    }
    const final: Block[] = blocks
      .filter((b) => b !== undefined)
      .map((b) =>
        b.type === 'tool_use'
          ? { type: 'tool_use', id: b.id, name: b.name, input: parseToolArguments(b.json) }
          : { type: 'text', text: b.text },
      );
    return fromBlocks(final, usage, stopReason, modelName);
  }
}

function fromBlocks(
  blocks: Block[],
  usage: unknown,
  stopReason: string | null,
  model: string,
): LlmResponse {
  const text = blocks
    .filter((b): b is Extract<Block, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text)
    .join('');
  const toolCalls: LlmToolCall[] = blocks
    .filter((b): b is Extract<Block, { type: 'tool_use' }> => b.type === 'tool_use')
    .map((b) => ({ id: b.id, name: b.name, arguments: b.input ?? {} }));
  return { text, toolCalls, usage: normalizeUsage(usage), stopReason, model };
}

/** Consecutive tool results are merged into ONE user turn, as the API requires alternating roles. */
function toWireMessages(request: LlmRequest): JsonValue[] {
  const out = new AlternatingTurns<'user' | 'assistant'>();
  for (const m of request.messages) {
    switch (m.role) {
      case 'user':
        out.push('user', { type: 'text', text: m.content });
        break;
      case 'assistant':
        if (m.content !== '') out.push('assistant', { type: 'text', text: m.content });
        for (const c of m.toolCalls ?? [])
          out.push('assistant', { type: 'tool_use', id: c.id, name: c.name, input: c.arguments });
        break;
      case 'tool':
        out.push('user', { type: 'tool_result', tool_use_id: m.toolCallId, content: m.content });
        break;
    }
  }
  return out.turns.map(({ role, items }) => ({ role, content: items }));
}
