/**
 * The engine checks agent steps against the project's agents/ when it loads a workflow: a name
 * that does not exist is a positioned UNKNOWN_AGENT diagnostic with a did-you-mean, before any
 * step runs (nothing is recorded), and `agentkernel validate` reports it too.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runWorkflow } from '../../../runtime/api.js';
import { validateCommand } from '../../../runtime/cli/validate-command.js';
import { isAgentkernelError, type DefinitionError } from '../../../runtime/errors.js';
import { MemoryRunStore } from '../../../runtime/store/memory-store.js';

const workflow = (agent: string) => `schema_version: v1
workflow: {id: talk, version: v1}
steps:
  - id: say
    type: agent
    agent: ${agent}
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
  project = mkdtempSync(path.join(tmpdir(), 'ak-unknown-agent-'));
  mkdirSync(path.join(project, 'agents'));
  writeFileSync(path.join(project, 'agents', 'talker.yaml'), TALKER);
  writeFileSync(
    path.join(project, 'runtime.yaml'),
    'schema_version: v1\ndefault_model: scripted/talk\n',
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

const llm = { scripts: { talk: [{ text: 'hello' }] }, env: {} };

it('refuses a misspelt agent at load, with its position and a did-you-mean', async () => {
  const store = new MemoryRunStore();
  let thrown: unknown;
  try {
    await runWorkflow(workflow('talkr'), { projectDir: project, store, llm });
  } catch (error) {
    thrown = error;
  }
  expect(isAgentkernelError(thrown) && thrown.code).toBe('AR-WORKFLOW-VALIDATION');
  const [d] = (thrown as DefinitionError).diagnostics;
  expect(d).toMatchObject({ code: 'UNKNOWN_AGENT', line: 6, col: 12 });
  expect(d!.message).toContain(
    "agent 'talkr' not found in the project's agents (1 known: talker@v1)",
  );
  expect(d!.suggestion).toBe('talker');
  expect(await store.listRuns()).toEqual([]);
  await store.close();
});

it('accepts the agent by id and by pinned version, and refuses a version that does not exist', async () => {
  for (const ref of ['talker', 'talker@v1']) {
    const result = await runWorkflow(workflow(ref), { projectDir: project, llm });
    expect([ref, result.status]).toEqual([ref, 'COMPLETED']);
  }
  await expect(
    runWorkflow(workflow('talker@v2'), { projectDir: project, llm }),
  ).rejects.toMatchObject({
    code: 'AR-WORKFLOW-VALIDATION',
    diagnostics: [expect.objectContaining({ code: 'UNKNOWN_AGENT' })],
  });
});

it('agentkernel validate reports the unknown agent', async () => {
  const file = path.join(project, 'bad.yaml');
  writeFileSync(file, workflow('talkr'));
  let out = '';
  const code = await validateCommand.run([file], {
    stdout: (t) => (out += t),
    stderr: (t) => (out += t),
    cwd: project,
    env: {},
  });
  expect(code).toBe(1);
  expect(out).toContain(`${file}:6:12`);
  expect(out).toContain('UNKNOWN_AGENT');
});
