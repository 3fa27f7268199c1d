/**
 * The yaml-free half of `runtime.yaml` support: the RuntimeConfig types, building one from plain
 * values, `${VAR}` substitution, `.env` files and secret values. Split from config.ts (the
 * reader, which needs the yaml package) so that opening a project without a runtime.yaml (and
 * the sync bridge's worker, which is sent the caller's config) never loads yaml.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';

export type OverwritePolicy = 'warn' | 'strict' | 'allow';

export interface LlmProviderConfig {
  /** Name of the environment variable holding the API key (never the key itself). */
  apiKeyEnv?: string;
  baseUrl?: string;
  /** model id → parameters (temperature, max_tokens, timeout seconds, extra provider params). */
  models: Record<string, JsonObject>;
  /** Any other provider keys, kept for adapters that need them. */
  extra: JsonObject;
}

/** Per-run and rate limits; 0 means "off", as in the Python runtime. */
export interface LlmLimits {
  rateLimitRpm: number;
  maxRequestsPerRun: number;
  maxTotalTokensPerRun: number;
  maxCostUsdPerRun: number;
}

export interface TokenPrice {
  /** USD per 1k input tokens. */
  input: number;
  output: number;
}

export interface LlmConfig {
  defaultProvider?: string;
  providers: Record<string, LlmProviderConfig>;
  limits: LlmLimits;
  /** Keyed `<provider>/<model>`, `<provider>/*` or `*`. */
  pricing: Record<string, TokenPrice>;
}

export interface RuntimeConfig {
  schemaVersion: 'v1';
  projectDir: string;
  /** The runtime.yaml read, if any (and the RUNTIME_ENV overlay, if applied). */
  files: string[];
  /** Absolute path of the SQLite file, or `:memory:`. */
  dbPath: string;
  workflowsDir: string;
  toolsDir: string;
  agentsDir: string;
  functionsDir: string;
  overwritePolicy: OverwritePolicy;
  /** e.g. `openai/gpt-4o`; '' when unset. */
  defaultModel: string;
  defaultLlmProvider: string;
  llm: LlmConfig;
  /** `enabled` (tools.shell is off unless true) is only present when runtime.yaml sets it. */
  shell: { allowlist: string[]; denylist: string[]; enabled?: boolean };
  /** tools.http settings (added with the built-in tools); absent when runtime.yaml has no `http`. */
  http?: { allowlist: string[]; allowPrivate: boolean };
  /** tools.file settings; `root` is absolute. Absent when runtime.yaml has no `file`. */
  file?: { root: string };
  /** Environment variable names whose values must never be stored or printed. */
  secrets: string[];
  logging: { level: string; format: string };
  /** Memory tier settings, kept as written until the memory layer types them. */
  memory: JsonObject;
}

export interface ConfigOptions {
  /** The environment to read `${VAR}`, RUNTIME_ENV and api keys from; `.env` is loaded into it. Defaults to process.env. */
  env?: Record<string, string | undefined>;
}

export const CONFIG_FILE = 'runtime.yaml';

export const OVERWRITE_POLICIES: readonly OverwritePolicy[] = ['warn', 'strict', 'allow'];

export function buildConfig(raw: JsonObject, dir: string, files: string[]): RuntimeConfig {
  const str = (key: string, fallback: string) =>
    typeof raw[key] === 'string' ? (raw[key] as string) : fallback;
  const obj = (value: JsonValue | undefined): JsonObject => (isJsonObject(value) ? value : {});
  const inProject = (key: string, fallback: string) => path.resolve(dir, str(key, fallback));
  const dbPath = str('db_path', 'runtime.db');
  const shell = obj(raw.shell);
  const logging = obj(raw.logging);
  return {
    schemaVersion: 'v1',
    projectDir: dir,
    files,
    dbPath: dbPath === ':memory:' ? dbPath : path.resolve(dir, dbPath),
    workflowsDir: inProject('workflows_dir', 'workflows'),
    toolsDir: inProject('tools_dir', 'tools'),
    agentsDir: inProject('agents_dir', 'agents'),
    functionsDir: inProject('functions_dir', 'functions'),
    overwritePolicy: (OVERWRITE_POLICIES as readonly string[]).includes(str('overwrite_policy', ''))
      ? (raw.overwrite_policy as OverwritePolicy)
      : 'warn',
    defaultModel: str('default_model', ''),
    defaultLlmProvider: str('default_llm_provider', ''),
    llm: buildLlm(obj(raw.llm), obj(raw.llm_limits)),
    shell: {
      allowlist: strings(shell.allowlist),
      denylist: strings(shell.denylist),
      ...(typeof shell.enabled === 'boolean' && { enabled: shell.enabled }),
    },
    ...(isJsonObject(raw.http) && {
      http: {
        allowlist: strings(raw.http.allowlist),
        allowPrivate: raw.http.allow_private === true,
      },
    }),
    ...(isJsonObject(raw.file) && {
      file: { root: path.resolve(dir, typeof raw.file.root === 'string' ? raw.file.root : '.') },
    }),
    secrets: strings(raw.secrets),
    logging: {
      level: typeof logging.level === 'string' ? logging.level : 'info',
      format: typeof logging.format === 'string' ? logging.format : 'json',
    },
    memory: obj(raw.memory),
  };
}

function buildLlm(llm: JsonObject, topLevelLimits: JsonObject): LlmConfig {
  const providers: Record<string, LlmProviderConfig> = {};
  for (const [name, value] of Object.entries(isJsonObject(llm.providers) ? llm.providers : {})) {
    const p = isJsonObject(value) ? value : {};
    const { api_key_env, base_url, models, ...extra } = p;
    const modelTable: Record<string, JsonObject> = {};
    for (const [id, params] of Object.entries(isJsonObject(models) ? models : {}))
      modelTable[id] = isJsonObject(params) ? params : {};
    providers[name] = {
      ...(typeof api_key_env === 'string' && { apiKeyEnv: api_key_env }),
      ...(typeof base_url === 'string' && { baseUrl: base_url }),
      models: modelTable,
      extra,
    };
  }
  // `llm.limits` wins over the older top-level `llm_limits`.
  const limits = { ...topLevelLimits, ...(isJsonObject(llm.limits) ? llm.limits : {}) };
  const num = (key: string) => (typeof limits[key] === 'number' ? (limits[key] as number) : 0);
  const pricing: Record<string, TokenPrice> = {};
  const priceTable = { ...obj2(limits.pricing_usd_per_1k_tokens), ...obj2(llm.pricing) };
  for (const [key, value] of Object.entries(priceTable)) {
    if (!isJsonObject(value)) continue;
    pricing[key] = {
      input: typeof value.input === 'number' ? value.input : 0,
      output: typeof value.output === 'number' ? value.output : 0,
    };
  }
  return {
    ...(typeof llm.default_provider === 'string' && { defaultProvider: llm.default_provider }),
    providers,
    limits: {
      rateLimitRpm: num('rate_limit_rpm'),
      maxRequestsPerRun: num('max_requests_per_run'),
      maxTotalTokensPerRun: num('max_total_tokens_per_run'),
      maxCostUsdPerRun: num('max_cost_usd_per_run'),
    },
    pricing,
  };
}

function obj2(value: JsonValue | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Replaces `${VAR}` in every string (keys untouched); unset variables stay as written. */
export function substituteEnv(
  value: JsonValue,
  env: Record<string, string | undefined>,
): JsonValue {
  if (typeof value === 'string') {
    return value.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g,
      (whole, name: string) => env[name] ?? whole,
    );
  }
  if (Array.isArray(value)) return value.map((v) => substituteEnv(v, env));
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env);
    return out;
  }
  return value;
}

/** Mappings merge key by key; anything else in `overlay` (lists included) replaces the base. */
export function deepMerge(base: JsonObject, overlay: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const existing = out[key];
    out[key] = isJsonObject(existing) && isJsonObject(value) ? deepMerge(existing, value) : value;
  }
  return out;
}

/**
 * Loads `<dir>/.env` into `env` without overriding variables already set. Returns the names it
 * set. Supports `KEY=value`, `export KEY=value`, quotes, and `#` comments.
 */
export function loadDotEnv(dir: string, env: Record<string, string | undefined>): string[] {
  const file = path.join(dir, '.env');
  if (!existsSync(file)) return [];
  const loaded: string[] = [];
  for (const [key, value] of Object.entries(parseDotEnv(readFileSync(file, 'utf8')))) {
    if (env[key] !== undefined) continue;
    env[key] = value;
    loaded.push(key);
  }
  return loaded;
}

export function parseDotEnv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!;
    let value = m[2]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.indexOf(quote, 1) > 0) {
      value = value.slice(1, value.indexOf(quote, 1));
      if (quote === '"')
        value = value.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\"/g, '"');
    } else {
      // An unquoted value ends at ` #` (an inline comment).
      value = value.replace(/\s+#.*$/, '');
    }
    result[key] = value;
  }
  return result;
}

/**
 * Values that must never be written to the store or printed: the API keys the providers name and
 * the variables listed under `secrets`. Longest first, so redacting one cannot leave part of another.
 */
export function secretValues(
  config: RuntimeConfig,
  env: Record<string, string | undefined>,
): string[] {
  const names = new Set<string>(config.secrets);
  for (const provider of Object.values(config.llm.providers))
    if (provider.apiKeyEnv) names.add(provider.apiKeyEnv);
  const values = new Set<string>();
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/**
 * The project's configuration, as `loadRuntimeConfig` reads it, loading the YAML reader only when
 * there is a runtime.yaml (or a RUNTIME_ENV overlay) to read: without one the result is the
 * built-in defaults, which need no parser.
 */
export async function loadProjectConfig(
  projectDir: string,
  options: { env?: Record<string, string | undefined> } = {},
): Promise<RuntimeConfig> {
  const dir = path.resolve(projectDir);
  const env = options.env ?? process.env;
  // First, as loadRuntimeConfig does: .env may set RUNTIME_ENV.
  loadDotEnv(dir, env);
  const profile = env.RUNTIME_ENV?.trim();
  const hasFile =
    existsSync(path.join(dir, CONFIG_FILE)) ||
    (profile !== undefined &&
      profile !== '' &&
      existsSync(path.join(dir, `runtime.${profile}.yaml`)));
  if (!hasFile) return buildConfig(substituteEnv({}, env) as JsonObject, dir, []);
  const { loadRuntimeConfig } = await import('./config.js');
  return loadRuntimeConfig(dir, options);
}
