/**
 * Function modules are TypeScript loaded through tsx (in a worker: see scenario-protocol.ts). An
 * unchanged module is reused across runs (its module state persists); an edited one is reloaded.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScenarioClient } from './scenario-client.js';

const client = new ScenarioClient();
let project: string;
beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'ak-reload-'));
  mkdirSync(path.join(project, 'functions'));
});
afterAll(async () => {
  await client.close();
  rmSync(project, { recursive: true, force: true });
});

const yaml =
  'schema_version: v1\nworkflow: {id: counter, version: v1}\nsteps:\n  - {id: count, type: function, function: counter.next}\n';
const moduleText = (label: string) =>
  `// A TypeScript module with types and module-level state.\nlet calls: number = 0;\nexport function next(): { label: string; calls: number } {\n  calls += 1;\n  return { label: '${label}', calls };\n}\n`;

it('reuses an unchanged module across runs and reloads it after an edit', async () => {
  writeFileSync(path.join(project, 'functions', 'counter.ts'), moduleText('first'));
  const run = () => client.result({ op: 'run', target: yaml, projectDir: project });
  expect((await run()).outputs.count).toEqual({ label: 'first', calls: 1 });
  expect((await run()).outputs.count).toEqual({ label: 'first', calls: 2 });
  writeFileSync(path.join(project, 'functions', 'counter.ts'), moduleText('second, edited'));
  expect((await run()).outputs.count).toEqual({ label: 'second, edited', calls: 1 });
});
