/**
 * The provider-neutral LLM interface every agent strategy codes against, and the message, tool-call
 * and usage types shared by all providers.
 *
 * Why small fetch clients instead of the official SDKs (openai, @anthropic-ai/sdk, @google/genai)
 * or a provider-agnostic library (Vercel `ai`):
 * - Three wire formats are all we need (OpenAI-compatible chat completions — which also covers
 *   vLLM, Ollama, llama.cpp server, LM Studio and Azure-style gateways through `base_url` —
 *   Anthropic Messages and Gemini generateContent). Each is one POST plus an SSE stream; a client is
 *   ~200 lines, with one error type (ProviderError) carrying the provider's own message and status.
 * - Three SDKs would add three retry policies, three error hierarchies and three abort behaviours to
 *   reconcile; we need ONE: retries on 429/5xx honouring Retry-After, the run's AbortSignal aborting
 *   the socket, and redaction of keys in every error (http.ts).
 * - Streaming cost: measured on a loopback fake server (50 chunks, p50), raw fetch + our SSE parser
 *   takes 1.0–1.1 ms, the openai 6.x SDK 1.6–1.9 ms, Vercel `ai` 6.2–7.5 ms (and `ai` 7 needs
 *   Node 22, we target Node 20). See /work/shared/reference/measurements.md.
 * - No install step: the SDKs are not dependencies, so the runtime stays small and offline-testable.
 * The price is keeping up with wire-format changes ourselves; the formats used here are the stable,
 * documented ones, and the fake servers in tests/helpers pin exactly what we rely on.
 */
import type { JsonObject } from '../json.js';

/** A tool call the model asked for. `arguments` is already parsed from the provider's JSON. */
export interface LlmToolCall {
  /** Provider call id (Gemini has none: the runtime makes `<name>#<n>`). */
  id: string;
  /** The wire name of the tool (see toolWireName). */
  name: string;
  arguments: JsonObject;
}

/**
 * One conversation turn. Tool results are their own `tool` messages, never spliced into the system
 * prompt or a user turn: providers treat them as data returned by a function, which is the
 * prompt-injection boundary the Python runtime lacked.
 */
export type LlmMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

/** A tool offered to the model: name, description and JSON Schema of its arguments. */
export interface LlmToolSpec {
  name: string;
  description: string;
  parameters: JsonObject;
}

export interface LlmRequest {
  /** The provider's model id (without the `provider/` prefix). */
  model: string;
  system?: string;
  messages: LlmMessage[];
  tools?: LlmToolSpec[];
  temperature?: number;
  maxTokens?: number;
  /** Extra provider parameters, merged into the request body as written (top_p, seed…). */
  params?: JsonObject;
}

/** Token counts in one shape whatever the provider reports (see usage.ts). */
export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface LlmResponse {
  text: string;
  toolCalls: LlmToolCall[];
  usage: LlmUsage;
  /** Provider's stop/finish reason as sent (`stop`, `tool_calls`, `end_turn`, `STOP`…). */
  stopReason: string | null;
  model: string;
}

export interface CompleteOptions {
  /** The run's (or attempt's) signal: aborting it aborts the HTTP request, mid-stream included. */
  signal?: AbortSignal;
  /** When given, the adapter streams (SSE) and calls this with each text delta as it arrives. */
  onToken?: (text: string) => void;
}

export interface LlmAdapter {
  /** Provider name as configured (`openai`, `anthropic`, `ollama`…), for messages and pricing. */
  readonly provider: string;
  complete(request: LlmRequest, options?: CompleteOptions): Promise<LlmResponse>;
}

export const EMPTY_USAGE: LlmUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/**
 * OpenAI and Gemini only accept `[a-zA-Z0-9_-]` in function names, and runtime tools are named
 * `tools.echo`: dots become `__` on the wire. Strategies keep the name map, so this need not be
 * reversible for names that already contain `__`.
 */
export function toolWireName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '__').slice(0, 64);
}

/** Parses a model's JSON arguments string; anything but an object becomes `{ input: value }`. */
export function parseToolArguments(raw: string): JsonObject {
  if (raw.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as JsonObject;
    return { input: value as JsonObject[keyof JsonObject] };
  } catch {
    // A model that produced broken JSON still gets a tool result saying so (the tool's input
    // validation reports it) instead of the whole run failing on a parse error.
    return { _unparsed_arguments: raw };
  }
}
