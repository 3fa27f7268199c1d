/**
 * Replay, inspect and visualize on runs recorded by the real executor (runWorkflow / resumeRun)
 * into real SQLite files: the sample workflows, a failed-then-resumed run, and a run whose
 * functions and tools would throw if replay ever called them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { resumeRun, runWorkflow } from '../../../runtime/api.js';
import type { CliIO } from '../../../runtime/cli/command.js';
import { storeCommands } from '../../../runtime/cli/store-commands.js';
import type { JsonObject } from '../../../runtime/json.js';
import { replayRun } from '../../../runtime/replay/replay.js';
import { SqliteRunStore } from '../../../runtime/store/sqlite-store.js';
import type { Tool } from '../../../runtime/tools/tool.js';
import {
  loadRunViewInput,
  renderAscii,
  renderHtml,
  type RunViewInput,
} from '../../../runtime/visualize/index.js';
import { recordInChild } from './helpers/record-in-child.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-real-runs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newDb = () => path.join(dir, `runs-${n++}.db`);

async function cli(
  args: string[],
  db: string,
): Promise<{ code: number; out: string; err: string }> {
  const [name, ...rest] = args;
  const command = storeCommands.find((c) => c.name === name);
  if (!command) throw new Error(`no command ${name}`);
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: dir, env: {} };
  const code = await command.run([...rest, '--db', db], io);
  return { code, out, err };
}

describe('sample workflows recorded in SQLite', () => {
  const samples = [
    'workflows/branching_triage.yaml',
    'workflows/samples/01_linear_issue_summary.yaml',
    'workflows/samples/02_retry_and_backoff.yaml',
    'workflows/samples/03_branching_triage.yaml',
  ];
  for (const sample of samples) {
    it(`${sample}: replay --verify-state rebuilds the outputs; inspect and visualize render it`, async () => {
      const db = newDb();
      const result = await recordInChild(sample, db);
      expect(result.status).toMatch(/^COMPLETED/);
      const store = new SqliteRunStore(db);
      const replayed = await replayRun(store, result.runId, { verifyState: true });
      expect(replayed.verified).toBe(true);
      expect(replayed.finalState['steps']).toEqual(result.outputs);
      expect(
        replayed.steps.map((s) => s.status).every((s) => s === 'COMPLETED' || s === 'DEGRADED'),
      ).toBe(true);
      await store.close();

      const inspect = await cli(['inspect', result.runId], db);
      expect(inspect.out).toContain(
        `Run ${result.runId} | workflow=${replayed.run.workflowId}@${replayed.run.workflowVersion} | status=${result.status}`,
      );
      const replay = await cli(['replay', 'latest', '--verify-state'], db);
      expect(replay.code).toBe(0);
      expect(replay.out).toContain('state chain verified');
      const viz = await cli(['visualize', result.runId, '--ascii'], db);
      expect(viz.out).toContain('Execution Graph');
    });
  }

  it('branching_triage: the branch not taken is SKIPPED and the decision is re-evaluated', async () => {
    const db = newDb();
    const result = await recordInChild('workflows/branching_triage.yaml', db, {
      issue: 'Search is a bit slow today',
    });
    const viz = await cli(['visualize', result.runId, '--ascii'], db);
    expect(viz.out).toContain('handle_critical SKIPPED');
    expect(viz.out).toContain(
      'when=state.steps.classify.severity == "critical" goto=handle_critical result=false',
    );
    expect(viz.out).toContain("when='default' goto=handle_normal (selected)");
  });
});

describe('replay never executes anything', () => {
  // Every function and tool here throws once `armed` is set.
  let armed = false;
  let calls = 0;
  const guarded = (name: string) => (input: Record<string, unknown>) => {
    if (armed) throw new Error(`${name} was called during replay`);
    calls++;
    return { from: name, seen: Object.keys(input).length };
  };
  const guardedTool: Tool = {
    name: 'tools.guarded',
    description: 'throws when armed',
    inputSchema: { type: 'object' },
    execute(input: JsonObject) {
      if (armed) throw new Error('tools.guarded was called during replay');
      calls++;
      return { echoed: input };
    },
  };
  const yaml = `schema_version: v1
workflow: { id: guarded, version: v1 }
inputs:
  topic: { default: replay }
steps:
  - id: first
    type: function
    function: guard.first
    inputs: { topic: inputs.topic }
  - id: second
    type: function
    function: guard.second
    inputs: { prev: steps.first.from }
  - id: third
    type: tool
    tool: tools.guarded
    inputs: { value: steps.second.from }
`;
  const options = {
    functions: { 'guard.first': guarded('guard.first'), 'guard.second': guarded('guard.second') },
    tools: [guardedTool],
    cwd: dir,
  };

  it('replays, inspects and visualizes a run whose functions and tools now throw', async () => {
    const db = newDb();
    const store = new SqliteRunStore(db);
    const result = await runWorkflow(yaml, { ...options, store });
    expect(result.status).toBe('COMPLETED');
    expect(calls).toBe(3);

    armed = true;
    const replayed = await replayRun(store, result.runId, { verifyState: true });
    expect(replayed.finalState['steps']).toEqual(result.outputs);
    const input = (await loadRunViewInput(store, result.runId)) as RunViewInput;
    expect(renderAscii(input)).toContain('third OK');
    expect(renderHtml(input)).toContain('guard.second');
    await store.close();
    for (const args of [
      ['replay', result.runId, '--verify-state'],
      ['inspect', result.runId, '--steps'],
      ['visualize', result.runId, '--html', path.join(dir, 'g.html')],
    ]) {
      expect((await cli(args, db)).code).toBe(0);
    }
    expect(calls).toBe(3);

    // The guards are live: a real run now fails on the first one.
    const store2 = new SqliteRunStore(newDb());
    const rerun = await runWorkflow(yaml, { ...options, store: store2 });
    expect(rerun.status).toBe('FAILED');
    expect(rerun.error?.message ?? JSON.stringify(rerun.steps)).toContain(
      'was called during replay',
    );
    await store2.close();
    armed = false;
  });
});

describe('failed and resumed runs', () => {
  it('replays a run that failed twice and was resumed twice', async () => {
    const failing = new Set(['b', 'c']);
    const step = (id: string) => () => {
      if (failing.has(id)) throw new Error(`${id} is broken`);
      return { done: id };
    };
    const yaml = `schema_version: v1
workflow: { id: twice, version: v1 }
steps:
  - { id: a, type: function, function: t.a }
  - { id: b, type: function, function: t.b }
  - { id: c, type: function, function: t.c }
  - { id: d, type: function, function: t.d }
`;
    const options = {
      functions: { 't.a': step('a'), 't.b': step('b'), 't.c': step('c'), 't.d': step('d') },
      cwd: dir,
    };
    const db = newDb();
    const store = new SqliteRunStore(db);
    const first = await runWorkflow(yaml, { ...options, store });
    expect(first.status).toBe('FAILED');
    const inspectFailed = await cli(['inspect', first.runId], db);
    expect(inspectFailed.out).toContain('Resume point: step b');

    failing.delete('b');
    const second = await resumeRun(first.runId, { ...options, store });
    expect(second.status).toBe('FAILED');
    expect((await cli(['inspect', first.runId], db)).out).toContain('Resume point: step c');

    failing.delete('c');
    const third = await resumeRun(first.runId, { ...options, store });
    expect(third.status).toBe('COMPLETED');

    const replayed = await replayRun(store, first.runId, { verifyState: true });
    expect(replayed.steps.map((s) => `${s.stepId}:${s.status}`)).toEqual([
      'a:COMPLETED',
      'b:FAILED',
      'b:COMPLETED',
      'c:FAILED',
      'c:COMPLETED',
      'd:COMPLETED',
    ]);
    expect(replayed.finalState['steps']).toEqual(third.outputs);
    await store.close();

    const diff = await cli(['state-diff', first.runId, 'c'], db);
    expect(diff.out).toContain('+ steps.c = {"done":"c"}');
    const inspect = await cli(['inspect', first.runId], db);
    expect(inspect.out).toContain('Resumed: 2 times');
    expect(inspect.out).not.toContain('Resume point');
  });
});
