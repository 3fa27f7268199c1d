/**
 * loadProjectConfig (what opening a project uses) reads exactly what loadRuntimeConfig reads, but
 * needs the YAML reader only when there is a file to read.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProjectConfig, loadRuntimeConfig } from '../../runtime/config.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ak-config-model-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

test('without runtime.yaml: the built-in defaults, .env loaded, as loadRuntimeConfig gives', async () => {
  const dir = project({ '.env': 'AK_CM_KEY=from-dotenv\n' });
  const lazyEnv: Record<string, string | undefined> = {};
  const eagerEnv: Record<string, string | undefined> = {};
  expect(await loadProjectConfig(dir, { env: lazyEnv })).toEqual(
    loadRuntimeConfig(dir, { env: eagerEnv }),
  );
  expect(lazyEnv).toEqual({ AK_CM_KEY: 'from-dotenv' });
});

test('with runtime.yaml and a RUNTIME_ENV overlay (named in .env): the same config', async () => {
  const dir = project({
    'runtime.yaml': 'schema_version: v1\ndb_path: ${AK_CM_DB}\nsecrets: [A]\n',
    'runtime.test.yaml': 'secrets: [B]\n',
    '.env': 'RUNTIME_ENV=test\n',
  });
  const config = await loadProjectConfig(dir, { env: { AK_CM_DB: 'x.db' } });
  expect(config).toEqual(loadRuntimeConfig(dir, { env: { AK_CM_DB: 'x.db' } }));
  expect(config.secrets).toEqual(['B']);
  expect(config.dbPath).toBe(path.join(dir, 'x.db'));
});

test('an overlay without a base file is still read', async () => {
  const dir = project({ 'runtime.dev.yaml': 'workflows_dir: flows\n' });
  const config = await loadProjectConfig(dir, { env: { RUNTIME_ENV: 'dev' } });
  expect(config.workflowsDir).toBe(path.join(dir, 'flows'));
});

test('a broken runtime.yaml fails with the same ConfigError', async () => {
  const dir = project({ 'runtime.yaml': 'schema_version: v1\nbogus_key: 1\n' });
  let eager: unknown;
  try {
    loadRuntimeConfig(dir, { env: {} });
  } catch (error) {
    eager = error;
  }
  await expect(loadProjectConfig(dir, { env: {} })).rejects.toThrow((eager as Error).message);
});
