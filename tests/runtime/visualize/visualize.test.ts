import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseWorkflow } from '../../../runtime/definition/load.js';
import { SqliteRunStore } from '../../../runtime/store/sqlite-store.js';
import {
  buildRunView,
  escapeHtml,
  loadRunViewInput,
  renderAscii,
  renderHtml,
  renderTimeline,
  type RunViewInput,
} from '../../../runtime/visualize/index.js';
import {
  BRANCHING_YAML,
  completed,
  resumeFailedLinearRun,
  runningStep,
  setStep,
  writeBranchingRun,
  writeCompletedLinearRun,
  writeFailedLinearRun,
  makeRun,
  initialStateFor,
} from '../../helpers/run-records.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-viz-'));
const store = new SqliteRunStore(path.join(dir, 'runtime.db'));
let linear: RunViewInput;
let branching: RunViewInput;
let resumed: RunViewInput;

beforeAll(async () => {
  await writeCompletedLinearRun(store, 'linear');
  await writeBranchingRun(store, 'branch');
  await writeFailedLinearRun(store, 'resumed');
  await resumeFailedLinearRun(store, 'resumed');
  linear = (await loadRunViewInput(store, 'linear')) as RunViewInput;
  branching = (await loadRunViewInput(
    store,
    'branch',
    parseWorkflow(BRANCHING_YAML),
  )) as RunViewInput;
  resumed = (await loadRunViewInput(store, 'resumed')) as RunViewInput;
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('buildRunView', () => {
  it('returns null input for an unknown run', async () => {
    expect(await loadRunViewInput(store, 'ghost')).toBeNull();
  });

  it('marks never-executed steps SKIPPED and re-evaluates branch rules on the recorded state', () => {
    const view = buildRunView(branching);
    expect(view.executed.map((n) => n.stepId)).toEqual(['classify', 'respond', 'done']);
    expect(view.skipped).toEqual([
      { kind: 'skipped', stepId: 'escalate', stepType: 'tool', status: 'SKIPPED' },
    ]);
    expect(view.branches).toEqual([
      {
        executionIndex: 0,
        stepId: 'classify',
        nextStep: 'respond',
        rules: [
          {
            when: 'state.steps.classify.level == "high"',
            goto: 'escalate',
            result: false,
            evaluationError: null,
            selected: false,
          },
          { when: 'default', goto: 'respond', result: null, evaluationError: null, selected: true },
        ],
      },
    ]);
    expect(view.edges).toEqual(
      expect.arrayContaining([
        {
          kind: 'executed',
          from: 'classify',
          to: 'respond',
          fromIndex: 0,
          toIndex: 1,
          label: 'default',
        },
        {
          kind: 'branch-not-taken',
          from: 'classify',
          to: 'escalate',
          fromIndex: 0,
          toIndex: null,
          label: 'state.steps.classify.level == "high"',
        },
      ]),
    );
    expect(view.executed[0]?.target).toBe('triage.classify');
  });

  it('without a definition, uses the recorded step list for SKIPPED steps', async () => {
    const run = makeRun({ runId: 'partial' });
    await store.createRun(run, initialStateFor(run));
    const s = runningStep('partial', 0, 'fetch', {}, 1);
    await store.startStep(s);
    await store.finishStep(
      completed(s, { text: 't' }, 3, 'summarize'),
      setStep('fetch', { text: 't' }),
    );
    const view = buildRunView((await loadRunViewInput(store, 'partial')) as RunViewInput);
    expect(view.skipped.map((n) => n.stepId)).toEqual(['summarize', 'publish']);
    expect(view.branches).toEqual([]);
  });
});

describe('renderAscii', () => {
  it('prints the execution graph with durations and retries, then the timelines', () => {
    const text = renderAscii(linear);
    expect(text).toContain('Run linear | workflow=linear@v1 | status=COMPLETED');
    expect(text).toContain(
      'Execution Graph\n  fetch OK (12ms)\n  └─> summarize OK (30ms, retry 1)\n  └─> publish OK (5ms)',
    );
    expect(text).toContain('Step Timeline');
    expect(text).toContain(
      '[1] 2026-01-01T00:00:00.020Z summarize (function) COMPLETED 30ms attempts=2',
    );
    expect(text).toContain('last error: model overloaded');
    expect(text).toContain('State Timeline\n  v0 initial state');
    expect(text).toContain(
      '  v2 after [1] summarize (2026-01-01T00:00:00.050Z)\n    + steps.summarize = {"summary":"runs survive crashes"}',
    );
  });

  it('shows branch decisions, branches not taken and skipped steps', () => {
    const text = renderAscii(branching);
    expect(text).toContain(
      '  classify OK (3ms)\n    ╌ not taken: escalate [state.steps.classify.level == "high"]\n  └─> respond OK (7ms)  [default]',
    );
    expect(text).toContain('  escalate SKIPPED');
    expect(text).toContain(
      'Branch Decisions\n  [0] classify -> respond\n      when=state.steps.classify.level == "high" goto=escalate result=false\n      when=\'default\' goto=respond (selected)',
    );
  });

  it('shows a failed execution and its resumed re-execution as separate nodes', () => {
    const text = renderAscii(resumed);
    expect(text).toContain('Resumed 1 time');
    expect(text).toContain('└─> summarize FAILED (8ms, retry 1)\n  └─> summarize OK (25ms)');
    expect(text).toContain('error: AR-STEP-EXECUTION summarizer crashed: missing key');
  });
});

describe('renderTimeline', () => {
  it('lists each state version with + / - / ~ lines', async () => {
    const run = makeRun({ runId: 'changes' });
    await store.createRun(run, { inputs: run.inputs, steps: { a: { n: 1 } } });
    const s = runningStep('changes', 0, 'a', {}, 1);
    await store.startStep(s);
    await store.finishStep(completed(s, { n: 2 }, 1, null), [
      { op: 'set', path: ['steps', 'a', 'n'], value: 2 },
      { op: 'delete', path: ['inputs', 'topic'] },
      { op: 'set', path: ['steps', 'b'], value: 'new' },
    ]);
    const text = renderTimeline((await loadRunViewInput(store, 'changes')) as RunViewInput);
    expect(text).toBe(
      [
        'State timeline of run changes | workflow=linear@v1 | status=RUNNING',
        'v0 initial state (2026-01-01T00:00:00.000Z)',
        '  + inputs = {"topic":"durable runs"}',
        '  + steps = {"a":{"n":1}}',
        'v1 after [0] a (2026-01-01T00:00:00.002Z)',
        '  - inputs.topic (was "durable runs")',
        '  ~ steps.a.n: 1 -> 2',
        '  + steps.b = "new"',
        '',
      ].join('\n'),
    );
  });
});

describe('renderHtml', () => {
  it('is one self-contained page: inline CSS and SVG, no script, no external URL', () => {
    const html = renderHtml(branching);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|<img|@import|https?:\/\/|src=/i);
    // Executed, skipped and not-taken branch all appear in the graph.
    expect(html).toContain('node-completed');
    expect(html).toMatch(/<g class="node node-skipped">.*escalate/);
    expect(html).toContain('stroke-dasharray="5,4"');
    expect(html).toContain('<details><summary>[1] respond');
  });

  it('escapes every recorded value', async () => {
    const html = renderHtml(branching);
    // The respond step's output is `<b>thanks</b> & bye`: it must appear only escaped.
    expect(html).not.toContain('<b>thanks</b>');
    expect(html).toContain('&lt;b&gt;thanks&lt;/b&gt; &amp; bye');

    const evil = '<script>alert("x")</script>';
    const run = makeRun({ runId: `id-${evil}`, workflowId: evil });
    await store.createRun(run, { inputs: { q: evil } });
    const s = runningStep(run.runId, 0, evil, { q: evil }, 1);
    await store.startStep(s);
    await store.finishStep(
      completed(s, { [evil]: evil }, 1, null),
      setStep(evil, { [evil]: evil }),
    );
    const page = renderHtml((await loadRunViewInput(store, run.runId)) as RunViewInput);
    expect(page).not.toContain('<script');
    expect(page).toContain(escapeHtml(evil));
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});
