/**
 * `type: input` (human in the loop): loading, asking through onInput, defaults in batch mode, the
 * AR-INPUT-REQUIRED failure, and that a recorded answer is reused by resume and replay (nobody is
 * asked twice). The CLI's terminal prompt is driven in-process through a stream that claims to be a TTY.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  MemoryRunStore,
  parseWorkflow,
  replayRun,
  resumeRun,
  runWorkflow,
  type InputRequest,
  type JsonObject,
} from '../../../runtime/index.js';
import { runCommand } from '../../../runtime/cli/run-command.js';
import type { CliIO } from '../../../runtime/cli/command.js';

let project: string;
beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'ak-input-'));
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

const approvalYaml = (extra = '') => `schema_version: v1
workflow: {id: approval, version: v1}
inputs: {release: {default: "2.0"}}
steps:
  - id: ask
    type: input
    prompt: "Ship release {{ inputs.release }}?"${extra}
  - id: record
    type: tool
    tool: tools.echo
    inputs: {message: steps.ask.value}
`;

describe('loading input steps', () => {
  it('reads prompt, default, password and the output key', () => {
    const def = parseWorkflow(`schema_version: v1
workflow: {id: w, version: v1}
steps:
  - id: ask
    type: input
    prompt: Token?
    password: true
    default: 42
    outputs: [token]
    timeout_ms: 1000
  - {id: plain, type: input, prompt: "Name?"}
`);
    expect(def.steps[0]).toMatchObject({
      type: 'input',
      prompt: 'Token?',
      password: true,
      answerDefault: '42',
      outputKey: 'token',
      timeoutMs: 1000,
    });
    expect(def.steps[1]).toMatchObject({ type: 'input', password: false, outputKey: 'value' });
    expect(def.steps[1]).not.toHaveProperty('answerDefault');
  });
});

describe('running input steps', () => {
  it('asks through onInput with the rendered prompt and records the answer as the output', async () => {
    const requests: Omit<InputRequest, 'signal'>[] = [];
    const r = await runWorkflow(approvalYaml("\n    default: 'no'\n    password: true"), {
      projectDir: project,
      inputs: { release: '3.1' },
      onInput: ({ signal, ...request }) => {
        expect(signal.aborted).toBe(false);
        requests.push(request);
        return 'yes';
      },
    });
    expect(r.status).toBe('COMPLETED');
    expect(requests).toEqual([
      {
        runId: r.runId,
        stepId: 'ask',
        prompt: 'Ship release 3.1?',
        password: true,
        default: 'no',
      },
    ]);
    expect(r.outputs.ask).toEqual({ value: 'yes' });
    expect(r.outputs.record).toEqual({ message: 'yes' });
    const ask = r.steps.find((s) => s.stepId === 'ask')!;
    expect(ask.stepType).toBe('input');
    expect(ask.input).toEqual({ prompt: 'Ship release 3.1?', default: 'no' });
  });

  it('an async onInput works and the answer goes under the declared output key', async () => {
    const yaml = approvalYaml('\n    outputs: [decision]').replace(
      'steps.ask.value',
      'steps.ask.decision',
    );
    const r = await runWorkflow(yaml, {
      projectDir: project,
      onInput: async () => new Promise<string>((resolve) => setTimeout(() => resolve('later'), 5)),
    });
    expect(r.status).toBe('COMPLETED');
    expect(r.outputs.ask).toEqual({ decision: 'later' });
  });

  it('without onInput (batch) a step with a default takes it', async () => {
    const r = await runWorkflow(approvalYaml("\n    default: 'no'"), { projectDir: project });
    expect(r.status).toBe('COMPLETED');
    expect(r.outputs.ask).toEqual({ value: 'no' });
  });

  it('without onInput and without a default the step fails with AR-INPUT-REQUIRED naming it', async () => {
    const r = await runWorkflow(approvalYaml(), { projectDir: project });
    expect(r.status).toBe('FAILED');
    expect(r.error?.code).toBe('AR-INPUT-REQUIRED');
    expect(r.error?.message).toMatch(/Step 'ask' needs an answer/);
    expect(r.error?.message).toMatch(/Ship release 2\.0\?/);
    expect(r.error?.message).toMatch(/run it interactively/i);
    expect(r.error?.message).toMatch(/default/);
    expect(r.steps.map((s) => [s.stepId, s.status])).toEqual([['ask', 'FAILED']]);
  });

  it('a recorded answer is reused: resume and replay never ask again', async () => {
    const store = new MemoryRunStore();
    let failNext = true;
    const functions = {
      'gate.check': (input: JsonObject) => {
        if (failNext) throw new Error('gate closed');
        return { ok: input.answer };
      },
    };
    const yaml = `schema_version: v1
workflow: {id: gated, version: v1}
steps:
  - {id: ask, type: input, prompt: "Proceed?"}
  - {id: gate, type: function, function: gate.check, inputs: {answer: steps.ask.value}}
`;
    let asked = 0;
    const first = await runWorkflow(yaml, {
      projectDir: project,
      store,
      functions,
      onInput: () => (asked++, 'go'),
    });
    expect(first.status).toBe('FAILED');
    expect(asked).toBe(1);

    failNext = false;
    const resumed = await resumeRun(first.runId, {
      store,
      projectDir: project,
      functions,
      onInput: () => {
        throw new Error('must not ask again');
      },
    });
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.outputs.gate).toEqual({ ok: 'go' });
    // Resume in batch mode (no onInput, no default) works too: the answer is in the record.
    const replay = await replayRun(store, first.runId, { verifyState: true });
    expect(replay.verified).toBe(true);
    expect(replay.finalState.steps).toMatchObject({ ask: { value: 'go' }, gate: { ok: 'go' } });
    await store.close();
  });

  it('cancelling while waiting for an answer ends the run CANCELLED, and resume asks again', async () => {
    const store = new MemoryRunStore();
    const controller = new AbortController();
    let seenSignal: AbortSignal | undefined;
    const first = await runWorkflow(approvalYaml(), {
      projectDir: project,
      store,
      signal: controller.signal,
      onInput: ({ signal }) => {
        seenSignal = signal;
        setTimeout(() => controller.abort(), 5);
        return new Promise<string>(() => undefined); // nobody answers
      },
    });
    expect(first.status).toBe('CANCELLED');
    expect(seenSignal?.aborted).toBe(true);
    const resumed = await resumeRun(first.runId, {
      store,
      projectDir: project,
      onInput: () => 'after restart',
    });
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.outputs.ask).toEqual({ value: 'after restart' });
    await store.close();
  });
});

describe('agentkernel run on a terminal', () => {
  function io(stdin: NodeJS.ReadableStream): CliIO & { out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      cwd: project,
      env: {},
      stdin,
    };
  }

  it('asks on the TTY and records the typed answer', async () => {
    const file = path.join(project, 'approval.yaml');
    writeFileSync(file, approvalYaml());
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const terminal = io(tty);
    const done = runCommand.run([file, '--db', ':memory:', '--json'], terminal);
    // Answer once the question is on screen.
    await waitFor(() => terminal.err.join('').includes('Ship release 2.0?'));
    tty.write('ship it\n');
    expect(await done).toBe(0);
    const result = JSON.parse(terminal.out.join('')) as { outputs: JsonObject };
    expect(result.outputs.ask).toEqual({ value: 'ship it' });
  });

  it('an empty line takes the default', async () => {
    const file = path.join(project, 'default.yaml');
    writeFileSync(file, approvalYaml("\n    default: 'no'"));
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const terminal = io(tty);
    const done = runCommand.run([file, '--db', ':memory:', '--json'], terminal);
    await waitFor(() => terminal.err.join('').includes('Ship release 2.0? [no]: '));
    tty.write('\n');
    expect(await done).toBe(0);
    const result = JSON.parse(terminal.out.join('')) as { outputs: JsonObject };
    expect(result.outputs.ask).toEqual({ value: 'no' });
  });

  it('a password answer is not echoed and its default is not shown', async () => {
    const file = path.join(project, 'secret.yaml');
    writeFileSync(file, approvalYaml("\n    default: 'no'\n    password: true"));
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const terminal = io(tty);
    const done = runCommand.run([file, '--db', ':memory:', '--json'], terminal);
    await waitFor(() => terminal.err.join('').includes('Ship release 2.0? [***]: '));
    tty.write('hunter2');
    tty.write('\n');
    expect(await done).toBe(0);
    expect(terminal.err.join('')).not.toContain('hunter2');
    const result = JSON.parse(terminal.out.join('')) as { outputs: JsonObject };
    expect(result.outputs.ask).toEqual({ value: 'hunter2' });
  });

  it('without a TTY (batch) the run fails with AR-INPUT-REQUIRED instead of reading stdin', async () => {
    const file = path.join(project, 'approval.yaml');
    writeFileSync(file, approvalYaml());
    const piped = new PassThrough();
    piped.end('yes\n');
    const batch = io(piped);
    expect(await runCommand.run([file, '--db', ':memory:'], batch)).toBe(1);
    expect(batch.out.join('')).toMatch(/AR-INPUT-REQUIRED/);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
