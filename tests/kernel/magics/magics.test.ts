/**
 * The magics end to end against the real runtime: workflows from the notebooks' own project in a
 * scratch directory, a real SQLite run store, a recording OutputSink.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../../runtime/index.js';
import type { ExecuteOutcome } from '../../../kernel/cells/types.js';
import { tryRunMagic } from '../../../kernel/magics/index.js';
import { StoreCache } from '../../../kernel/magics/stores.js';
import { cellVariables } from '../../../kernel/magics/variables.js';
import { StdinNotAllowedError } from '../../../kernel/output/execute-sink.js';
import { RecordingSink } from '../cells/recording-sink.js';
import { MapVariables, copyNotebookProject } from './project.js';

let project: ReturnType<typeof copyNotebookProject>;
let stores: StoreCache;
let variables: MapVariables;

beforeEach(() => {
  project = copyNotebookProject();
  stores = new StoreCache();
  variables = new MapVariables();
});

afterEach(async () => {
  await stores.closeAll();
  project.remove();
});

async function run(
  code: string,
  options: { sink?: RecordingSink; signal?: AbortSignal } = {},
): Promise<ExecuteOutcome> {
  const outcome = await tryRunMagic(code, {
    signal: options.signal ?? new AbortController().signal,
    sink: options.sink ?? new RecordingSink(),
    cwd: project.dir,
    variables,
    stores,
  });
  if (outcome === null) throw new Error(`not a magic: ${code}`);
  return outcome;
}

function plain(outcome: ExecuteOutcome): string {
  if (outcome.status !== 'ok')
    throw new Error(`expected ok, got ${outcome.ename}: ${outcome.evalue}`);
  return String(outcome.result?.data['text/plain']);
}

function failed(outcome: ExecuteOutcome): Extract<ExecuteOutcome, { status: 'error' }> {
  if (outcome.status !== 'error')
    throw new Error(`expected an error, got ${JSON.stringify(outcome)}`);
  return outcome;
}

test('plain TypeScript is not a magic', async () => {
  expect(
    await tryRunMagic('1 + 1', { signal: new AbortController().signal, sink: new RecordingSink() }),
  ).toBeNull();
});

test('%workflow runs a file with -i and -o, showing one progress display updated in place', async () => {
  const sink = new RecordingSink();
  const outcome = await run(
    '%workflow workflows/summarize.yaml -i issue="Search  is   broken" -o summary',
    { sink },
  );
  const text = plain(outcome);
  expect(text).toMatch(/summarize@v1 · COMPLETED/);
  expect(text).toContain('Issue: Search is broken');
  const displays = sink.displays();
  expect(displays.length).toBeGreaterThanOrEqual(2);
  const ids = new Set(displays.map((d) => d.options?.displayId));
  expect(ids.size).toBe(1);
  expect(displays[0]!.options?.update).toBeUndefined();
  expect(displays.slice(1).every((d) => d.options?.update === true)).toBe(true);
  const last = displays.at(-1)!.data['text/plain'] as string;
  expect(last).toMatch(/✓ normalize +function +COMPLETED +1\/1/);
  expect(last).toContain('✓ echo');
  const result = variables.values.get('summary') as RunResult;
  expect(result.status).toBe('COMPLETED');
  expect(result.outputs['summarize']).toEqual({ summary: 'Issue: Search is broken' });
  expect(existsSync(path.join(project.dir, 'runtime.db'))).toBe(true);
});

test('%workflow by id takes inputs from variables (--inputs-from, -i key=$var)', async () => {
  variables.set('ticket', { issue: 'Checkout is slow' });
  variables.set('alert', { text: 'Database is down' });
  const normal = plain(await run('%workflow triage --inputs-from ticket'));
  expect(normal).toContain('ticket opened for: Checkout is slow');
  const critical = plain(
    await run('%workflow triage@v1 --inputs-from ticket -i issue=$alert.text'),
  );
  expect(critical).toContain('paged on-call about: Database is down');
  expect(critical).not.toContain('ticket:');
  const literal = plain(
    await run('%workflow triage -i issue=$$5 outage'.replace('$$5 outage', "'$$5 outage'")),
  );
  expect(literal).toContain('paged on-call about: $5 outage');
});

test('%%workflow runs the YAML in the cell, completed with schema_version and --name', async () => {
  const body = [
    'inputs:',
    '  who: {default: notebook}',
    'steps:',
    '  - id: greet',
    '    type: tool',
    '    tool: tools.echo',
    '    inputs: {message: inputs.who}',
  ].join('\n');
  const text = plain(await run(`%%workflow --name hello -o r\n${body}`));
  expect(text).toMatch(/hello@v1 · COMPLETED/);
  expect((variables.values.get('r') as RunResult).outputs['greet']).toEqual({
    message: 'notebook',
  });
});

test('a broken %%workflow reports AR-WORKFLOW-VALIDATION at the line of the cell', async () => {
  const body = [
    'steps:',
    '  - id: greet',
    '    type: tool',
    '    tool: tools.echo',
    '    next: [{default: nowhere}]',
  ].join('\n');
  const error = failed(await run(`%%workflow\n${body}`));
  expect(error.ename).toBe('AR-WORKFLOW-VALIDATION');
  expect(error.evalue).toMatch(/nowhere/);
  expect(error.evalue).toMatch(/:6:\d+/); // line 1 is %%workflow itself
});

test('a failed run ends the cell with its code, step and resume line; %resume finishes it', async () => {
  const error = failed(await run('%workflow workflows/release.yaml -o rel'));
  const runId = (variables.values.get('rel') as RunResult).runId;
  expect(error.ename).toBe('AR-STEP-EXECUTION');
  expect(error.evalue).toContain("at step 'publish'");
  expect(error.evalue).toContain(`%resume ${runId}`);
  expect(error.traceback.join('\n')).toContain(`Resume with: %resume ${runId}`);

  writeFileSync(path.join(project.dir, 'approved.flag'), 'ok');
  const previousCwd = process.cwd();
  process.chdir(project.dir); // the function resolves the flag file from the working directory
  try {
    const sink = new RecordingSink();
    const text = plain(await run(`%resume ${runId.slice(0, 8)} -o done`, { sink }));
    expect(text).toMatch(/release@v1 · COMPLETED/);
    expect(text).toContain('release notes for v1.2.0');
    const resumed = variables.values.get('done') as RunResult;
    expect(resumed.steps.filter((s) => s.stepId === 'draft')).toHaveLength(1);
    const table = String(sink.displays().at(-1)!.data['text/plain']);
    expect(table).toContain('(resumed)');
    expect(table).toMatch(/✓ draft +function +COMPLETED \(earlier\)/);
    expect(table).toMatch(/✓ publish +function +COMPLETED +1\/1/);
  } finally {
    process.chdir(previousCwd);
  }

  const runs = plain(await run('%runs'));
  expect(runs).toContain(runId);
  expect(runs).toMatch(/release@v1 +COMPLETED/);
  const replay = plain(await run('%replay latest'));
  expect(replay).toContain('[0] draft (function) status=COMPLETED');
  expect(replay).toContain('publish (function) status=FAILED');
  expect(replay).toMatch(/Replayed 4 step executions/);
  const inspect = await run(`%inspect ${runId}`);
  if (inspect.status !== 'ok') throw new Error('inspect failed');
  const html = String(inspect.result?.data['text/html']);
  expect(html.startsWith('<div class="agentkernel-inspect">')).toBe(true);
  expect(html).not.toMatch(/<body|<html|^\s*body\{/m);
  expect(html).toContain('.agentkernel-inspect table{');
  expect(String(inspect.result?.data['text/plain'])).toContain('publish');
});

test('interrupt cancels the run: CANCELLED, resumable, the cell says how to resume', async () => {
  const controller = new AbortController();
  // Abort once the progress view shows the long step running: driven by events, not time.
  const sink = new (class extends RecordingSink {
    override display(
      data: Record<string, unknown>,
      options?: { displayId?: string; update?: boolean },
    ): void {
      super.display(data, options);
      if (/… nap +function +RUNNING/.test(String(data['text/plain'])))
        controller.abort(new Error('interrupted by test'));
    }
  })();
  const body = [
    'steps:',
    '  - id: nap',
    '    type: function',
    '    function: quickstart.wait',
    '    inputs: {ms: 600000}',
  ].join('\n');
  const error = failed(
    await run(`%%workflow --name sleepy -o s\n${body}`, { sink, signal: controller.signal }),
  );
  const result = variables.values.get('s') as RunResult;
  expect(result.status).toBe('CANCELLED');
  expect(error.ename).toBe('AR-CANCELLED');
  expect(error.evalue).toContain(`%resume ${result.runId}`);
  expect(plain(await run('%runs --status cancelled'))).toContain(result.runId);
});

test('usage mistakes, unknown magics, help and %lsmagic', async () => {
  expect(failed(await run('%workflow workflows/summarize.yaml --bogus')).ename).toBe(
    'AK-MAGIC-USAGE',
  );
  expect(failed(await run('%workflow')).evalue).toMatch(/Which workflow\?/);
  expect(failed(await run('%workflow triage --inputs-from nothing')).evalue).toMatch(
    /'nothing' is not defined/,
  );
  expect(failed(await run('%workflow triage -i novalue')).evalue).toMatch(/key=value/);
  expect(failed(await run('%nosuchmagic')).evalue).toMatch(/Unknown magic %nosuchmagic/);
  expect(failed(await run('%%runs')).evalue).toMatch(/exists as %runs/);
  expect(failed(await run('%resume missing-run')).ename).toBe('AR-STORAGE'); // no store yet
  expect(plain(await run('%workflow?'))).toMatch(/--inputs-from/);
  expect(plain(await run('%lsmagic'))).toMatch(/%%workflow/);
  plain(await run('%workflow triage'));
  expect(failed(await run('%resume not-a-run')).ename).toBe('AR-RUN-NOT-FOUND');
});

test("the kernel variable scope reads and writes the cells' global object", () => {
  cellVariables.set('akMagicTestValue', { nested: { n: 3 } });
  expect(cellVariables.get('akMagicTestValue.nested.n')).toBe(3);
  expect(() => cellVariables.get('no_such_variable_here')).toThrow(/not defined/);
  expect(() => cellVariables.get('a; process.exit()')).toThrow(/not a variable name/);
  expect(() => cellVariables.set('1x', 1)).toThrow(/not a valid variable name/);
});

test('an agent step streams its tokens into the live view (scripted provider, tool call)', async () => {
  const sink = new RecordingSink();
  const text = plain(await run('%workflow assist -o assist', { sink }));
  expect(text).toContain('"recommendation":"Page the checkout owner now');
  const last = String(sink.displays().at(-1)!.data['text/plain']);
  expect(last).toMatch(/✓ advise +agent +COMPLETED/);
  expect(last).toContain('roll back the last checkout deploy if the gateway is healthy.');
  const advise = (variables.values.get('assist') as RunResult).steps.find(
    (s) => s.stepId === 'advise',
  )!;
  expect(JSON.stringify(advise.metadata)).toContain('"tool":"tools.runbook"');
});

describe('input steps ask the notebook user (human in the loop)', () => {
  const approval = (extra = '') =>
    [
      '%%workflow --name approval -o a',
      'inputs: {release: {default: "2.0"}}',
      'steps:',
      '  - id: ask',
      '    type: input',
      `    prompt: "Ship release {{ inputs.release }}?"${extra}`,
      '  - {id: record, type: tool, tool: tools.echo, inputs: {message: steps.ask.value}}',
    ].join('\n');

  /** A sink whose frontend answers input requests (a notebook with allow_stdin). */
  class AnsweringSink extends RecordingSink {
    readonly prompts: string[] = [];
    constructor(private readonly answer: string) {
      super();
    }
    // RecordingSink declares input() without parameters; the sink contract passes the prompt.
    override input(...args: unknown[]): Promise<string> {
      this.prompts.push(String(args[0]));
      return Promise.resolve(this.answer);
    }
  }

  /** A sink of a request with allow_stdin=false (nbconvert). */
  class BatchSink extends RecordingSink {
    override input(): Promise<string> {
      return Promise.reject(new StdinNotAllowedError());
    }
  }

  test('the answer comes from input_request and is recorded as the step output', async () => {
    const sink = new AnsweringSink('yes, ship it');
    expect(plain(await run(approval(), { sink }))).toContain('"message":"yes, ship it"');
    expect(sink.prompts).toEqual(['Ship release 2.0? ']);
    const result = variables.values.get('a') as RunResult;
    expect(result.outputs['ask']).toEqual({ value: 'yes, ship it' });
  });

  test('an empty answer takes the default; batch runs take it without asking', async () => {
    const sink = new AnsweringSink('');
    expect(plain(await run(approval('\n    default: "no"'), { sink }))).toContain('"message":"no"');
    expect(sink.prompts).toEqual(['Ship release 2.0? [no] ']);
    expect(plain(await run(approval('\n    default: "no"'), { sink: new BatchSink() }))).toContain(
      '"message":"no"',
    );
  });

  test('batch without a default fails with AR-INPUT-REQUIRED; an interactive %resume asks and finishes', async () => {
    const error = failed(await run(approval(), { sink: new BatchSink() }));
    expect(error.ename).toBe('AR-INPUT-REQUIRED');
    expect(error.evalue).toContain("at step 'ask'");
    const runId = (variables.values.get('a') as RunResult).runId;
    const sink = new AnsweringSink('approved later');
    expect(plain(await run(`%resume ${runId}`, { sink }))).toContain('"message":"approved later"');
    expect(sink.prompts).toHaveLength(1);
    // Replay reads the recorded answer: nobody is asked again.
    const replaySink = new AnsweringSink('never used');
    expect(plain(await run(`%replay ${runId}`, { sink: replaySink }))).toContain(
      '[1] ask (input) status=COMPLETED',
    );
    expect(replaySink.prompts).toEqual([]);
  });
});
