/**
 * Acceptance cases of reference §8: the sample workflows under workflows/ run end to end through
 * the public API (real loader, real function modules loaded with tsx, real tools), asserting the
 * step path, outputs and final status of each, plus the negative cases.
 */
import path from 'node:path';
import type { RunResult } from '../../../runtime/index.js';
import { repoRoot } from '../../helpers/paths.js';
import { ScenarioClient } from './scenario-client.js';
import type { ScenarioRequest } from './scenario-protocol.js';

const client = new ScenarioClient();
afterAll(() => client.close());

const runWorkflow = (target: string, options: Omit<ScenarioRequest, 'id' | 'op' | 'target'> = {}) =>
  client.result({ op: 'run', target, ...options });

const samples = path.join(repoRoot, 'workflows', 'samples');
const wf = (name: string) => path.join(repoRoot, 'workflows', name);
const pathOf = (r: RunResult) => r.steps.map((s) => s.stepId);
const statuses = (r: RunResult) => r.steps.map((s) => `${s.stepId}:${s.status}:${s.attempts}`);

async function codeOf(request: Omit<ScenarioRequest, 'id'>): Promise<string | undefined> {
  return (await client.call(request)).error?.code;
}

describe('sample 01: linear issue summary', () => {
  it('completes with one attempt per step and echoes the summary', async () => {
    const r = await runWorkflow(path.join(samples, '01_linear_issue_summary.yaml'));
    expect(r.status).toBe('COMPLETED');
    expect(r.workflowId).toBe('linear_issue_summary');
    expect(statuses(r)).toEqual(['generate_summary:COMPLETED:1', 'echo_summary:COMPLETED:1']);
    expect(r.outputs.generate_summary).toEqual({
      summary: 'Summary of issue: Login API fails for invalid token',
    });
    expect(r.outputs.echo_summary).toEqual({
      message: 'Summary of issue: Login API fails for invalid token',
    });
  });
});

describe('sample 02: retry and backoff', () => {
  it('completes on the first attempt with the default input', async () => {
    const r = await runWorkflow(path.join(samples, '02_retry_and_backoff.yaml'));
    const events = r.events;
    expect(r.status).toBe('COMPLETED');
    expect(statuses(r)).toEqual(['generate_summary:COMPLETED:1', 'deliver_summary:COMPLETED:1']);
    expect(events.some((e) => e.type === 'step_retry')).toBe(false);
  });

  it('an empty issue exhausts all 3 attempts (waiting 1s then 2s) and fails the run', async () => {
    const r = await runWorkflow(path.join(samples, '02_retry_and_backoff.yaml'), {
      inputs: { issue: '' },
    });
    const events = r.events;
    expect(r.status).toBe('FAILED');
    expect(statuses(r)).toEqual(['generate_summary:FAILED:3']);
    expect(r.error?.message).toBe('issue must be a non-empty string');
    expect(events.flatMap((e) => (e.type === 'step_retry' ? [e.delayMs] : []))).toEqual([
      1000, 2000,
    ]);
  });

  const flaky = (failAttempts: number) => `schema_version: v1
workflow: {id: flaky_retry, version: v1}
steps:
  - id: summarize
    type: function
    function: stubs.flaky_summary
    inputs: {issue: "disk full", fail_attempts: ${failAttempts}}
    retry: {attempts: 3, backoff: fixed, initial_delay: 0.01}
`;

  it('a flaky function succeeds on its third attempt', async () => {
    const r = await runWorkflow(flaky(2), { projectDir: repoRoot });
    expect(r.status).toBe('COMPLETED');
    expect(r.steps[0]).toMatchObject({
      status: 'COMPLETED',
      attempts: 3,
      output: { attempt: 3 },
      lastError: { message: 'transient failure on attempt 2' },
    });
  });

  it('a function failing every attempt fails after exactly 3 attempts', async () => {
    const r = await runWorkflow(flaky(10), { projectDir: repoRoot });
    expect(r.status).toBe('FAILED');
    expect(statuses(r)).toEqual(['summarize:FAILED:3']);
    expect(r.error?.message).toBe('transient failure on attempt 3');
  });
});

describe('sample 03: branching triage (with the fall-through trap)', () => {
  const file = path.join(samples, '03_branching_triage.yaml');
  it.each([
    [undefined, ['classify_issue', 'default_path']],
    ['bug', ['classify_issue', 'bug_path', 'feature_path', 'default_path']],
    ['feature', ['classify_issue', 'feature_path', 'default_path']],
  ])('issue=%s takes the path %j and completes', async (issue, expected) => {
    const r = await runWorkflow(file, issue === undefined ? {} : { inputs: { issue } });
    expect(r.status).toBe('COMPLETED');
    expect(pathOf(r)).toEqual(expected);
  });
});

describe('versioning pair: code_review_agent v1/v2', () => {
  it('runs by id: the bare id resolves to the highest version (v2, 3 steps), @v1 to 2 steps', async () => {
    const latest = await runWorkflow('code_review_agent', { projectDir: repoRoot });
    expect(latest.workflowVersion).toBe('v2');
    expect(latest.status).toBe('COMPLETED');
    expect(pathOf(latest)).toEqual(['generate_summary', 'echo_summary', 'finalization']);
    expect(latest.outputs.finalization).toEqual({ message: 'code_review_agent v2 completed' });
    const v1 = await runWorkflow('code_review_agent@v1', { projectDir: repoRoot });
    expect(v1.workflowVersion).toBe('v1');
    expect(pathOf(v1)).toEqual(['generate_summary', 'echo_summary']);
  });

  it('the two triage workflows have distinct ids, so both resolve by id', async () => {
    expect((await runWorkflow('branching_triage', { projectDir: repoRoot })).workflowId).toBe(
      'branching_triage',
    );
    expect(
      (await runWorkflow('branching_triage_sample', { projectDir: repoRoot })).workflowId,
    ).toBe('branching_triage_sample');
  });
});

describe('workflows/branching_triage.yaml', () => {
  it('pages on-call for a critical issue and skips handle_normal', async () => {
    const r = await runWorkflow(wf('branching_triage.yaml'));
    expect(r.status).toBe('COMPLETED');
    expect(pathOf(r)).toEqual(['classify', 'handle_critical', 'echo_result']);
    expect(r.outputs.classify).toMatchObject({ severity: 'critical' });
    expect(r.outputs.handle_critical).toEqual({
      action: 'page_oncall',
      message:
        'ESCALATION: Production database is down, users see 500 errors -- Service impact detected. Paging on-call engineer.',
    });
    expect(r.outputs.echo_result).toEqual({
      message: 'CRITICAL: Production database is down, users see 500 errors',
    });
  });

  it('logs a ticket for a high-severity issue', async () => {
    const r = await runWorkflow(wf('branching_triage.yaml'), {
      inputs: { issue: 'Server is slow under load' },
    });
    expect(pathOf(r)).toEqual(['classify', 'handle_normal', 'echo_result']);
    expect(r.outputs.handle_normal).toEqual({
      action: 'log_ticket',
      message: 'Ticket logged: Server is slow under load (severity: high)',
    });
    expect(r.outputs.echo_result).toEqual({ message: 'HIGH: Server is slow under load' });
  });
});

describe('workflows/data_pipeline.yaml', () => {
  it('parses, validates, normalises and reports a valid row', async () => {
    const r = await runWorkflow(wf('data_pipeline.yaml'));
    expect(r.status).toBe('COMPLETED');
    expect(r.outputs.parse_row).toEqual({
      name: 'temperature',
      value: '72.5',
      category: 'sensor',
      field_count: 3,
    });
    expect(r.outputs.validate).toEqual({ valid: true, errors: [], numeric_value: 72.5 });
    expect(r.outputs.transform).toEqual({
      label: 'temperature [sensor]',
      normalized: 0.725,
      original: 72.5,
    });
    expect(String((r.outputs.echo_report as { message: string }).message).split('\n')).toEqual([
      'Record: temperature [sensor]',
      'Original: 72.5',
      'Normalized: 0.725',
      'Status: VALID',
    ]);
  });

  it('still completes for an invalid row, reporting INVALID', async () => {
    const r = await runWorkflow(wf('data_pipeline.yaml'), { inputs: { data: 'x, abc, y' } });
    expect(r.status).toBe('COMPLETED');
    expect(r.outputs.validate).toMatchObject({ valid: false });
    expect((r.outputs.format_report as { report: string }).report).toContain('Status: INVALID');
  });
});

describe('functions, inline YAML and the public API', () => {
  it('an unknown function is a load-time DefinitionError', async () => {
    const yaml =
      'schema_version: v1\nworkflow: {id: x, version: v1}\nsteps:\n  - {id: a, type: function, function: stubs.nope}\n';
    expect(await codeOf({ op: 'run', target: yaml, projectDir: repoRoot })).toBe(
      'AR-WORKFLOW-VALIDATION',
    );
  });

  it('timeout_ms stops a function that never resolves', async () => {
    const yaml =
      'schema_version: v1\nworkflow: {id: t, version: v1}\nsteps:\n  - {id: hang, type: function, function: stubs.wait_forever, timeout_ms: 50}\n';
    const r = await runWorkflow(yaml, { projectDir: repoRoot });
    expect(r.status).toBe('FAILED');
    expect(r.error).toMatchObject({
      code: 'AR-STEP-TIMEOUT',
      message: "Step 'hang' timed out after 50ms",
    });
  });

  it('rejects unknown and missing required inputs before running', async () => {
    const yaml =
      'schema_version: v1\nworkflow: {id: req, version: v1}\ninputs: [text]\nsteps:\n  - {id: a, type: tool, tool: tools.echo, inputs: {message: inputs.text}}\n';
    expect(await codeOf({ op: 'run', target: yaml, projectDir: repoRoot })).toBe(
      'AR-INPUT-VALIDATION',
    );
    expect(
      await codeOf({
        op: 'run',
        target: yaml,
        projectDir: repoRoot,
        inputs: { text: 'a', other: 1 },
      }),
    ).toBe('AR-INPUT-VALIDATION');
    const r = await runWorkflow(yaml, { projectDir: repoRoot, inputs: { text: 'hi' } });
    expect(r.outputs.a).toEqual({ message: 'hi' });
  });

  it('streams events as an async iterable, ending with run_end', async () => {
    const r = await client.result({
      op: 'stream',
      target: path.join(samples, '01_linear_issue_summary.yaml'),
    });
    expect(r.events.map((e) => e.type)).toEqual([
      'run_start',
      'step_start',
      'step_complete',
      'step_start',
      'step_complete',
      'run_end',
    ]);
    expect(r.status).toBe('COMPLETED');
  });

  it('a run cancelled through its signal mid-step is CANCELLED, then resumes to completion', async () => {
    const yaml = `schema_version: v1
workflow: {id: cancellable, version: v1}
steps:
  - {id: first, type: tool, tool: tools.echo, inputs: {message: one}}
  - {id: slow, type: function, function: stubs.sleep_ms, inputs: {ms: 200}}
  - {id: last, type: tool, tool: tools.echo, inputs: {message: done}}
`;
    const store = { kind: 'memory' as const, name: 'cancel' };
    const r = await runWorkflow(yaml, {
      projectDir: repoRoot,
      store,
      abortOn: { type: 'step_progress', stepId: 'slow' },
    });
    expect(r.status).toBe('CANCELLED');
    expect(r.steps.map((s) => `${s.stepId}:${s.status}`)).toEqual([
      'first:COMPLETED',
      'slow:CANCELLED',
    ]);
    const resumed = await client.result({
      op: 'resume',
      runId: r.runId,
      store,
      projectDir: repoRoot,
    });
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.steps.map((s) => `${s.stepId}:${s.status}`)).toEqual([
      'first:COMPLETED',
      'slow:CANCELLED',
      'slow:COMPLETED',
      'last:COMPLETED',
    ]);
    expect(resumed.outputs.last).toEqual({ message: 'done' });
  });
});
