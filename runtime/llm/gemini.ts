/**
 * Google Gemini (`POST {base_url}/models/{model}:generateContent`, or
 * `:streamGenerateContent?alt=sse` to stream; `x-goog-api-key`). `systemInstruction` is
 * top-level, tools are `functionDeclarations`, calls come back as `functionCall` parts and results
 * go back as `functionResponse` parts. Gemini may omit call ids: the runtime then uses
 * `<name>#<n>`, and results are matched by name, as the API does.
 */
import type { JsonObject, JsonValue } from '../json.js';
import { ProviderError } from '../errors.js';
import {
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

export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

interface Part {
  text?: string;
  thought?: boolean;
  functionCall?: { id?: string; name: string; args?: JsonObject };
}

interface GeminiChunk {
  candidates?: { content?: { parts?: Part[] }; finishReason?: string }[];
  usageMetadata?: unknown;
  modelVersion?: string;
  error?: { message?: string };
}

export class GeminiAdapter implements LlmAdapter {
  readonly provider: string;
  constructor(private readonly options: HttpAdapterOptions) {
    this.provider = options.provider;
  }

  async complete(request: LlmRequest, options: CompleteOptions = {}): Promise<LlmResponse> {
    const stream = options.onToken !== undefined;
    const generationConfig: JsonObject = {
      ...(request.temperature !== undefined && { temperature: request.temperature }),
      ...(request.maxTokens !== undefined && { maxOutputTokens: request.maxTokens }),
    };
    const { generationConfig: extraGen, ...extra } = request.params ?? {};
    const body: JsonObject = {
      contents: toContents(request),
      ...(request.system && { systemInstruction: { parts: [{ text: request.system }] } }),
      ...(request.tools && request.tools.length > 0
        ? {
            tools: [
              {
                functionDeclarations: request.tools.map((t) => ({
                  name: t.name,
                  description: t.description,
                  parameters: geminiSchema(t.parameters),
                })),
              },
            ],
            toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
          }
        : {}),
      generationConfig: { ...generationConfig, ...(isObject(extraGen) ? extraGen : {}) },
      ...extra,
    };
    const key = this.options.apiKey?.();
    const model = encodeURIComponent(request.model);
    const url = endpoint(
      this.options.baseUrl ?? GEMINI_BASE_URL,
      `/models/${model}`,
      stream ? { ...this.options.query, alt: 'sse' } : this.options.query,
      stream ? ':streamGenerateContent' : ':generateContent',
    );
    const headers = { ...this.options.headers, ...(key ? { 'x-goog-api-key': key } : {}) };
    return sendProviderCall(
      this.options,
      {
        url,
        headers,
        body,
        key,
        fromJson: (raw) => {
          const acc = new Accumulator(request.model);
          acc.add(raw as GeminiChunk, undefined, this.provider);
          return acc.result();
        },
        fromStream: async (response, onToken) => {
          const acc = new Accumulator(request.model);
          for await (const event of readSse(response.body!))
            acc.add(JSON.parse(event.data) as GeminiChunk, onToken, this.provider);
          return acc.result();
        },
      },
      options,
    );
  }
}

/** Each streamed chunk carries new text parts and whole functionCall parts; usage comes last. */
class Accumulator {
  private text = '';
  private calls: LlmToolCall[] = [];
  private usage: unknown;
  private stopReason: string | null = null;
  constructor(private model: string) {}

  add(chunk: GeminiChunk, onToken: ((t: string) => void) | undefined, provider: string): void {
    if (chunk.error)
      throw new ProviderError(
        provider,
        200,
        `${provider} stream error: ${chunk.error.message ?? ''}`,
      );
    if (chunk.usageMetadata) this.usage = chunk.usageMetadata;
    if (chunk.modelVersion) this.model = chunk.modelVersion;
    const candidate = chunk.candidates?.[0];
    if (!candidate) return;
    if (candidate.finishReason) this.stopReason = candidate.finishReason;
    for (const part of candidate.content?.parts ?? []) {
      if (typeof part.text === 'string' && !part.thought) {
        this.text += part.text;
        if (part.text !== '') onToken?.(part.text);
      }
      if (part.functionCall) {
        const n = this.calls.filter((c) => c.name === part.functionCall!.name).length;
        this.calls.push({
          id: part.functionCall.id ?? `${part.functionCall.name}#${n}`,
          name: part.functionCall.name,
          arguments: part.functionCall.args ?? {},
        });
      }
    }
  }

  result(): LlmResponse {
    return {
      text: this.text,
      toolCalls: this.calls,
      usage: normalizeUsage(this.usage),
      stopReason: this.stopReason,
      model: this.model,
    };
  }
}

function toContents(request: LlmRequest): JsonValue[] {
  const out = new AlternatingTurns<'user' | 'model'>();
  for (const m of request.messages) {
    switch (m.role) {
      case 'user':
        out.push('user', { text: m.content });
        break;
      case 'assistant':
        if (m.content !== '') out.push('model', { text: m.content });
        for (const c of m.toolCalls ?? [])
          out.push('model', {
            functionCall: {
              name: c.name,
              args: c.arguments,
              ...(c.id.includes('#') ? {} : { id: c.id }),
            },
          });
        break;
      case 'tool':
        out.push('user', {
          functionResponse: {
            name: m.name,
            ...(m.toolCallId.includes('#') ? {} : { id: m.toolCallId }),
            response: { content: m.content },
          },
        });
        break;
    }
  }
  return out.turns.map(({ role, items }) => ({ role, parts: items }));
}

/** Gemini's `parameters` take an OpenAPI subset: drop the JSON Schema keywords it rejects. */
function geminiSchema(schema: JsonValue): JsonValue {
  if (Array.isArray(schema)) return schema.map(geminiSchema);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$schema' || k === 'additionalProperties' || k === '$id') continue;
    out[k] =
      k === 'properties' && isObject(v)
        ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, geminiSchema(s)]))
        : geminiSchema(v);
  }
  return out;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
