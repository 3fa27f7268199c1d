/**
 * The `llm` run option through the sync bridge (runWorkflowSync runs on a worker thread): in-code
 * scripts and the key environment reach the worker; what cannot be copied there (callbacks, a
 * scripted provider that is an object with methods) is refused before the call, naming the part
 * and the fix.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunEvent } from '../../../runtime/engine/events.js';
import { isAgentkernelError } from '../../../runtime/errors.js';
import { llmOptionSyncProblem } from '../../../runtime/llm/sync-options.js';
import { runWorkflowSync } from '../../../runtime/sync/run-sync.js';

const WORKFLOW = `schema_version: v1
workflow: {id: talk, version: v1}
steps:
  - {id: say, type: agent, agent: talker}
`;

let project: string;
beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'ak-sync-llm-'));
  mkdirSync(path.join(project, 'agents'));
  writeFileSync(
    path.join(project, 'agents', 'talker.yaml'),
    'schema_version: v1\nagent:\n  id: talker\n  version: v1\n  system: You talk.\n  strategy: single\n  output_key: said\n  pipeline:\n    - {id: main, type: model, prompt: "Say something."}\n',
  );
  writeFileSync(
    path.join(project, 'runtime.yaml'),
    'schema_version: v1\ndefault_model: scripted/talk\n',
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

it('runs an agent step on the worker with a script given in code, streaming its tokens', () => {
  const events: RunEvent[] = [];
  const result = runWorkflowSync(WORKFLOW, {
    projectDir: project,
    llm: { scripts: { talk: [{ text: 'hello from code' }] }, env: {} },
    onEvent: (e) => events.push(e),
  });
  expect(result.error).toBeNull();
  expect(result.outputs).toEqual({ say: { said: 'hello from code' } });
  const tokens = events.flatMap((e) => (e.type === 'llm_token' ? [e.text] : []));
  expect(tokens.join('')).toBe('hello from code');
});

it('refuses a scripted provider object and llm callbacks, naming the fix', () => {
  const provider = {
    talk: {
      next: () => ({ text: 'from a method' }),
    },
  };
  let thrown: unknown;
  try {
    runWorkflowSync(WORKFLOW, {
      projectDir: project,
      // The runtime's type asks for lists of responses; JavaScript callers can pass anything.
      llm: { scripts: provider as never },
    });
  } catch (error) {
    thrown = error;
  }
  expect(isAgentkernelError(thrown) && thrown.code).toBe('AR-SYNC-BRIDGE');
  expect((thrown as Error).message).toContain("Option 'llm.scripts.talk' is not plain data");
  expect((thrown as Error).message).toContain('llm-scripts/talk.yaml');

  expect(() =>
    runWorkflowSync(WORKFLOW, {
      projectDir: project,
      llm: { scripts: { talk: [{ text: 'x' }] }, http: { onRetry: () => undefined } },
    }),
  ).toThrow(/Option 'llm\.http\.onRetry' is a function/);
});

it('accepts plain data and names the first part that is not', () => {
  expect(llmOptionSyncProblem(undefined)).toBeNull();
  expect(
    llmOptionSyncProblem({
      env: { K: 'v' },
      http: { maxRetries: 1, timeoutMs: 50 },
      scripts: { a: [{ text: 't', tool_calls: [{ name: 'tools.echo', arguments: { m: 1 } }] }] },
    }),
  ).toBeNull();
  class Reply {
    get text() {
      return 'lost in the copy';
    }
  }
  expect(llmOptionSyncProblem({ scripts: { a: [new Reply()] } })).toContain(
    "'llm.scripts.a' is not plain data (a Reply object)",
  );
});
