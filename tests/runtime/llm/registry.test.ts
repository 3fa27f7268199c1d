import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRuntimeConfig } from '../../../runtime/config.js';
import { isAgentkernelError } from '../../../runtime/errors.js';
import { LlmRegistry } from '../../../runtime/llm/registry.js';
import { ScriptedAdapter } from '../../../runtime/llm/scripted.js';
import { startFakeOpenAiServer } from '../../helpers/fake-openai-server.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'ak-llmreg-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function registry(yaml: string, env: Record<string, string> = {}) {
  writeFileSync(path.join(dir, 'runtime.yaml'), `schema_version: v1\n${yaml}`);
  return new LlmRegistry({ config: loadRuntimeConfig(dir, { env: {} }), env });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isAgentkernelError(e) ? e.code : 'not-ak';
  }
  return undefined;
}

describe('LlmRegistry', () => {
  it('resolves provider/model, bare models via the default provider, and model parameters', () => {
    const r = registry(
      'llm:\n  default_provider: openai\n  providers:\n    openai:\n      api_key_env: OPENAI_API_KEY\n      models: {gpt-4o: {temperature: 0.7, max_tokens: 99, seed: 1}}\n',
      { OPENAI_API_KEY: 'sk-1' },
    );
    const resolved = r.resolve('gpt-4o');
    expect([resolved.provider, resolved.model]).toEqual(['openai', 'gpt-4o']);
    expect(resolved.params).toEqual({ temperature: 0.7, max_tokens: 99, seed: 1 });
    expect(r.resolve('openai/gpt-4o-mini').model).toBe('gpt-4o-mini');
    expect(r.secrets()).toEqual(['sk-1']);
  });

  it('names the missing key variable, and refuses unknown providers and missing models', () => {
    const r = registry('llm:\n  providers:\n    anthropic: {api_key_env: MY_ANTHROPIC_KEY}\n');
    let message = '';
    try {
      r.resolve('anthropic/claude');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/API key env var 'MY_ANTHROPIC_KEY' is not set/);
    expect(codeOf(() => r.resolve('nosuch/model'))).toBe('AR-NO-PROVIDER');
    expect(codeOf(() => r.resolve(undefined))).toBe('AR-NO-PROVIDER');
  });

  it('needs no key for a local OpenAI-compatible server given by base_url', () => {
    const r = registry('llm:\n  providers:\n    ollama: {base_url: "http://127.0.0.1:11434/v1"}\n');
    expect(r.resolve('ollama/llama3').adapter.provider).toBe('ollama');
  });

  it('loads scripted/<name> from the scripts directory, one queue per run registry', async () => {
    mkdirSync(path.join(dir, 'llm-scripts'));
    writeFileSync(
      path.join(dir, 'llm-scripts', 'demo.yaml'),
      'responses:\n  - text: one\n  - text: two\n',
    );
    const r = registry('default_model: scripted/demo\n');
    const { adapter } = r.resolve(undefined);
    expect(adapter).toBeInstanceOf(ScriptedAdapter);
    const req = { model: 'demo', messages: [{ role: 'user' as const, content: 'x' }] };
    expect((await adapter.complete(req)).text).toBe('one');
    expect((await r.resolve('scripted/demo').adapter.complete(req)).text).toBe('two');
    await expect(adapter.complete(req)).rejects.toThrow(/script exhausted after 2 responses/);
    expect(codeOf(() => registry('').resolve('scripted/missing'))).toBe('AR-CONFIG-VALIDATION');
  });

  it('talks to an Azure-style gateway: key in api-key, api-version in the query, extra headers', async () => {
    const server = await startFakeOpenAiServer([{ text: 'hi' }]);
    try {
      const r = registry(
        `llm:\n  providers:\n    azure:\n      base_url: "${server.url}/openai/deployments/gpt4"\n      api_key_env: AZ_KEY\n      auth_header: api-key\n      query: {api-version: "2024-02-01"}\n      headers: {x-org: acme}\n`,
        { AZ_KEY: 'az-secret' },
      );
      const res = await r
        .resolve('azure/gpt4')
        .adapter.complete({ model: 'gpt4', messages: [{ role: 'user', content: 'x' }] });
      expect(res.text).toBe('hi');
      const got = server.requests[0]!;
      expect(got.path).toBe('/openai/deployments/gpt4/chat/completions?api-version=2024-02-01');
      expect(got.headers['api-key']).toBe('az-secret');
      expect(got.headers.authorization).toBeUndefined();
      expect(got.headers['x-org']).toBe('acme');
    } finally {
      await server.stop();
    }
  });
});
