/**
 * The plumbing every HTTP adapter shares: POST the provider's request body, then turn the answer
 * into an LlmResponse either from the whole JSON body or from the SSE stream, with the attempt
 * timer released and mid-stream aborts mapped the same way for every provider. Adapters only
 * build the wire request and read the wire answer.
 */
import type { JsonObject, JsonValue } from '../json.js';
import type { CompleteOptions, LlmResponse } from './adapter.js';
import { postJson, withStreamErrors } from './http.js';
import type { HttpAdapterOptions } from './openai-compatible.js';

/** One provider request, as built by an adapter. */
export interface ProviderCall {
  url: string;
  headers: Record<string, string>;
  body: JsonObject;
  /** The API key sent, if any: scrubbed from error messages. */
  key: string | undefined;
  /** Reads a non-streamed answer (the parsed JSON body). */
  fromJson(raw: unknown): LlmResponse;
  /** Reads a streamed answer, calling `onToken` with each piece of text as it arrives. */
  fromStream(response: Response, onToken: (text: string) => void): Promise<LlmResponse>;
}

/** Sends `call`; streams when the caller asked for tokens (`options.onToken`). */
export async function sendProviderCall(
  adapter: HttpAdapterOptions,
  call: ProviderCall,
  options: CompleteOptions,
): Promise<LlmResponse> {
  const { response, done } = await postJson(call.url, call.headers, call.body, {
    ...adapter.http,
    provider: adapter.provider,
    ...(options.signal && { signal: options.signal }),
    secrets: call.key ? [call.key] : [],
  });
  const onToken = options.onToken;
  if (onToken === undefined) {
    try {
      return call.fromJson(await response.json());
    } finally {
      done();
    }
  }
  return withStreamErrors(
    adapter.provider,
    options.signal,
    () => call.fromStream(response, onToken),
    done,
  );
}

/**
 * Groups items into turns, appending to the last turn when it has the same role: Anthropic and
 * Gemini require alternating roles, so consecutive tool results (or a text and its tool calls)
 * must share one turn.
 */
export class AlternatingTurns<Role extends string> {
  readonly turns: { role: Role; items: JsonValue[] }[] = [];

  push(role: Role, item: JsonObject): void {
    const last = this.turns[this.turns.length - 1];
    if (last && last.role === role) last.items.push(item);
    else this.turns.push({ role, items: [item] });
  }
}
