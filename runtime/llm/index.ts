/** The LLM layer's public surface (re-exported by runtime/index.ts). */
export type {
  CompleteOptions,
  LlmAdapter,
  LlmMessage,
  LlmRequest,
  LlmResponse,
  LlmToolCall,
  LlmToolSpec,
  LlmUsage,
} from './adapter.js';
export { toolWireName } from './adapter.js';
export { OpenAiCompatibleAdapter, type HttpAdapterOptions } from './openai-compatible.js';
export { AnthropicAdapter } from './anthropic.js';
export { GeminiAdapter } from './gemini.js';
export { ScriptedAdapter, loadScript, parseScript, type ScriptedResponse } from './scripted.js';
export {
  LlmRegistry,
  type LlmRegistryOptions,
  type ProviderKind,
  type ResolvedModel,
} from './registry.js';
export { SseParser, readSse, type SseEvent } from './sse.js';
export { parseRetryAfter, type ProviderHttpOptions, type HttpRetryInfo } from './http.js';
export {
  UsageMeter,
  normalizeUsage,
  priceFor,
  costUsd,
  runUsageTotals,
  type UsageTotals,
} from './usage.js';
export { RateLimiter } from './rate-limit.js';
