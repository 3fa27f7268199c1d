/**
 * Per-run LLM limits survive a resume: a run that spent its request budget, failed on a later
 * step and is resumed by a fresh executor (as in a new process: new step handlers, no in-memory
 * meter) continues from the totals its earlier step executions recorded, not from zero.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resumeRun, runWorkflow } from '../../../runtime/api.js';
import { MemoryRunStore } from '../../../runtime/store/memory-store.js';

const WORKFLOW = `schema_version: v1
workflow: {id: limited, version: v1}
steps:
  - {id: first, type: agent, agent: talker}
  - {id: gate, type: function, function: t.gate}
  - {id: second, type: agent, agent: talker}
`;

const TALKER = `schema_version: v1
agent:
  id: talker
  version: v1
  system: You talk.
  strategy: single
  output_key: said
  pipeline:
    - {id: main, type: model, prompt: "Say something."}
`;

let project: string;
beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'ak-resume-limits-'));
  mkdirSync(path.join(project, 'agents'));
  writeFileSync(path.join(project, 'agents', 'talker.yaml'), TALKER);
  writeFileSync(
    path.join(project, 'runtime.yaml'),
    'schema_version: v1\ndefault_model: scripted/talk\nllm:\n  limits: {max_requests_per_run: 1}\n',
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

it('a resumed run in a new executor keeps counting against max_requests_per_run', async () => {
  const store = new MemoryRunStore();
  let gateOpen = false;
  const common = {
    projectDir: project,
    functions: {
      't.gate': () => {
        if (!gateOpen) throw new Error('gate closed');
        return { open: true };
      },
    },
    // A fresh script per call: each call builds its own executor, as a new process would.
    llm: { scripts: { talk: [{ text: 'one' }, { text: 'two' }] }, env: {} },
  };
  const first = await runWorkflow(WORKFLOW, { ...common, store });
  expect(first.status).toBe('FAILED');
  expect(first.steps.map((s) => [s.stepId, s.status])).toEqual([
    ['first', 'COMPLETED'],
    ['gate', 'FAILED'],
  ]);

  gateOpen = true;
  const resumed = await resumeRun(first.runId, { ...common, store });
  expect(resumed.status).toBe('FAILED');
  const second = resumed.steps.find((s) => s.stepId === 'second');
  expect(second?.status).toBe('FAILED');
  expect(second?.status === 'FAILED' && second.error.code).toBe('AR-LLM-LIMIT');
  expect(second?.status === 'FAILED' && second.error.message).toContain(
    'this run already made 1 requests',
  );
  // The recorded run totals still count the one request made before the resume.
  expect(second?.metadata.run_totals).toMatchObject({ requests: 1 });
  await store.close();
});
