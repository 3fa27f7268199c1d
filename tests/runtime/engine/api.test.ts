/**
 * The public API in-process, on a scratch project whose functions/tools are JavaScript modules
 * (Jest's sandbox cannot register tsx's hooks; TypeScript modules are covered by tests/runtime/samples).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createRuntime,
  findProjectDir,
  isAgentkernelError,
  isInlineYaml,
  runWorkflow,
  streamWorkflow,
  type RunEvent,
} from '../../../runtime/index.js';

let project: string;
beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'ak-api-'));
  // functions live in a non-default directory named by runtime.yaml
  writeFileSync(
    path.join(project, 'runtime.yaml'),
    'schema_version: v1\nfunctions_dir: lib/functions\n',
  );
  mkdirSync(path.join(project, 'lib', 'functions'), { recursive: true });
  writeFileSync(
    path.join(project, 'lib', 'functions', 'text.mjs'),
    `export function shout(input) { return { text: String(input.text).toUpperCase() }; }
export function nap(input, ctx) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve({ slept: input.ms }), input.ms);
    ctx.signal.addEventListener('abort', () => { clearTimeout(t); reject(new Error('nap aborted')); });
  });
}
`,
  );
  mkdirSync(path.join(project, 'tools'));
  writeFileSync(
    path.join(project, 'tools', 'count.mjs'),
    `export const count = { name: 'tools.count', description: 'length', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }, execute: (i) => ({ length: i.text.length }) };\n`,
  );
  mkdirSync(path.join(project, 'workflows', 'nested'), { recursive: true });
  writeFileSync(
    path.join(project, 'workflows', 'nested', 'shout.yaml'),
    'schema_version: v1\nworkflow: {id: shout, version: v1}\ninputs: {text: {default: hi}}\nsteps:\n  - {id: up, type: function, function: text.shout, inputs: {text: inputs.text}}\n  - {id: len, type: tool, tool: tools.count, inputs: {text: steps.up.text}}\n',
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

const napYaml = (ms: number) =>
  `schema_version: v1\nworkflow: {id: napper, version: v1}\nsteps:\n  - {id: nap, type: function, function: text.nap, inputs: {ms: ${ms}}}\n  - {id: after, type: tool, tool: tools.echo, inputs: {message: woke}}\n`;

describe('runWorkflow', () => {
  it('runs a file, finding the project (runtime.yaml dirs, tools/) from the file location', async () => {
    const file = path.join(project, 'workflows', 'nested', 'shout.yaml');
    expect(findProjectDir(file, '/')).toBe(project);
    const r = await runWorkflow(file);
    expect(r.status).toBe('COMPLETED');
    expect(r.outputs).toEqual({ up: { text: 'HI' }, len: { length: 2 } });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r); // plain JSON-safe data
  });

  it('runs a workflow by id from the project workflows directory', async () => {
    const r = await runWorkflow('shout@v1', { projectDir: project, inputs: { text: 'abc' } });
    expect(r.outputs.len).toEqual({ length: 3 });
  });

  it('detects inline YAML the way the Python runtime does', () => {
    expect(isInlineYaml('schema_version: v1')).toBe(true);
    expect(isInlineYaml('a: 1\nb: 2')).toBe(true);
    expect(isInlineYaml('workflows/x.yaml')).toBe(false);
    expect(isInlineYaml('shout@v1')).toBe(false);
  });

  it('timeoutMs cancels a run that takes too long', async () => {
    const r = await runWorkflow(napYaml(5000), { projectDir: project, timeoutMs: 50 });
    expect(r.status).toBe('CANCELLED');
    expect(r.error?.message).toMatch(/timed out after 50ms/);
  });

  it('a missing file or unknown id is AR-FILE-NOT-FOUND', async () => {
    try {
      await runWorkflow('nope_such_workflow', { projectDir: project });
      throw new Error('expected an error');
    } catch (e) {
      expect(isAgentkernelError(e) && e.code).toBe('AR-FILE-NOT-FOUND');
    }
  });
});

describe('streamWorkflow', () => {
  it('delivers every event to the iterable and to onEvent, in order', async () => {
    const seen: RunEvent[] = [];
    const stream = streamWorkflow(napYaml(5), {
      projectDir: project,
      onEvent: (e) => seen.push(e),
    });
    const iterated: string[] = [];
    for await (const e of stream.events) iterated.push(e.type);
    const result = await stream.result;
    expect(result.status).toBe('COMPLETED');
    expect(iterated).toEqual(seen.map((e) => e.type));
    expect(iterated[0]).toBe('run_start');
    expect(iterated.at(-1)).toBe('run_end');
  });

  it('a run that cannot start rejects the result and ends the iterable', async () => {
    const stream = streamWorkflow('schema_version: v1\n', { projectDir: project });
    const iterated: string[] = [];
    for await (const e of stream.events) iterated.push(e.type);
    expect(iterated).toEqual([]);
    await expect(stream.result).rejects.toMatchObject({ code: 'AR-WORKFLOW-VALIDATION' });
  });
});

describe('createRuntime', () => {
  it('shares one store across run and resume, calls both listeners, and refuses use after close', async () => {
    const builderEvents: string[] = [];
    const runtime = createRuntime({
      projectDir: project,
      onEvent: (e) => builderEvents.push(e.type),
    });
    const controller = new AbortController();
    const callEvents: string[] = [];
    const r = await runtime.run(napYaml(5000), {
      signal: controller.signal,
      onEvent: (e) => {
        callEvents.push(e.type);
        if (e.type === 'step_start' && e.stepId === 'nap') setTimeout(() => controller.abort(), 10);
      },
    });
    expect(r.status).toBe('CANCELLED');
    expect(builderEvents).toEqual(callEvents);
    expect((await runtime.store.getRun(r.runId))?.status).toBe('CANCELLED');
    await runtime.close();
    await expect(runtime.run(napYaml(1))).rejects.toThrow(/closed/);
  });

  it('in-process functions take precedence over project modules', async () => {
    const runtime = createRuntime({
      projectDir: project,
      functions: { 'text.shout': () => ({ text: 'api' }) },
    });
    const r = await runtime.run(path.join(project, 'workflows', 'nested', 'shout.yaml'));
    expect(r.outputs.up).toEqual({ text: 'api' });
    await runtime.close();
  });
});
