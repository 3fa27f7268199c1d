/**
 * The run functions as cells see them (kernel/cells/workflow-api.ts), over the REAL runtime: the
 * live progress display in the calling cell's sink (on by default, `display: false` off), a run
 * left running after its cell keeps updating that cell, and a blocked `runWorkflowSync` renders
 * every step change at once (no timer can fire while the thread waits).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as runtime from '../../../runtime/index.js';
import type { RunEvent, StepFunction } from '../../../runtime/index.js';
import { notebookRunFunctions } from '../../../kernel/cells/workflow-api.js';
import { outputContext } from '../../../kernel/output/sink.js';
import { RecordingSink } from './recording-sink.js';

const api = notebookRunFunctions(runtime);
const projectDir = mkdtempSync(path.join(os.tmpdir(), 'ak-wfapi-'));

const ECHO_TWICE = `schema_version: v1
workflow: {id: echo_twice, version: v1}
steps:
  - {id: first, type: tool, tool: tools.echo, inputs: {message: "one"}}
  - {id: second, type: tool, tool: tools.echo, inputs: {message: "two"}}
`;

const HELD = `schema_version: v1
workflow: {id: held, version: v1}
steps:
  - {id: hold, type: function, function: test.hold}
`;

const texts = (sink: RecordingSink): string[] =>
  sink.displays().map((d) => String(d.data['text/plain']));

test('await runWorkflow in a cell shows one display, updated in place to the final state', async () => {
  const sink = new RecordingSink();
  const own: string[] = [];
  const result = await outputContext.run(sink, () =>
    api.runWorkflow(ECHO_TWICE, { projectDir, onEvent: (e) => own.push(e.type) }),
  );
  expect(result.status).toBe('COMPLETED');
  // The caller's own listener still sees every event.
  expect(own[0]).toBe('run_start');
  expect(own.at(-1)).toBe('run_end');
  const displays = sink.displays();
  expect(displays.length).toBeGreaterThanOrEqual(2);
  const ids = new Set(displays.map((d) => d.options?.displayId));
  expect(ids.size).toBe(1);
  expect(displays[0]!.options?.update).toBeUndefined();
  expect(displays.slice(1).every((d) => d.options?.update === true)).toBe(true);
  expect(texts(sink).at(-1)).toContain('echo_twice@v1 · COMPLETED');
});

test('display: false shows nothing; outside any cell there is nothing to show', async () => {
  const sink = new RecordingSink();
  const quiet = await outputContext.run(sink, () =>
    api.runWorkflow(ECHO_TWICE, { projectDir, display: false }),
  );
  expect(quiet.status).toBe('COMPLETED');
  expect(sink.events).toEqual([]);
  expect((await api.runWorkflow(ECHO_TWICE, { projectDir })).status).toBe('COMPLETED');
});

test('a run started without await keeps updating the cell that started it', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const hold: StepFunction = async () => {
    await held;
    return { released: true };
  };
  const first = new RecordingSink();
  const second = new RecordingSink();
  // Cell 1 starts the run and ends without awaiting it.
  const running = outputContext.run(first, () =>
    api.runWorkflow(HELD, { projectDir, functions: { 'test.hold': hold } }),
  );
  expect(first.displays()).toHaveLength(1); // shown at the call, before the cell ends
  // Cell 2 runs meanwhile; then the run finishes.
  outputContext.run(second, () => second.stream('stdout', 'cell 2\n'));
  release();
  const result = await running;
  expect(result.status).toBe('COMPLETED');
  expect(texts(first).at(-1)).toContain('held@v1 · COMPLETED');
  expect(second.displays()).toEqual([]);
});

test('runWorkflowSync renders each step change while the caller is blocked', () => {
  const sink = new RecordingSink();
  const seenAtStepStart: string[] = [];
  const onEvent = (e: RunEvent): void => {
    // The view runs first: by now the display must already show this step running.
    if (e.type === 'step_start') seenAtStepStart.push(`${e.stepId}:${texts(sink).at(-1) ?? ''}`);
  };
  const result = outputContext.run(sink, () =>
    api.runWorkflowSync(ECHO_TWICE, { projectDir, onEvent }),
  );
  expect(result.status).toBe('COMPLETED');
  expect(seenAtStepStart).toHaveLength(2);
  expect(seenAtStepStart[0]).toMatch(/^first:[\s\S]*first +tool +RUNNING/);
  expect(seenAtStepStart[1]).toMatch(/^second:[\s\S]*second +tool +RUNNING/);
  expect(texts(sink).at(-1)).toContain('echo_twice@v1 · COMPLETED');
}, 60_000);

test("an awaited run stops with its cell: without a signal of its own it uses the cell's", async () => {
  const cell = new AbortController();
  const sink = Object.assign(new RecordingSink(), { signal: cell.signal });
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const hold: StepFunction = (_input, ctx) =>
    new Promise((_resolve, reject) => {
      started();
      ctx.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true });
    });
  const run = outputContext.run(sink, () =>
    api.runWorkflow(HELD, { projectDir, functions: { 'test.hold': hold } }),
  );
  await running;
  cell.abort(new Error('interrupted'));
  const result = await run;
  expect(result.status).toBe('CANCELLED');
  expect(texts(sink).at(-1)).toContain('held@v1 · CANCELLED');
});
