/**
 * The typed shape of a workflow file (the Python agent_runtime's schema v1). The loader turns YAML
 * into these types or into a DefinitionError; everything downstream trusts them.
 */
import type { JsonObject, JsonValue } from '../json.js';
import type { Expr } from './expressions.js';

/** Where a definition element came from, for messages that point back into the file. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export interface InputSpec {
  name: string;
  description?: string;
  /** Defaults to "true unless a default is given", as in the Python runtime. */
  required: boolean;
  /** Present only when the file gives a default (a default may be `null`). */
  default?: JsonValue;
  hasDefault: boolean;
  /** Accepted and recorded, not enforced (as in the Python runtime). */
  type?: string;
}

/** A dot-path into run state: `inputs.issue` → ['inputs', 'issue']. */
export interface StatePath {
  /** The path as written, for messages. */
  text: string;
  segments: string[];
}

/** One value in a step's `inputs` mapping: a dot-path into state or a literal. */
export type InputValue = { kind: 'path'; path: StatePath } | { kind: 'literal'; value: JsonValue };

/**
 * How a step's input is built. `mapping` and `contract` both resolve to key → value; `contract`
 * (the list form) was resolved to paths at load time. `none` passes the whole state snapshot.
 */
export type StepInputSpec =
  | { form: 'mapping'; entries: Record<string, InputValue> }
  | { form: 'contract'; entries: Record<string, InputValue> }
  | { form: 'none' };

export type OutputType = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'dict';

export interface OutputRule {
  type?: OutputType;
  enum?: JsonValue[];
  /** Full-match regular expression (anchored by the runtime). */
  regex?: string;
}

export interface RetryPolicy {
  /** Total attempts, >= 1. */
  attempts: number;
  backoff: 'fixed' | 'exponential';
  /** `initial_delay` in the file is seconds; kept here in milliseconds. */
  initialDelayMs: number;
  /** Optional cap on any single wait (`max_delay`, seconds in the file). */
  maxDelayMs?: number;
  /** Fraction 0..1 of each delay added at random (`jitter: true` means 1, absent means 0). */
  jitter: number;
}

export type BranchRule =
  | { kind: 'when'; when: string; expr: Expr; goto: string; position: SourcePosition }
  | { kind: 'default'; goto: string; position: SourcePosition };

export type StepType = 'agent' | 'function' | 'tool' | 'input';

interface StepBase {
  id: string;
  inputs: StepInputSpec;
  /** Exact output-key contract; undefined = no contract. */
  outputs?: string[];
  outputSchema?: Record<string, OutputRule>;
  retry: RetryPolicy;
  timeoutMs?: number;
  optional: boolean;
  /** Output used when an optional step exhausts its retries. */
  default?: JsonObject;
  /** Undefined = fall through to the next step in file order. */
  next?: BranchRule[];
  position: SourcePosition;
}

export interface AgentStep extends StepBase {
  type: 'agent';
  /** Agent id with optional `@vN` pin, as written. */
  agent: string;
}

export interface FunctionStep extends StepBase {
  type: 'function';
  /** Dotted reference `module.func` (or `pkg.module.func`) into the project's `functions/` dir. */
  function: string;
}

export interface ToolStep extends StepBase {
  type: 'tool';
  /** Registered tool name, e.g. `tools.echo`. Resolved at run time. */
  tool: string;
}

/**
 * `type: input` (human in the loop): asks the person running the workflow and records the answer
 * as the step's output `{ <key>: answer }`, where <key> is the single entry of `outputs` (default
 * `value`). A recorded answer is reused by resume and replay, so nobody is asked twice.
 */
export interface InputStep extends StepBase {
  type: 'input';
  /** The question; may hold `{{ inputs.x }}` / `{{ steps.a.key }}` templates over run state. */
  prompt: string;
  /** The answer used when nobody can be asked (batch runs, no TTY). Absent: the step fails then. */
  answerDefault?: string;
  /** Hide the answer while it is typed (it is still recorded as the step output). */
  password: boolean;
  /** The output key the answer is recorded under (`outputs[0]`, else `value`). */
  outputKey: string;
}

export type StepDefinition = AgentStep | FunctionStep | ToolStep | InputStep;

export interface WorkflowDefinition {
  schemaVersion: 'v1';
  id: string;
  /** Normalised version, e.g. `v1` or `v1.1`. */
  version: string;
  /** Declared (or, when `inputs` is absent, inferred) inputs, in file order. */
  inputs: InputSpec[];
  inputsDeclared: boolean;
  onError: 'fail_fast' | 'continue';
  latencyBudgetMs?: number;
  steps: StepDefinition[];
  source: WorkflowSource;
}

export interface WorkflowSource {
  /** Absolute path of the file, or `<inline>` for YAML passed as a string. */
  file: string;
  /** Directory that relative `functions/`, `tools/` lookups start from. */
  baseDir: string;
  /** The raw YAML text (recorded with every run). */
  text: string;
  /** SHA-256 hex of the raw text: the resume integrity lock. */
  hash: string;
}
