import { createAgentStepHandler } from '../../../runtime/steps/agent-step.js';
import { buildStepInput } from '../../../runtime/steps/input.js';
import type { AgentStep } from '../../../runtime/definition/types.js';
import { fnStep } from '../engine/definition-builder.js';

const state = {
  inputs: { issue: 'x', n: 2 },
  steps: { a: { summary: 's', nested: { k: 1 } } },
  runtime: { run_id: 'r' },
};

describe('buildStepInput', () => {
  it('resolves dot-paths and literals of the mapping form', () => {
    const step = fnStep('b', 'm.f', {
      inputs: { issue: 'inputs.issue', deep: 'steps.a.nested.k', fixed: { literal: [1, 2] } },
    });
    expect(buildStepInput(step, state)).toEqual({ issue: 'x', deep: 1, fixed: [1, 2] });
  });

  it('passes a copy of the whole state when the step declares no inputs', () => {
    const input = buildStepInput(fnStep('b', 'm.f'), state);
    expect(input).toEqual(state);
    expect(input).not.toBe(state);
    (input.inputs as Record<string, unknown>).issue = 'changed';
    expect(state.inputs.issue).toBe('x');
  });

  it('copies object values, so a function may modify its input without touching state', () => {
    const step = fnStep('b', 'm.f', { inputs: { nested: 'steps.a.nested' } });
    const input = buildStepInput(step, state);
    (input.nested as Record<string, unknown>).k = 99;
    expect(state.steps.a.nested.k).toBe(1);
  });

  it('a missing path names the missing segment', () => {
    const step = fnStep('b', 'm.f', { inputs: { v: 'steps.a.missing' } });
    expect(() => buildStepInput(step, state)).toThrow(/Path not found.*missing/);
  });
});

describe('agent steps (no LLM provider yet)', () => {
  it('fail with AR-NO-PROVIDER naming the step and the agent', async () => {
    const step = {
      ...fnStep('think', 'x.y'),
      type: 'agent',
      agent: 'summarizer@v2',
    } as unknown as AgentStep;
    await expect(createAgentStepHandler()(step)).rejects.toMatchObject({
      code: 'AR-NO-PROVIDER',
      message: expect.stringMatching(/Step 'think' runs agent 'summarizer@v2'.*provider/),
    });
  });
});
