/**
 * Builds WorkflowDefinition objects in code for engine unit tests, so the engine is tested on its
 * own (the YAML loader has its own tests; samples.test.ts runs real files end to end).
 */
import { createHash } from 'node:crypto';
import { parseExpression } from '../../../runtime/definition/expressions.js';
import type {
  BranchRule,
  InputSpec,
  RetryPolicy,
  StepDefinition,
  WorkflowDefinition,
} from '../../../runtime/definition/types.js';
import type { JsonObject, JsonValue } from '../../../runtime/json.js';

const position = { file: '<test>', line: 1, col: 1 };

export const NO_RETRY: RetryPolicy = {
  attempts: 1,
  backoff: 'fixed',
  initialDelayMs: 0,
  jitter: 0,
};

export function when(expression: string, goto: string): BranchRule {
  return { kind: 'when', when: expression, expr: parseExpression(expression), goto, position };
}

export function otherwise(goto: string): BranchRule {
  return { kind: 'default', goto, position };
}

type StepOptions = Partial<Omit<StepDefinition, 'id' | 'type' | 'inputs'>> & {
  inputs?: Record<string, string | { literal: JsonValue }>;
};

function inputsOf(inputs: StepOptions['inputs']): StepDefinition['inputs'] {
  if (!inputs) return { form: 'none' };
  const entries: Record<
    string,
    | { kind: 'path'; path: { text: string; segments: string[] } }
    | { kind: 'literal'; value: JsonValue }
  > = {};
  for (const [key, value] of Object.entries(inputs)) {
    entries[key] =
      typeof value === 'string'
        ? { kind: 'path', path: { text: value, segments: value.split('.') } }
        : { kind: 'literal', value: value.literal };
  }
  return { form: 'mapping', entries };
}

export function fnStep(id: string, fn: string, options: StepOptions = {}): StepDefinition {
  const { inputs, ...rest } = options;
  return {
    id,
    type: 'function',
    function: fn,
    inputs: inputsOf(inputs),
    retry: NO_RETRY,
    optional: false,
    position,
    ...rest,
  } as StepDefinition;
}

export function toolStep(id: string, tool: string, options: StepOptions = {}): StepDefinition {
  const { inputs, ...rest } = options;
  return {
    id,
    type: 'tool',
    tool,
    inputs: inputsOf(inputs),
    retry: NO_RETRY,
    optional: false,
    position,
    ...rest,
  } as StepDefinition;
}

export function workflow(
  steps: StepDefinition[],
  options: {
    id?: string;
    inputs?: Record<string, { default?: JsonValue; required?: boolean }>;
    onError?: 'fail_fast' | 'continue';
    latencyBudgetMs?: number;
    text?: string;
  } = {},
): WorkflowDefinition {
  const inputs: InputSpec[] = Object.entries(options.inputs ?? {}).map(([name, spec]) => ({
    name,
    required: spec.required ?? !('default' in spec),
    hasDefault: 'default' in spec,
    ...('default' in spec ? { default: spec.default } : {}),
  }));
  const text =
    options.text ?? JSON.stringify({ id: options.id ?? 'test_wf', steps: steps.map((s) => s.id) });
  return {
    schemaVersion: 'v1',
    id: options.id ?? 'test_wf',
    version: 'v1',
    inputs,
    inputsDeclared: true,
    onError: options.onError ?? 'fail_fast',
    ...(options.latencyBudgetMs !== undefined ? { latencyBudgetMs: options.latencyBudgetMs } : {}),
    steps,
    source: {
      file: '<inline>',
      baseDir: '/',
      text,
      hash: createHash('sha256').update(text).digest('hex'),
    },
  };
}

export const emptyState: JsonObject = { inputs: {}, steps: {}, runtime: {} };
