import { BranchResolutionError, isAgentkernelError } from '../../../runtime/errors.js';
import { evaluateExpression, isTruthy } from '../../../runtime/definition/expressions.js';
import {
  assertNotVisited,
  resolveNextStep,
  resumePoint,
  visitedSteps,
  type ConditionEvaluator,
} from '../../../runtime/engine/plan.js';
import type { StepExecutionRecord } from '../../../runtime/store/run-store.js';
import { fnStep, otherwise, when, workflow } from './definition-builder.js';

const evaluate: ConditionEvaluator = (rule, state) =>
  isTruthy(evaluateExpression(rule.expr, state));

// Sample 03's shape: classify branches to one of three targets that have no `next` of their own.
const triage = workflow([
  fnStep('classify', 'm.f', {
    next: [
      when('state.inputs.issue == "bug"', 'bug_path'),
      when('state.inputs.issue == "feature"', 'feature_path'),
      otherwise('default_path'),
    ],
  }),
  fnStep('bug_path', 'm.f'),
  fnStep('feature_path', 'm.f'),
  fnStep('default_path', 'm.f'),
]);
const stateFor = (issue: string) => ({ inputs: { issue }, steps: {}, runtime: {} });

function path(issue: string): string[] {
  const visited: string[] = [];
  let current: string | null = 'classify';
  while (current !== null) {
    visited.push(current);
    current = resolveNextStep(triage, current, stateFor(issue), evaluate);
  }
  return visited;
}

describe('resolveNextStep', () => {
  it('takes the first true rule and falls through in file order after a branch target', () => {
    expect(path('bug')).toEqual(['classify', 'bug_path', 'feature_path', 'default_path']);
    expect(path('feature')).toEqual(['classify', 'feature_path', 'default_path']);
    expect(path('other')).toEqual(['classify', 'default_path']);
  });

  it('returns null after the last step', () => {
    expect(resolveNextStep(triage, 'default_path', stateFor('x'), evaluate)).toBeNull();
  });

  it('first true rule wins even when a later rule is also true', () => {
    const wf = workflow([
      fnStep('a', 'm.f', { next: [when('1 == 1', 'c'), when('2 == 2', 'b')] }),
      fnStep('b', 'm.f'),
      fnStep('c', 'm.f'),
    ]);
    expect(resolveNextStep(wf, 'a', stateFor('x'), evaluate)).toBe('c');
  });

  it('no match without default is a BranchResolutionError', () => {
    const wf = workflow([
      fnStep('a', 'm.f', { next: [when('state.inputs.issue == "bug"', 'b')] }),
      fnStep('b', 'm.f'),
    ]);
    expect(() => resolveNextStep(wf, 'a', stateFor('x'), evaluate)).toThrow(
      /No branch matched for step 'a'/,
    );
    try {
      resolveNextStep(wf, 'a', stateFor('x'), evaluate);
    } catch (e) {
      expect(isAgentkernelError(e) && e.code).toBe('AR-BRANCH-RESOLUTION');
    }
  });

  it('a missing path in a condition is a BranchResolutionError, not a crash', () => {
    const wf = workflow([
      fnStep('a', 'm.f', { next: [when('state.steps.a.nope == 1', 'b')] }),
      fnStep('b', 'm.f'),
    ]);
    expect(() => resolveNextStep(wf, 'a', stateFor('x'), evaluate)).toThrow(BranchResolutionError);
  });
});

describe('assertNotVisited', () => {
  it('refuses a step that already ran', () => {
    expect(() => assertNotVisited('a', new Set(['a']), 'b')).toThrow(/Circular branch detected/);
    expect(() => assertNotVisited('c', new Set(['a']), 'b')).not.toThrow();
  });
});

function rec(
  stepId: string,
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'RUNNING',
  executionIndex: number,
  nextStep: string | null = null,
): StepExecutionRecord {
  const base = {
    runId: 'r',
    executionIndex,
    stepId,
    stepType: 'function',
    input: {},
    attempts: 1,
    startedAt: '',
    lastError: null,
    metadata: {},
  };
  const err = { name: 'Error', message: 'x' };
  switch (status) {
    case 'RUNNING':
      return { ...base, status };
    case 'COMPLETED':
      return { ...base, status, finishedAt: '', durationMs: 1, output: {}, nextStep };
    case 'FAILED':
      return { ...base, status, finishedAt: '', durationMs: 1, error: err, nextStep };
    case 'CANCELLED':
      return { ...base, status, finishedAt: '', durationMs: 1, error: err };
  }
}

describe('resumePoint', () => {
  const wf = workflow([
    fnStep('a', 'm.f'),
    fnStep('b', 'm.f'),
    fnStep('c', 'm.f'),
    fnStep('d', 'm.f'),
  ]);

  it('starts at the first step when nothing completed', () => {
    expect(resumePoint(wf, [])).toEqual({ kind: 'step', stepId: 'a', after: null });
    expect(resumePoint(wf, [rec('a', 'FAILED', 0)])).toEqual({
      kind: 'step',
      stepId: 'a',
      after: null,
    });
  });

  it('continues after the last completed step', () => {
    expect(resumePoint(wf, [rec('a', 'COMPLETED', 0, 'b'), rec('b', 'FAILED', 1)])).toMatchObject({
      stepId: 'b',
    });
  });

  it('survives a second failure: targets the latest failure, not the first (Python defect)', () => {
    const records = [
      rec('a', 'COMPLETED', 0, 'b'),
      rec('b', 'FAILED', 1),
      rec('b', 'COMPLETED', 2, 'c'),
      rec('c', 'FAILED', 3),
    ];
    expect(resumePoint(wf, records)).toMatchObject({ stepId: 'c', after: 'b' });
    const third = [...records, rec('c', 'COMPLETED', 4, 'd'), rec('d', 'CANCELLED', 5)];
    expect(resumePoint(wf, third)).toMatchObject({ stepId: 'd' });
  });

  it('continues after a crash left a RUNNING record', () => {
    expect(resumePoint(wf, [rec('a', 'COMPLETED', 0, 'b'), rec('b', 'RUNNING', 1)])).toMatchObject({
      stepId: 'b',
    });
  });

  it('reports finished when the last passed step had no next', () => {
    expect(resumePoint(wf, [rec('d', 'COMPLETED', 0, null)])).toEqual({ kind: 'finished' });
  });

  it('visitedSteps holds only steps the run moved past', () => {
    const v = visitedSteps([
      rec('a', 'COMPLETED', 0, 'b'),
      rec('b', 'FAILED', 1),
      rec('c', 'FAILED', 2, 'd'),
    ]);
    expect([...v].sort()).toEqual(['a', 'c']);
  });
});
