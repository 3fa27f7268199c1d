/**
 * `scripted/<name>`: a deterministic provider that answers from a queue of prepared responses
 * (text and tool calls), instantly. For tests and offline demos: a workflow with agents runs the
 * same way every time, with no key and no network. Scripts come from code or from
 * `<scripts_dir>/<name>.yaml|.yml|.json` (`scripts_dir` under `llm.providers.scripted` in
 * runtime.yaml, default `llm-scripts/`), holding a list, or `{responses: [...]}`:
 *
 * ```yaml
 * responses:
 *   - tool_calls: [{name: tools.echo, arguments: {message: hi}}]
 *   - text: "Done. The echo said hi."
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, ProviderError } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import {
  toolWireName,
  type CompleteOptions,
  type LlmAdapter,
  type LlmRequest,
  type LlmResponse,
} from './adapter.js';
import { abortError } from './http.js';

export interface ScriptedResponse {
  text?: string;
  /** `name` is the runtime tool name (`tools.echo`); the adapter puts it in wire form. */
  tool_calls?: { name: string; arguments?: JsonObject; id?: string }[];
  /** Usage to report; default: ~4 characters per token of the request and the answer. */
  usage?: { input_tokens?: number; output_tokens?: number };
  /** Makes this turn fail with a ProviderError of this status (to script error handling). */
  error?: { status: number; message: string };
}

export const SCRIPTED_PROVIDER = 'scripted';
export const DEFAULT_SCRIPTS_DIR = 'llm-scripts';

export class ScriptedAdapter implements LlmAdapter {
  readonly provider = SCRIPTED_PROVIDER;
  private cursor = 0;
  constructor(
    readonly name: string,
    private readonly responses: readonly ScriptedResponse[],
  ) {}

  /** How many responses were served so far. */
  get served(): number {
    return this.cursor;
  }

  async complete(request: LlmRequest, options: CompleteOptions = {}): Promise<LlmResponse> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const next = this.responses[this.cursor];
    if (!next)
      throw new ProviderError(
        SCRIPTED_PROVIDER,
        0,
        `scripted/${this.name}: script exhausted after ${this.responses.length} responses (add more responses to the script)`,
        { retryable: false },
      );
    this.cursor += 1;
    if (next.error)
      throw new ProviderError(
        SCRIPTED_PROVIDER,
        next.error.status,
        `scripted/${this.name}: ${next.error.message}`,
      );
    const text = next.text ?? '';
    if (options.onToken && text !== '') {
      // Stream in word-sized pieces so listeners see the same shape as a real stream.
      for (const piece of text.match(/\S+\s*|\s+/g) ?? []) options.onToken(piece);
    }
    const promptChars =
      (request.system?.length ?? 0) + request.messages.reduce((n, m) => n + m.content.length, 0);
    const inputTokens = next.usage?.input_tokens ?? Math.ceil(promptChars / 4);
    const outputTokens =
      next.usage?.output_tokens ?? Math.ceil(text.length / 4) + (next.tool_calls?.length ?? 0) * 8;
    return {
      text,
      toolCalls: (next.tool_calls ?? []).map((c, i) => ({
        id: c.id ?? `scripted_${this.cursor}_${i}`,
        name: toolWireName(c.name),
        arguments: c.arguments ?? {},
      })),
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      stopReason: next.tool_calls?.length ? 'tool_calls' : 'stop',
      model: this.name,
    };
  }
}

/** Reads `<dir>/<name>.{yaml,yml,json}`; ConfigError when missing or malformed. */
export function loadScript(dir: string, name: string): ScriptedResponse[] {
  const candidates = ['.yaml', '.yml', '.json'].map((ext) => path.join(dir, `${name}${ext}`));
  const file = candidates.find((f) => existsSync(f));
  if (!file)
    throw new ConfigError(
      `No script for model 'scripted/${name}': expected ${candidates[0]} (or .yml/.json), or pass it in code (llm.scripts)`,
    );
  let value: unknown;
  try {
    value = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read script ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseScript(value as JsonValue, file);
}

export function parseScript(value: JsonValue, where: string): ScriptedResponse[] {
  const list = Array.isArray(value) ? value : isJsonObject(value) ? value.responses : undefined;
  if (!Array.isArray(list))
    throw new ConfigError(`${where}: a script is a list of responses, or {responses: [...]}`);
  return list.map((item, i) => {
    if (!isJsonObject(item)) throw new ConfigError(`${where}: response ${i + 1} must be a mapping`);
    const calls = item.tool_calls;
    if (calls !== undefined && !Array.isArray(calls))
      throw new ConfigError(`${where}: response ${i + 1}: tool_calls must be a list`);
    for (const c of calls ?? [])
      if (!isJsonObject(c) || typeof c.name !== 'string')
        throw new ConfigError(`${where}: response ${i + 1}: each tool call needs a name`);
    return item as unknown as ScriptedResponse;
  });
}
