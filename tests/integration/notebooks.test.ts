/**
 * The notebooks run for real: the installed kernel under `jupyter nbconvert --to notebook
 * --execute` (Debian's /usr/bin/python3), on a scratch copy of notebooks/ so runtime.db and flag
 * files never land in the repository. Checks what a reader of the executed notebook sees.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import {
  executeNotebook,
  installKernelIntoTempPrefix,
  runPythonSuite,
  type KernelEnv,
} from './python-suite.js';

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: { tags?: string[] };
  outputs?: Output[];
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name: string; display_name: string } };
}

const joined = (v: string | string[] | undefined): string =>
  Array.isArray(v) ? v.join('') : (v ?? '');

let kernel: KernelEnv;
beforeAll(() => {
  kernel = installKernelIntoTempPrefix();
});

/** A scratch copy of the notebooks' project, holding `notebook` under `name`. */
function scratchProject(name: string, notebook?: Notebook): string {
  const dir = path.join(kernel.dir, `project-${name}`);
  mkdirSync(dir, { recursive: true });
  // Everything but what an earlier execution left behind (run store, flag files).
  cpSync(path.join(repoRoot, 'notebooks'), dir, {
    recursive: true,
    filter: (src) => !/(runtime\.db[^/]*|\.flag)$/.test(src),
  });
  if (notebook) writeFileSync(path.join(dir, `${name}.ipynb`), JSON.stringify(notebook));
  return dir;
}

function nbconvert(dir: string, file: string, extra: string[] = []) {
  const r = executeNotebook(kernel, dir, file, { extra });
  return { status: r.status, stderr: r.stderr, notebook: r.notebook as Notebook | undefined };
}

function cellWith(nb: Notebook, source: string): Cell {
  const cell = nb.cells.find((c) => c.cell_type === 'code' && joined(c.source).startsWith(source));
  if (!cell) throw new Error(`no cell starting with ${source}`);
  return cell;
}

function plainOf(cell: Cell, type: string): string {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type === type)
    .map((o) => joined(o.data?.['text/plain']))
    .join('\n');
}

test('notebooks/quickstart.ipynb executes: live tables, branching, failure and resume, replay, inspect, agent, input step, sync API', () => {
  const dir = scratchProject('quickstart');
  const r = nbconvert(dir, 'quickstart.ipynb');
  if (!r.notebook) throw new Error(`nbconvert failed (${r.status}):\n${r.stderr}`);
  const nb = r.notebook;
  expect(nb.metadata.kernelspec).toMatchObject({
    name: 'agentkernel',
    display_name: 'TypeScript (agentkernel)',
  });

  // Exactly one error output: the cell tagged raises-exception, with the code, step and resume line.
  const errors = nb.cells.flatMap((c) =>
    (c.outputs ?? []).filter((o) => o.output_type === 'error').map((o) => ({ o, c })),
  );
  expect(errors).toHaveLength(1);
  const { o: failure, c: failedCell } = errors[0]!;
  expect(failedCell.metadata.tags).toContain('raises-exception');
  expect(failure.ename).toBe('AR-STEP-EXECUTION');
  expect(failure.evalue).toMatch(/FAILED at step 'publish'.*%resume [0-9a-f-]{36}/);

  // The live view: one display per run, its final state a step table.
  const linear = cellWith(nb, '%workflow workflows/summarize.yaml');
  const progress = plainOf(linear, 'display_data');
  expect(progress).toMatch(/summarize@v1 · COMPLETED/);
  expect(progress).toMatch(/✓ normalize +function +COMPLETED +1\/1/);
  expect(progress).toContain('summarizing 7 words');
  expect(
    (linear.outputs ?? []).find((o) => o.output_type === 'display_data')!.data!['text/html'],
  ).toBeDefined();
  expect(plainOf(linear, 'execute_result')).toContain(
    'Issue: Login API fails for an expired token',
  );
  // -o made a variable a later TypeScript cell reads.
  expect(plainOf(cellWith(nb, 'summary.status'), 'execute_result')).toContain(
    'COMPLETED: {"summary"',
  );

  expect(
    plainOf(cellWith(nb, '%workflow triage --inputs-from ticket'), 'execute_result'),
  ).toContain('paged on-call');
  expect(
    plainOf(cellWith(nb, '%workflow triage -i issue=$report.text'), 'execute_result'),
  ).toContain('ticket opened for: Search results');
  expect(plainOf(cellWith(nb, '%%workflow --name greet'), 'execute_result')).toMatch(
    /greet@v1 · COMPLETED/,
  );

  const resumed = cellWith(nb, '%resume latest');
  expect(plainOf(resumed, 'display_data')).toMatch(/release@v1 · COMPLETED \(resumed\)/);
  // The earlier session's steps are shown for context; draft is not run again.
  expect(plainOf(resumed, 'display_data')).toMatch(/✓ draft +function +COMPLETED \(earlier\)/);
  expect(plainOf(resumed, 'display_data')).toMatch(/✗ publish +function +FAILED \(earlier\)/);
  expect(plainOf(resumed, 'display_data').match(/draft/g)).toHaveLength(1);
  expect(plainOf(cellWith(nb, '%runs'), 'execute_result')).toMatch(/release@v1 +COMPLETED/);
  expect(plainOf(cellWith(nb, '%replay latest'), 'execute_result')).toMatch(
    /Replayed 4 step executions/,
  );
  const inspect = (cellWith(nb, '%inspect latest').outputs ?? [])[0]!;
  expect(joined(inspect.data?.['text/html'])).toContain('class="agentkernel-inspect"');

  // The agent streams its text into the table and calls its tool through the scripted provider.
  const agent = cellWith(nb, '%workflow assist');
  expect(plainOf(agent, 'display_data')).toMatch(/✓ advise +agent +COMPLETED/);
  expect(plainOf(agent, 'display_data')).toContain('> …');
  expect(plainOf(agent, 'execute_result')).toContain(
    '"recommendation":"Page the checkout owner now',
  );
  expect(plainOf(cellWith(nb, '// What the agent did'), 'execute_result')).toContain(
    'tools.runbook({"service":"checkout"})',
  );

  // Human in the loop: nobody can answer under nbconvert, so the input step takes its default.
  expect(plainOf(cellWith(nb, '%%workflow --name approval'), 'execute_result')).toContain(
    'decision: {"message":"yes"}',
  );

  const sync = cellWith(nb, 'import { runWorkflowSync');
  expect((sync.outputs ?? []).map((o) => joined(o.text)).join('')).toContain(
    "COMPLETED { summary: 'Issue: Exports time out",
  );
}, 150_000);

test('a failed %workflow stops nbconvert unless --allow-errors is given', () => {
  const notebook: Notebook = {
    cells: [
      { cell_type: 'code', source: '%workflow release', metadata: {}, outputs: [] },
      { cell_type: 'code', source: '"after"', metadata: {}, outputs: [] },
    ],
    metadata: { kernelspec: { name: 'agentkernel', display_name: 'TypeScript (agentkernel)' } },
  };
  Object.assign(notebook, { nbformat: 4, nbformat_minor: 5 });
  for (const cell of notebook.cells) Object.assign(cell, { execution_count: null });
  const dir = scratchProject('failing', notebook);
  const stopped = nbconvert(dir, 'failing.ipynb');
  expect(stopped.status).not.toBe(0);
  expect(stopped.stderr).toContain('AR-STEP-EXECUTION');
  expect(stopped.stderr).toContain('%resume');

  const allowed = nbconvert(dir, 'failing.ipynb', ['--allow-errors']);
  if (!allowed.notebook) throw new Error(allowed.stderr);
  expect(plainOf(allowed.notebook.cells[1]!, 'execute_result')).toBe("'after'");
}, 150_000);

test('magics in a live kernel (tests/integration/test_notebook_magics.py): display updates, interrupts, input_request, completion', async () => {
  const dir = scratchProject('live');
  const result = await runPythonSuite(
    'test_notebook_magics.py',
    { dir: kernel.dir, env: { ...kernel.env, AK_PROJECT: dir } },
    ['-v'],
  );
  if (result.exitCode !== 0) throw new Error(`${result.summary}\n${result.output}`);
  expect(result.ran).toBe(5);
}, 180_000);

// ---- The feature notebooks (one per major feature; added by I) ----

/** Executes notebooks/<name>.ipynb on a scratch copy and returns the executed notebook. */
function executeFeatureNotebook(name: string): Notebook {
  const r = nbconvert(scratchProject(name), `${name}.ipynb`);
  if (!r.notebook) throw new Error(`nbconvert ${name}.ipynb failed (${r.status}):\n${r.stderr}`);
  expect(r.notebook.metadata.kernelspec).toMatchObject({ name: 'agentkernel' });
  return r.notebook;
}

/** Every error output with its cell: a feature notebook may only fail where it is tagged to. */
function errorOutputs(nb: Notebook): { output: Output; cell: Cell }[] {
  return nb.cells.flatMap((cell) =>
    (cell.outputs ?? [])
      .filter((o) => o.output_type === 'error')
      .map((output) => ({ output, cell })),
  );
}

function streamOf(cell: Cell): string {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type === 'stream')
    .map((o) => joined(o.text))
    .join('');
}

test('notebooks/durable-runs.ipynb: retries, a failure, resume, replay, inspect, the store API', () => {
  const nb = executeFeatureNotebook('durable-runs');
  const errors = errorOutputs(nb);
  expect(errors).toHaveLength(1);
  expect(errors[0]!.cell.metadata.tags).toContain('raises-exception');
  expect(errors[0]!.output.ename).toBe('AR-STEP-EXECUTION');
  expect(errors[0]!.output.evalue).toMatch(
    /FAILED at step 'publish': not approved yet: create durable\.flag.*%resume [0-9a-f-]{36}/,
  );

  const retried = cellWith(nb, '%%workflow --name status-check');
  expect(plainOf(retried, 'display_data')).toMatch(/status-check@v1 · COMPLETED/);
  expect(plainOf(retried, 'display_data')).toMatch(/✓ fetch +function +COMPLETED +3\/3/);
  expect(plainOf(cellWith(nb, '`${check.status}'), 'execute_result')).toBe(
    "'COMPLETED after 3 attempts: status page for checkout'",
  );
  expect(plainOf(cellWith(nb, '%runs --status FAILED'), 'execute_result')).toMatch(
    /release@v1 +FAILED/,
  );
  const resumed = plainOf(cellWith(nb, '%resume latest'), 'display_data');
  expect(resumed).toMatch(/release@v1 · COMPLETED \(resumed\)/);
  expect(resumed).toMatch(/✓ draft +function +COMPLETED \(earlier\)/);
  expect(resumed).toMatch(/✓ announce +tool +COMPLETED/);
  expect(plainOf(cellWith(nb, '%replay latest'), 'execute_result')).toMatch(
    /Replayed 4 step executions of run [0-9a-f-]{36}; run status COMPLETED/,
  );
  const inspect = (cellWith(nb, '%inspect latest').outputs ?? [])[0]!;
  expect(joined(inspect.data?.['text/html'])).toContain('class="agentkernel-inspect"');
  expect(plainOf(cellWith(nb, 'import { SqliteRunStore }'), 'execute_result')).toBe(
    "'release COMPLETED, resumed 1x: draft=COMPLETED publish=FAILED publish=COMPLETED announce=COMPLETED'",
  );
}, 120_000);

test('notebooks/agents.ipynb: a scripted agent calls its tool, streams tokens, and replays offline', () => {
  const nb = executeFeatureNotebook('agents');
  expect(errorOutputs(nb)).toHaveLength(0);
  const run = cellWith(nb, '%workflow assist');
  expect(plainOf(run, 'display_data')).toMatch(/assist@v1 · COMPLETED/);
  expect(plainOf(run, 'display_data')).toMatch(/✓ advise +agent +COMPLETED/);
  expect(plainOf(run, 'display_data')).toContain('> …');
  expect(plainOf(cellWith(nb, 'advice.outputs.advise'), 'execute_result')).toContain(
    "recommendation: 'Page the checkout owner now",
  );
  expect(plainOf(cellWith(nb, 'const advise'), 'execute_result')).toContain(
    'tools.runbook({"service":"checkout"}) -> {"service":"checkout","steps":"Check the payment gateway',
  );
  const streamed = streamOf(cellWith(nb, 'import { streamWorkflow }'));
  expect(streamed).toMatch(/^COMPLETED; events: .*llm_token/m);
  expect(streamed).toContain(
    'streamed text: Let me look up the checkout runbook. Page the checkout owner now',
  );
  expect(plainOf(cellWith(nb, '%replay latest'), 'execute_result')).toMatch(
    /\[1\] advise \(agent\) status=COMPLETED attempts=1 \(replayed\)[\s\S]*Replayed 2 step executions/,
  );
}, 120_000);

test('notebooks/sync-api.ipynb: runWorkflow and runWorkflowSync in cells, a timer and an HTTP handler', () => {
  const nb = executeFeatureNotebook('sync-api');
  expect(errorOutputs(nb)).toHaveLength(0);
  expect(plainOf(cellWith(nb, 'import { runWorkflow, runWorkflowSync }'), 'execute_result')).toBe(
    "'COMPLETED Issue: Async runs in cells'",
  );
  const blocking = cellWith(nb, 'const blocking');
  expect(plainOf(blocking, 'execute_result')).toBe("'COMPLETED Issue: Sync runs in cells'");
  // The blocked cell still got its live table, through the sync bridge.
  expect(plainOf(blocking, 'display_data')).toMatch(/summarize@v1 · COMPLETED/);
  const started = cellWith(nb, 'const pending');
  expect(plainOf(started, 'execute_result')).toBe("'started'");
  expect(plainOf(started, 'display_data')).toBe('');
  expect(plainOf(cellWith(nb, 'const later'), 'execute_result')).toBe(
    "'COMPLETED paged on-call about: The API is down'",
  );
  expect(plainOf(cellWith(nb, 'const fromTimer'), 'execute_result')).toBe(
    "'timer: COMPLETED ticket opened for: Slow exports'",
  );
  expect(plainOf(cellWith(nb, "import http from 'node:http'"), 'execute_result')).toBe(
    "{ status: 'COMPLETED', summary: 'Issue: Webhooks arrive twice' }",
  );
  const failed = plainOf(cellWith(nb, 'const failedSync'), 'execute_result');
  expect(failed.match(/FAILED at publish: not approved yet/g)).toHaveLength(2);
}, 120_000);

test('notebooks/branching.ipynb: both paths of triage, several conditions, a typo caught at load', () => {
  const nb = executeFeatureNotebook('branching');
  const errors = errorOutputs(nb);
  expect(errors).toHaveLength(1);
  expect(errors[0]!.cell.metadata.tags).toContain('raises-exception');
  expect(errors[0]!.output.ename).toBe('AR-WORKFLOW-VALIDATION');
  expect(errors[0]!.output.evalue).toContain("names no step 'frist' (did you mean 'first'?)");

  expect(plainOf(cellWith(nb, '[critical, normal]'), 'execute_result')).toBe(
    "[ 'classify -> page -> done', 'classify -> ticket -> done' ]",
  );
  const route = cellWith(nb, '%%workflow --name route');
  expect(plainOf(route, 'display_data')).toMatch(/✓ security +tool +COMPLETED/);
  expect(plainOf(route, 'display_data')).not.toMatch(/urgent|backlog/);
  expect(plainOf(route, 'execute_result')).toContain('security: {"message":"security team paged"}');
}, 120_000);
