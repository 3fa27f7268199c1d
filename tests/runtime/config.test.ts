import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  deepMerge,
  loadRuntimeConfig,
  parseDotEnv,
  secretValues,
  substituteEnv,
} from '../../runtime/config.js';
import type { Diagnostic } from '../../runtime/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

function configError(env: Record<string, string | undefined> = {}): {
  message: string;
  diagnostics: Diagnostic[];
} {
  try {
    loadRuntimeConfig(dir, { env });
  } catch (error) {
    const e = error as Error & { code: string; details: { diagnostics: Diagnostic[] } };
    expect(e.code).toBe('AR-CONFIG-VALIDATION');
    return { message: e.message, diagnostics: e.details.diagnostics };
  }
  throw new Error('expected a ConfigError');
}

test('no runtime.yaml means the defaults, paths resolved in the project', () => {
  const config = loadRuntimeConfig(dir, { env: {} });
  expect(config).toEqual({
    schemaVersion: 'v1',
    projectDir: dir,
    files: [],
    dbPath: path.join(dir, 'runtime.db'),
    workflowsDir: path.join(dir, 'workflows'),
    toolsDir: path.join(dir, 'tools'),
    agentsDir: path.join(dir, 'agents'),
    functionsDir: path.join(dir, 'functions'),
    overwritePolicy: 'warn',
    defaultModel: '',
    defaultLlmProvider: '',
    llm: {
      providers: {},
      limits: {
        rateLimitRpm: 0,
        maxRequestsPerRun: 0,
        maxTotalTokensPerRun: 0,
        maxCostUsdPerRun: 0,
      },
      pricing: {},
    },
    shell: { allowlist: [], denylist: [] },
    secrets: [],
    logging: { level: 'info', format: 'json' },
    memory: {},
  });
});

test('every documented key is read; ${VAR} comes from the env, unset ones stay literal', () => {
  write(
    'runtime.yaml',
    `schema_version: v1
db_path: data/\${DB_NAME}.db
workflows_dir: flows
functions_dir: /abs/functions
overwrite_policy: strict
default_model: openai/gpt-4o
default_llm_provider: openai
llm:
  default_provider: openai
  providers:
    openai:
      api_key_env: OPENAI_API_KEY
      base_url: \${OPENAI_BASE_URL}
      organization: acme
      models: {gpt-4o: {temperature: 0.7, max_tokens: 4096}}
  limits:
    max_requests_per_run: 20
    pricing_usd_per_1k_tokens:
      "openai/gpt-4o": {input: 0.005, output: 0.015}
llm_limits: {rate_limit_rpm: 60, max_requests_per_run: 5}
shell: {allowlist: ['^ls\\b'], denylist: ['rm']}
secrets: [DB_PASSWORD]
logging: {level: debug}
memory: {working: {max_entries: 10}}
`,
  );
  const config = loadRuntimeConfig(dir, { env: { DB_NAME: 'prod' } });
  expect(config.files).toEqual([path.join(dir, 'runtime.yaml')]);
  expect(config.dbPath).toBe(path.join(dir, 'data', 'prod.db'));
  expect([config.workflowsDir, config.functionsDir, config.toolsDir]).toEqual([
    path.join(dir, 'flows'),
    '/abs/functions',
    path.join(dir, 'tools'),
  ]);
  expect([config.overwritePolicy, config.defaultModel, config.defaultLlmProvider]).toEqual([
    'strict',
    'openai/gpt-4o',
    'openai',
  ]);
  expect(config.llm).toEqual({
    defaultProvider: 'openai',
    providers: {
      openai: {
        apiKeyEnv: 'OPENAI_API_KEY',
        baseUrl: '${OPENAI_BASE_URL}',
        models: { 'gpt-4o': { temperature: 0.7, max_tokens: 4096 } },
        extra: { organization: 'acme' },
      },
    },
    limits: {
      rateLimitRpm: 60,
      maxRequestsPerRun: 20,
      maxTotalTokensPerRun: 0,
      maxCostUsdPerRun: 0,
    },
    pricing: { 'openai/gpt-4o': { input: 0.005, output: 0.015 } },
  });
  expect(config.shell).toEqual({ allowlist: ['^ls\\b'], denylist: ['rm'] });
  expect(config.secrets).toEqual(['DB_PASSWORD']);
  expect(config.logging).toEqual({ level: 'debug', format: 'json' });
  expect(config.memory).toEqual({ working: { max_entries: 10 } });
});

test('RUNTIME_ENV deep-merges runtime.<env>.yaml on top', () => {
  write(
    'runtime.yaml',
    'schema_version: v1\ndb_path: dev.db\nllm:\n  default_provider: openai\n  providers:\n    openai: {api_key_env: OPENAI_API_KEY}\n',
  );
  write(
    'runtime.prod.yaml',
    'db_path: /var/lib/prod.db\nllm:\n  providers:\n    openai: {base_url: "https://proxy"}\n',
  );
  const dev = loadRuntimeConfig(dir, { env: {} });
  expect(dev.dbPath).toBe(path.join(dir, 'dev.db'));
  const prod = loadRuntimeConfig(dir, { env: { RUNTIME_ENV: 'prod' } });
  expect(prod.files).toEqual([path.join(dir, 'runtime.yaml'), path.join(dir, 'runtime.prod.yaml')]);
  expect(prod.dbPath).toBe('/var/lib/prod.db');
  expect(prod.llm.defaultProvider).toBe('openai');
  expect(prod.llm.providers.openai).toMatchObject({
    apiKeyEnv: 'OPENAI_API_KEY',
    baseUrl: 'https://proxy',
  });
});

test('.env fills unset variables only, and feeds ${VAR} and secrets', () => {
  write(
    '.env',
    '# comment\nexport OPENAI_API_KEY="sk-from-dotenv"\nDB_NAME=fromfile # inline comment\nPRESET=from-file\nDB_PASSWORD=\'hunter2\'\n',
  );
  write(
    'runtime.yaml',
    'schema_version: v1\ndb_path: ${DB_NAME}.db\nsecrets: [DB_PASSWORD, UNSET_SECRET]\nllm:\n  providers:\n    openai: {api_key_env: OPENAI_API_KEY}\n',
  );
  const env: Record<string, string | undefined> = { PRESET: 'from-env' };
  const config = loadRuntimeConfig(dir, { env });
  expect(env).toEqual({
    PRESET: 'from-env',
    OPENAI_API_KEY: 'sk-from-dotenv',
    DB_NAME: 'fromfile',
    DB_PASSWORD: 'hunter2',
  });
  expect(config.dbPath).toBe(path.join(dir, 'fromfile.db'));
  expect(secretValues(config, env)).toEqual(['sk-from-dotenv', 'hunter2']);
});

test('a runtime.yaml without schema_version is rejected', () => {
  write('runtime.yaml', 'db_path: x.db\n');
  const { diagnostics } = configError();
  expect(diagnostics.map((d) => `${d.code} ${d.line}:${d.col}`)).toEqual(['MISSING_KEY 1:1']);
});

test('unknown keys and wrong types are reported with file:line:col, all at once', () => {
  write(
    'runtime.yaml',
    'schema_version: v2\ndb_pth: x.db\noverwrite_policy: sometimes\nworkflows_dir: [a]\nshell: {allowlist: ["(("], blocklist: []}\nsecrets: SECRET\n',
  );
  const { message, diagnostics } = configError();
  expect(diagnostics.map((d) => `${d.code} ${d.line}:${d.col}`)).toEqual([
    'UNSUPPORTED_SCHEMA_VERSION 1:17',
    'UNKNOWN_KEY 2:1',
    'INVALID_VALUE 3:19',
    'INVALID_TYPE 4:16',
    'INVALID_REGEX 5:21',
    'UNKNOWN_KEY 5:28',
    'INVALID_TYPE 6:10',
  ]);
  expect(diagnostics[1]!.suggestion).toBe('db_path');
  expect(message).toContain(`${path.join(dir, 'runtime.yaml')}:2:1`);
});

test('helpers: ${VAR} substitution, deep merge, .env parsing', () => {
  expect(substituteEnv({ a: ['${X}-${Y}', 1], b: '$X ${Z}' }, { X: 'x', Y: 'y' })).toEqual({
    a: ['x-y', 1],
    b: '$X ${Z}',
  });
  expect(deepMerge({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2], e: 3 } })).toEqual({
    a: { b: 1, c: [2], e: 3 },
    d: 1,
  });
  expect(parseDotEnv('A=1\n  B = two words \nC="x\\ny"\nnot a line\nD=#notcomment\n')).toEqual({
    A: '1',
    B: 'two words',
    C: 'x\ny',
    D: '#notcomment',
  });
});
