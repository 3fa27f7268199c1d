/**
 * Resolves a model reference (`provider/model`, or a bare model with the default provider) to an
 * adapter and its configured parameters, from runtime.yaml's `llm` section. API keys are read
 * from the environment variable each provider names (`api_key_env`) at call time and never kept
 * on an object that gets recorded; `secrets()` lists their values for redaction.
 */
import path from 'node:path';
import type { LlmProviderConfig, RuntimeConfig } from '../config.js';
import { ConfigError, NoProviderError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { LlmAdapter } from './adapter.js';
import { AnthropicAdapter } from './anthropic.js';
import { GeminiAdapter } from './gemini.js';
import type { ProviderHttpOptions } from './http.js';
import { OpenAiCompatibleAdapter } from './openai-compatible.js';
import {
  DEFAULT_SCRIPTS_DIR,
  SCRIPTED_PROVIDER,
  ScriptedAdapter,
  loadScript,
  type ScriptedResponse,
} from './scripted.js';

export type ProviderKind = 'openai' | 'anthropic' | 'gemini' | 'scripted';

/** Provider names that imply a wire format when runtime.yaml does not say `type:`. */
const KIND_BY_NAME: Record<string, ProviderKind> = {
  openai: 'openai',
  azure: 'openai',
  ollama: 'openai',
  vllm: 'openai',
  lmstudio: 'openai',
  llamacpp: 'openai',
  local: 'openai',
  anthropic: 'anthropic',
  claude: 'anthropic',
  gemini: 'gemini',
  google: 'gemini',
  scripted: 'scripted',
};

const KINDS: readonly ProviderKind[] = ['openai', 'anthropic', 'gemini', 'scripted'];

export interface ResolvedModel {
  adapter: LlmAdapter;
  provider: string;
  model: string;
  /** runtime.yaml `llm.providers.<p>.models.<m>` parameters (temperature, max_tokens, extras). */
  params: JsonObject;
  /**
   * False when runtime.yaml says `native_tools: false` for the provider (a local server without a
   * tool-calling API): agents then use the fenced ```` ```tool_call ```` text convention.
   */
  nativeTools: boolean;
}

export interface LlmRegistryOptions {
  config: RuntimeConfig;
  env?: Record<string, string | undefined>;
  /** In-code scripts for `scripted/<name>`; they win over script files. */
  scripts?: Record<string, readonly ScriptedResponse[]>;
  /** HTTP behaviour for every provider (tests shorten retries). */
  http?: Omit<ProviderHttpOptions, 'provider' | 'signal' | 'secrets'>;
}

export class LlmRegistry {
  private readonly adapters = new Map<string, LlmAdapter>();
  private readonly env: Record<string, string | undefined>;

  constructor(private readonly options: LlmRegistryOptions) {
    this.env = options.env ?? process.env;
  }

  /** `ref` is `provider/model`, a bare model (default provider), or undefined (runtime default_model). */
  resolve(ref: string | undefined): ResolvedModel {
    const { config } = this.options;
    const written = ref?.trim() || config.defaultModel;
    if (!written)
      throw new NoProviderError(
        'no model is configured: set `model: provider/model` on the agent or `default_model` in runtime.yaml (e.g. default_model: openai/gpt-4o-mini, or scripted/<name> offline)',
      );
    const slash = written.indexOf('/');
    let provider: string;
    let model: string;
    if (slash > 0) {
      provider = written.slice(0, slash);
      model = written.slice(slash + 1);
    } else {
      const fallback =
        config.llm.defaultProvider ||
        config.defaultLlmProvider ||
        (Object.keys(config.llm.providers).length === 1
          ? Object.keys(config.llm.providers)[0]
          : '');
      if (!fallback)
        throw new NoProviderError(
          `model '${written}' has no provider: write it as provider/model or set llm.default_provider in runtime.yaml`,
        );
      provider = fallback;
      model = written;
    }
    const providerConfig = config.llm.providers[provider];
    const kind = this.kindOf(provider, providerConfig);
    const key = `${provider}/${model}`;
    let adapter = this.adapters.get(key);
    if (!adapter) {
      adapter = this.create(kind, provider, model, providerConfig);
      // Scripted adapters keep a cursor per model; HTTP adapters are stateless but cheap to keep.
      this.adapters.set(key, adapter);
    }
    return {
      adapter,
      provider,
      model,
      params: { ...(providerConfig?.models[model] ?? {}) },
      nativeTools: providerConfig?.extra.native_tools !== false,
    };
  }

  /** Values of every configured API key env var, for redaction (longest first). */
  secrets(): string[] {
    const values = new Set<string>();
    for (const name of this.options.config.secrets) if (this.env[name]) values.add(this.env[name]!);
    for (const p of Object.values(this.options.config.llm.providers))
      if (p.apiKeyEnv && this.env[p.apiKeyEnv]) values.add(this.env[p.apiKeyEnv]!);
    return [...values].sort((a, b) => b.length - a.length);
  }

  private kindOf(provider: string, config: LlmProviderConfig | undefined): ProviderKind {
    const declared = config?.extra.type ?? config?.extra.kind;
    if (typeof declared === 'string') {
      if ((KINDS as readonly string[]).includes(declared)) return declared as ProviderKind;
      throw new ConfigError(
        `llm.providers.${provider}.type must be one of ${KINDS.join(', ')}, not '${declared}'`,
      );
    }
    const byName = KIND_BY_NAME[provider];
    if (byName) return byName;
    if (config?.baseUrl) return 'openai';
    if (!config)
      throw new NoProviderError(
        `the LLM provider '${provider}' is unknown: configure it under llm.providers.${provider} in runtime.yaml (with type: openai|anthropic|gemini and base_url), or use one of ${Object.keys(KIND_BY_NAME).join(', ')}`,
      );
    throw new ConfigError(
      `llm.providers.${provider} needs a type (openai, anthropic, gemini) or a base_url for an OpenAI-compatible server`,
    );
  }

  private create(
    kind: ProviderKind,
    provider: string,
    model: string,
    config: LlmProviderConfig | undefined,
  ): LlmAdapter {
    if (kind === 'scripted') {
      const inCode = this.options.scripts?.[model];
      if (inCode) return new ScriptedAdapter(model, inCode);
      const dirSetting = config?.extra.scripts_dir;
      const dir = path.resolve(
        this.options.config.projectDir,
        typeof dirSetting === 'string' ? dirSetting : DEFAULT_SCRIPTS_DIR,
      );
      return new ScriptedAdapter(model, loadScript(dir, model));
    }
    const envName = config?.apiKeyEnv ?? defaultKeyEnv(kind, provider, config);
    // Checked now, so a missing key fails before any request with the fix in the message.
    if (envName && !this.env[envName])
      throw new ConfigError(
        `API key env var '${envName}' is not set (needed by provider '${provider}'): export it or put it in the project's .env`,
      );
    const env = this.env;
    const timeoutSeconds = config?.models[model]?.timeout;
    const strings = (v: unknown): Record<string, string> | undefined =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]))
        : undefined;
    const headers = strings(config?.extra.headers);
    const query = strings(config?.extra.query);
    const authHeader = config?.extra.auth_header;
    const options = {
      provider,
      ...(headers && { headers }),
      ...(query && { query }),
      ...(typeof authHeader === 'string' && { authHeader }),
      ...(config?.baseUrl && { baseUrl: config.baseUrl }),
      ...(envName && { apiKey: () => env[envName] }),
      http: {
        ...this.options.http,
        ...(typeof timeoutSeconds === 'number' && { timeoutMs: timeoutSeconds * 1000 }),
      },
    };
    switch (kind) {
      case 'openai':
        return new OpenAiCompatibleAdapter(options);
      case 'anthropic':
        return new AnthropicAdapter(options);
      case 'gemini':
        return new GeminiAdapter(options);
    }
  }
}

/**
 * The conventional key variable for the hosted APIs when runtime.yaml names none; local
 * OpenAI-compatible servers (a base_url, no api_key_env) need no key.
 */
function defaultKeyEnv(
  kind: ProviderKind,
  provider: string,
  config: LlmProviderConfig | undefined,
): string | undefined {
  if (config?.baseUrl) return undefined;
  if (kind === 'openai' && provider === 'openai') return 'OPENAI_API_KEY';
  if (kind === 'anthropic') return 'ANTHROPIC_API_KEY';
  if (kind === 'gemini') return 'GEMINI_API_KEY';
  return undefined;
}

export { SCRIPTED_PROVIDER };
