/**
 * The ported agent samples (05, 07, research) through the public run API — real loader, real
 * functions, real engine — against the scripted provider (script files in llm-scripts/) and
 * against the fake provider servers; plus run-level limits, cancellation mid-stream and secret
 * redaction in the run store and events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunEvent } from '../../../runtime/engine/events.js';
import type { JsonObject } from '../../../runtime/json.js';
import { startFakeAnthropicServer } from '../../helpers/fake-anthropic-server.js';
import { startFakeGeminiServer } from '../../helpers/fake-gemini-server.js';
import type { FakeLlmServer, FakeTurn } from '../../helpers/fake-llm-server.js';
import { startFakeOpenAiServer } from '../../helpers/fake-openai-server.js';
import { repoRoot } from '../../helpers/paths.js';
import { AgentRunClient } from './agent-run-client.js';
import type { AgentRunRequest } from './agent-run-protocol.js';

const sample = (name: string) => path.join(repoRoot, 'workflows', 'samples', name);
const research = path.join(repoRoot, 'workflows', 'research.yaml');
const KEY = 'sk-run-level-KEY-13579';

const client = new AgentRunClient();
afterAll(() => client.close());

type Token = Extract<RunEvent, { type: 'llm_token' }>;
const tokensOf = (events: RunEvent[], stepId: string) =>
  events
    .filter((e): e is Token => e.type === 'llm_token' && e.stepId === stepId)
    .map((t) => t.text)
    .join('');

const viaFake = (
  type: 'openai' | 'anthropic' | 'gemini',
  baseUrl: string,
  extra: Partial<AgentRunRequest> = {},
) => ({
  defaultModel: 'fake/m1',
  fake: { type, baseUrl },
  env: { FAKE_KEY: KEY },
  ...extra,
});

const researchTurns: FakeTurn[] = [
  { text: 'Looking.', toolCalls: [{ name: 'tools__echo', arguments: { message: 'search one' } }] },
  { toolCalls: [{ name: 'tools__echo', arguments: { message: 'search two' } }] },
  { text: 'Cold starts shrink with provisioned concurrency.' },
  { text: '1. Enable provisioned concurrency\n2. Trim the bundle' },
];

describe('sample 05 (two agents) against the scripted provider', () => {
  it('completes 4 steps, streams tokens as events, and records usage in step metadata', async () => {
    const { result, events } = await client.run({
      file: sample('05_llm_call.yaml'),
      defaultModel: 'scripted/05_llm_call',
    });
    expect(result.error).toBeNull();
    expect(result.status).toBe('COMPLETED');
    expect(result.steps.map((s) => s.stepId)).toEqual([
      'summarize',
      'echo_summary',
      'propose_fix',
      'echo_next_steps',
    ]);
    expect(result.outputs.echo_summary).toEqual({
      message: 'Login API returns 500 instead of 401 when the token is invalid.',
    });
    expect(String((result.outputs.propose_fix as JsonObject).next_steps)).toMatch(
      /^1\. Validate the token/,
    );
    expect(tokensOf(events, 'summarize')).toBe(
      'Login API returns 500 instead of 401 when the token is invalid.',
    );
    const meta = result.steps[0]!.metadata;
    expect(meta).toMatchObject({
      agent: 'summarizer@v1',
      models: ['scripted/05_llm_call'],
      iterations: 1,
    });
    expect((meta.trace as JsonObject[]).some((t) => t.type === 'tool' && t.success === true)).toBe(
      true,
    );
    expect((result.steps[2]!.metadata.run_totals as JsonObject).requests).toBe(2);
  });

  it('fake OpenAI server: the same 4 steps over real HTTP', async () => {
    const server = await startFakeOpenAiServer([
      { text: 'Token check is missing.' },
      { text: '1. Add the check' },
    ]);
    try {
      const { result } = await client.run({
        file: sample('05_llm_call.yaml'),
        ...viaFake('openai', `${server.url}/v1`),
      });
      expect(result.status).toBe('COMPLETED');
      expect(result.outputs.echo_next_steps).toEqual({ message: '1. Add the check' });
    } finally {
      await server.stop();
    }
  });
});

describe('sample 07 (agent + function)', () => {
  it('scripted: the agent summary is formatted by the function', async () => {
    const { result } = await client.run({
      file: sample('07_agent_and_function.yaml'),
      defaultModel: 'scripted/07_agent_and_function',
      inputs: { text: 'checkout is slow' },
    });
    expect(result.status).toBe('COMPLETED');
    expect(result.outputs.show).toEqual({
      message: '# Report\n\nThe checkout page times out under load.\n',
    });
  });

  it('fake OpenAI server: the same workflow over real HTTP, input wrapped as data', async () => {
    const server = await startFakeOpenAiServer([{ text: 'Checkout is slow under load.' }]);
    try {
      const { result } = await client.run({
        file: sample('07_agent_and_function.yaml'),
        inputs: { text: 'checkout is slow' },
        ...viaFake('openai', `${server.url}/v1`),
      });
      expect(result.status).toBe('COMPLETED');
      expect(result.outputs.format).toEqual({
        report: '# Report\n\nCheckout is slow under load.\n',
      });
      expect(JSON.stringify(server.requests[0]!.body.messages)).toContain(
        '<data name=\\"inputs.issue\\">checkout is slow</data>',
      );
    } finally {
      await server.stop();
    }
  });
});

describe('research workflow (react researcher → advisor → functions)', () => {
  it('scripted: completes 5 steps with the researcher looping through two tool calls', async () => {
    const { result } = await client.run({ file: research, defaultModel: 'scripted/research' });
    expect(result.status).toBe('COMPLETED');
    expect(result.steps.map((s) => s.stepId)).toEqual([
      'research',
      'advise',
      'extract',
      'brief',
      'show',
    ]);
    expect(result.steps[0]!.metadata.iterations).toBe(3);
    expect(result.outputs.extract).toEqual({
      action_items: [
        'Enable provisioned concurrency for the checkout function',
        'Split the bundle and lazy-load the SDK',
        'Measure p95 cold start weekly',
      ],
      count: 3,
    });
    expect(String((result.outputs.show as JsonObject).message)).toContain('## Actions (3)');
  });

  const servers = [
    ['openai', startFakeOpenAiServer, (u: string) => `${u}/v1`],
    ['anthropic', startFakeAnthropicServer, (u: string) => u],
    ['gemini', startFakeGeminiServer, (u: string) => `${u}/v1beta`],
  ] as const;
  it.each(servers)('fake %s server: completes with the same shape', async (type, start, base) => {
    const server: FakeLlmServer = await start(researchTurns);
    try {
      const { result, events } = await client.run({
        file: research,
        ...viaFake(type, base(server.url)),
      });
      expect(result.error).toBeNull();
      expect(result.status).toBe('COMPLETED');
      expect(result.outputs.research).toEqual({
        findings: 'Cold starts shrink with provisioned concurrency.',
      });
      expect(result.outputs.extract).toEqual({
        action_items: ['Enable provisioned concurrency', 'Trim the bundle'],
        count: 2,
      });
      expect(server.requests).toHaveLength(4);
      expect(result.steps[0]!.metadata).toMatchObject({
        iterations: 3,
        usage: { total_tokens: 57 },
      });
      expect(tokensOf(events, 'advise')).toBe(
        '1. Enable provisioned concurrency\n2. Trim the bundle',
      );
    } finally {
      await server.stop();
    }
  });
});

describe('run-level behaviour of agent steps', () => {
  it('a spent request budget fails the run with AR-LLM-LIMIT, without retrying', async () => {
    const server = await startFakeOpenAiServer(researchTurns);
    try {
      const { result } = await client.run({
        file: research,
        ...viaFake('openai', `${server.url}/v1`, { limits: { maxRequestsPerRun: 2 } }),
      });
      expect(result.status).toBe('FAILED');
      expect(result.error).toMatchObject({ code: 'AR-LLM-LIMIT' });
      expect(result.steps.map((s) => `${s.stepId}:${s.status}:${s.attempts}`)).toEqual([
        'research:FAILED:1',
      ]);
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.stop();
    }
  });

  it('cancelling the run mid-stream aborts the model request and ends the run CANCELLED', async () => {
    const server = await startFakeOpenAiServer([{ stall: true, text: 'a b c d e f', chunks: 4 }]);
    try {
      const { result, events } = await client.run({
        file: research,
        abortOnToken: true,
        ...viaFake('openai', `${server.url}/v1`),
      });
      expect(result.status).toBe('CANCELLED');
      expect(events.filter((e) => e.type === 'llm_token').length).toBeGreaterThanOrEqual(1);
      expect(result.steps.map((s) => `${s.stepId}:${s.status}`)).toEqual(['research:CANCELLED']);
    } finally {
      await server.stop();
    }
  });

  it('never writes the API key to the run store or events, even when the model and inputs carry it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ak-redact-'));
    const server = await startFakeOpenAiServer([
      { text: `key ${KEY}`, toolCalls: [{ name: 'tools__echo', arguments: { message: KEY } }] },
      { toolCalls: [{ name: 'tools__echo', arguments: { message: 'x' } }] },
      { text: `findings with ${KEY}` },
      { text: `1. rotate ${KEY}` },
    ]);
    try {
      const { result, events, recorded } = await client.run({
        file: research,
        inputs: { topic: `a topic mentioning ${KEY}` },
        sqlite: { path: path.join(dir, 'runs.db'), redact: [KEY] },
        ...viaFake('openai', `${server.url}/v1`),
      });
      expect(result.status).toBe('COMPLETED');
      // The key reached the model (it was in the conversation), but no record or event holds it.
      expect(JSON.stringify(server.requests)).toContain(KEY);
      expect(recorded).toContain('***');
      // Run-level usage is summed from the recorded agent steps and stored with the run.
      const [runRecord] = JSON.parse(recorded!) as [{ metadata: JsonObject }];
      expect(runRecord.metadata.llm).toEqual({
        requests: 4,
        usage: { input_tokens: 48, output_tokens: 28, total_tokens: 76 },
        cost_usd: 0,
      });
      expect(recorded).not.toContain(KEY);
      expect(JSON.stringify(events)).not.toContain(KEY);
      // Agent outputs are scrubbed at the source; the in-memory result (not a record) still carries
      // the caller's own input where a function passed it through, and the recorded steps do not.
      expect(JSON.stringify([result.outputs.research, result.outputs.advise])).not.toContain(KEY);
      expect(JSON.stringify(result.steps)).not.toContain(KEY);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
