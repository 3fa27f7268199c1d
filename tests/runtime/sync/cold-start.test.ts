/**
 * What keeps the sync bridge's first call cheap (issue 4: "under 50 ms cold"): the worker's
 * engine loads only the run core (heavy packages load when a run needs them), the caller sends
 * workflows it parsed as plain data, and a prewarmed worker still sees the caller's environment.
 * Speed itself is measured in bench/sync-overhead.ts, not asserted here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DefinitionError,
  SyncBridge,
  loadWorkflowFile,
  runWorkflow,
  runWorkflowSync,
  type RunResult,
} from '../../../runtime/index.js';
import { prepareOnCaller } from '../../../runtime/sync/caller-parse.js';
import { distDir } from '../../helpers/paths.js';
import { linearWorkflow, tempProject } from './helpers/project.js';

/** Packages and runtime areas a run of function steps never needs. */
const HEAVY_PACKAGES = ['yaml', 'ajv', 'tsx', 'better-sqlite3'];
const HEAVY_MODULES = [
  'steps/agent-step.js',
  'agents/load.js',
  'agents/run-agent.js',
  'llm/registry.js',
  'tools/builtin/index.js',
  'cli/main.js',
  'replay/index.js',
  'visualize/index.js',
];

/** Every module a compiled module reaches through static imports (dynamic import() excluded). */
function staticGraph(entry: string): { modules: string[]; packages: string[] } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (modules.has(file)) return;
    modules.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(
      /^\s*(?:import|export)\s+(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
    )) {
      const spec = match[1]!;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(spec.split('/')[0]!);
    }
  };
  visit(path.join(distDir, entry));
  return {
    modules: [...modules].map((m) => path.relative(path.join(distDir, 'runtime'), m)),
    packages: [...packages],
  };
}

test('the graph walker sees static imports and not dynamic ones', () => {
  const registry = staticGraph('runtime/steps/registry.js');
  expect(registry.modules).toContain('steps/function-step.js');
  expect(registry.modules).not.toContain('steps/agent-step.js'); // import()ed on the first agent step
  expect(staticGraph('runtime/index.js').packages).toEqual(expect.arrayContaining(['yaml']));
});

test('the sync worker loads only the run core: no yaml, ajv, tsx, SQLite, agents or CLI', () => {
  for (const entry of ['runtime/sync/sync-worker.js', 'runtime/sync/worker-engine.js']) {
    const { modules, packages } = staticGraph(entry);
    expect(packages).toEqual([]);
    expect(modules.filter((m) => HEAVY_MODULES.includes(m))).toEqual([]);
    expect(modules).not.toContain('definition/load.js');
    expect(modules).not.toContain('config.js');
  }
});

test('the async API loads the YAML loader but not ajv, tsx, SQLite or the agent step', () => {
  const { modules, packages } = staticGraph('runtime/api.js');
  expect(packages.filter((p) => HEAVY_PACKAGES.includes(p))).toEqual(['yaml']);
  expect(modules.filter((m) => HEAVY_MODULES.includes(m))).toEqual([]);
});

describe('parsing on the calling thread', () => {
  const project = tempProject('ak-sync-cold-');
  project.write(
    'functions/steps.mjs',
    'export function inc(input) { return { n: input.n + 1 }; }\n',
  );
  const file = project.write(
    'workflows/two.yaml',
    linearWorkflow('two', ['steps.inc', 'steps.inc']),
  );

  test('gives the definition the worker would have parsed, as plain data', async () => {
    const prepared = prepareOnCaller(file, {});
    expect(prepared).not.toBeNull();
    expect(prepared!.projectDir).toBe(project.dir);
    expect(prepared!.config?.projectDir).toBe(project.dir);
    expect(structuredClone(prepared)).toEqual(prepared);
    expect(prepared!.definition).toEqual(await loadWorkflowFile(file, { baseDir: project.dir }));
    const viaAsync: RunResult = await runWorkflow(file, { inputs: { n: 1 } });
    const viaSync = runWorkflowSync(file, { inputs: { n: 1 } });
    expect(viaSync.outputs).toEqual(viaAsync.outputs);
    expect([viaSync.workflowId, viaSync.status]).toEqual([viaAsync.workflowId, 'COMPLETED']);
  });

  test('leaves ids, missing files, broken YAML and agent workflows to the worker', () => {
    expect(prepareOnCaller('two@v1', { projectDir: project.dir })).toBeNull();
    expect(
      prepareOnCaller(
        'schema_version: v1\nworkflow: { id: a, version: v1 }\nsteps:\n  - { id: s, type: agent, agent: helper }\n',
        { projectDir: project.dir },
      ),
    ).toBeNull();
    expect(prepareOnCaller(project.file('workflows/missing.yaml'), {})).toBeNull();
    expect(prepareOnCaller('schema_version: v1\nsteps: [', {})).toBeNull();
  });

  test('a misspelt function in a caller-parsed workflow fails as runWorkflow fails', async () => {
    const broken = project.write(
      'workflows/typo.yaml',
      linearWorkflow('typo', ['steps.inc', 'steps.incc']),
    );
    expect(prepareOnCaller(broken, {})).not.toBeNull(); // the caller cannot know the functions
    const asyncError = await runWorkflow(broken).catch((error: unknown) => error);
    let syncError: unknown;
    try {
      runWorkflowSync(broken);
    } catch (error) {
      syncError = error;
    }
    expect(syncError).toBeInstanceOf(DefinitionError);
    expect((syncError as DefinitionError).diagnostics).toEqual(
      (asyncError as DefinitionError).diagnostics,
    );
    expect((syncError as DefinitionError).diagnostics.map((d) => d.code)).toContain(
      'UNKNOWN_FUNCTION',
    );
  });

  test('a prewarmed worker sees environment variables set after it started', () => {
    project.write(
      'functions/env.mjs',
      'export function read() { return { value: process.env.AK_SYNC_COLD_PROBE ?? null }; }\n',
    );
    const wf = project.write(
      'workflows/env.yaml',
      [
        'schema_version: v1',
        'workflow: { id: env, version: v1 }',
        'steps:',
        '  - { id: read, type: function, function: env.read }',
        '',
      ].join('\n'),
    );
    const bridge = new SyncBridge();
    try {
      bridge.prewarm();
      process.env.AK_SYNC_COLD_PROBE = 'set after prewarm';
      const result = bridge.runWorkflowSync<RunResult>(wf);
      expect(result.outputs).toEqual({ read: { value: 'set after prewarm' } });
    } finally {
      delete process.env.AK_SYNC_COLD_PROBE;
      bridge.close();
    }
  });
});
