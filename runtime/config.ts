/**
 * `runtime.yaml`: project-wide settings (the Python runtime's section 1.2). A missing file means
 * built-in defaults; a present one needs `schema_version: v1`. `${VAR}` placeholders in strings
 * come from the environment (unset ones stay literal), `RUNTIME_ENV=<name>` deep-merges
 * `runtime.<name>.yaml` on top, and a `.env` file in the project fills in unset variables first.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, type Node } from 'yaml';
import { ConfigError, formatDiagnostic, type Diagnostic } from './errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { checkSchemaVersion, parseYamlFile } from './definition/yaml-document.js';
import type { Entry, YamlReader } from './definition/yaml-read.js';
import {
  buildConfig,
  CONFIG_FILE,
  deepMerge,
  loadDotEnv,
  OVERWRITE_POLICIES,
  substituteEnv,
  type ConfigOptions,
  type RuntimeConfig,
} from './config-model.js';

// The yaml-free part lives in config-model.ts; everything stays importable from here.
export {
  CONFIG_FILE,
  deepMerge,
  loadDotEnv,
  loadProjectConfig,
  parseDotEnv,
  secretValues,
  substituteEnv,
  type ConfigOptions,
  type LlmConfig,
  type LlmLimits,
  type LlmProviderConfig,
  type OverwritePolicy,
  type RuntimeConfig,
  type TokenPrice,
} from './config-model.js';

const TOP_LEVEL_KEYS = [
  'schema_version',
  'db_path',
  'workflows_dir',
  'tools_dir',
  'agents_dir',
  'functions_dir',
  'overwrite_policy',
  'default_model',
  'default_llm_provider',
  'llm',
  'llm_limits',
  'memory',
  'shell',
  'secrets',
  'logging',
  'model',
  'http',
  'file',
] as const;
const STRING_KEYS = [
  'db_path',
  'workflows_dir',
  'tools_dir',
  'agents_dir',
  'functions_dir',
  'default_model',
  'default_llm_provider',
];
const MAPPING_KEYS = ['llm', 'llm_limits', 'memory', 'shell', 'logging', 'model', 'http', 'file'];

/**
 * Reads the project's runtime.yaml (synchronously: it is small, and the kernel's startup and the
 * sync bridge's worker need it before anything async runs). Throws ConfigError listing every problem.
 */
export function loadRuntimeConfig(projectDir: string, options: ConfigOptions = {}): RuntimeConfig {
  const dir = path.resolve(projectDir);
  const env = options.env ?? process.env;
  loadDotEnv(dir, env);
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  let raw: JsonObject = {};

  const base = path.join(dir, CONFIG_FILE);
  if (existsSync(base)) {
    const checked = checkConfigText(readFileSync(base, 'utf8'), base, {
      requireSchemaVersion: true,
    });
    diagnostics.push(...checked.diagnostics);
    raw = checked.value;
    files.push(base);
  }
  const profile = env.RUNTIME_ENV?.trim();
  if (profile) {
    const overlay = path.join(dir, `runtime.${profile}.yaml`);
    if (existsSync(overlay)) {
      const checked = checkConfigText(readFileSync(overlay, 'utf8'), overlay, {
        requireSchemaVersion: false,
      });
      diagnostics.push(...checked.diagnostics);
      raw = deepMerge(raw, checked.value);
      files.push(overlay);
    }
  }
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new ConfigError(
      `${errors.length} problem${errors.length === 1 ? '' : 's'} in ${errors[0]!.file}\n${errors.map(formatDiagnostic).join('\n')}`,
      { details: { diagnostics: errors as unknown as JsonValue } },
    );
  }
  return buildConfig(substituteEnv(raw, env) as JsonObject, dir, files);
}

/**
 * Checks one runtime.yaml text: YAML syntax, top-level keys (UNKNOWN_KEY with a suggestion), the
 * types of the known keys. Returns the plain value and the diagnostics (with file:line:col).
 */
export function checkConfigText(
  text: string,
  file: string,
  options: { requireSchemaVersion: boolean },
): { value: JsonObject; diagnostics: Diagnostic[] } {
  const { out, reader: r } = parseYamlFile(text, file);
  if (!r) return { value: {}, diagnostics: out.sorted() };
  const root = r.deref(r.doc.contents);
  if (r.isEmpty(root)) {
    if (options.requireSchemaVersion)
      out.error('MISSING_KEY', 0, `missing 'schema_version' (add schema_version: v1)`);
    return { value: {}, diagnostics: out.sorted() };
  }
  const map = r.map(root, root, file);
  if (!map) return { value: {}, diagnostics: out.sorted() };
  const entries = r.checkKeys(r.entries(map), TOP_LEVEL_KEYS, path.basename(file));
  const schema = entries.find((e) => e.key === 'schema_version');
  if (!schema) {
    if (options.requireSchemaVersion)
      out.error('MISSING_KEY', map, `missing 'schema_version' (add schema_version: v1)`);
  } else checkSchemaVersion(r, schema);
  for (const e of entries) checkEntry(r, e);
  const value = r.json(map);
  return { value: isJsonObject(value) ? value : {}, diagnostics: out.sorted() };
}

function checkEntry(r: YamlReader, e: Entry): void {
  if (STRING_KEYS.includes(e.key)) r.string(e.value, e.at, e.key);
  else if (MAPPING_KEYS.includes(e.key) && !r.isEmpty(e.value)) r.map(e.value, e.at, e.key);
  else if (e.key === 'overwrite_policy')
    r.choice(e.value, e.at, 'overwrite_policy', OVERWRITE_POLICIES);
  else if (e.key === 'secrets' && !r.isEmpty(e.value)) checkStringList(r, e.value, e.at, 'secrets');
  if (e.key === 'shell' && isMap(e.value)) {
    for (const s of r.checkKeys(
      r.entries(e.value),
      ['allowlist', 'denylist', 'enabled'],
      'shell',
    )) {
      if (r.isEmpty(s.value)) continue;
      if (s.key === 'enabled') {
        r.boolean(s.value, s.at, 'shell.enabled');
        continue;
      }
      const items = checkStringList(r, s.value, s.at, `shell.${s.key}`);
      // The patterns are regular expressions for tools.shell: a bad one should fail here, not at call time.
      for (const item of items) {
        try {
          new RegExp(item.text);
        } catch (error) {
          r.out.error(
            'INVALID_REGEX',
            item.node,
            `shell.${s.key} pattern does not compile: ${(error as Error).message}`,
          );
        }
      }
    }
  }
  if (e.key === 'http' && isMap(e.value)) {
    for (const h of r.checkKeys(r.entries(e.value), ['allowlist', 'allow_private'], 'http')) {
      if (h.key === 'allow_private') r.boolean(h.value, h.at, 'http.allow_private');
      else if (!r.isEmpty(h.value)) checkStringList(r, h.value, h.at, 'http.allowlist');
    }
  }
  if (e.key === 'file' && isMap(e.value)) {
    for (const f of r.checkKeys(r.entries(e.value), ['root'], 'file'))
      r.string(f.value, f.at, 'file.root');
  }
  if (e.key === 'llm' && isMap(e.value)) {
    const llm = r.checkKeys(
      r.entries(e.value),
      ['providers', 'default_provider', 'limits', 'pricing'],
      'llm',
    );
    const providers = llm.find((x) => x.key === 'providers');
    if (providers && !r.isEmpty(providers.value)) {
      const map = r.map(providers.value, providers.at, 'llm.providers');
      for (const p of map ? r.entries(map) : []) {
        const provider = r.map(p.value, p.at, `llm.providers.${p.key}`);
        if (!provider) continue;
        for (const field of r.entries(provider)) {
          if (field.key === 'api_key_env' || field.key === 'base_url')
            r.string(field.value, field.at, `llm.providers.${p.key}.${field.key}`);
          if (field.key === 'models' && !r.isEmpty(field.value))
            r.map(field.value, field.at, `llm.providers.${p.key}.models`);
        }
      }
    }
  }
}

function checkStringList(
  r: YamlReader,
  node: Node | null,
  at: Entry['at'],
  what: string,
): { text: string; node: Node }[] {
  const seq = r.seq(node, at, what);
  if (!seq || !isSeq(seq)) return [];
  return r.items(seq).flatMap((item) => {
    const text = r.string(item, item, `an entry of ${what}`);
    return text === undefined ? [] : [{ text, node: item }];
  });
}
