/**
 * What the loader knows about a step after reading it on its own, before the cross-step checks
 * in validate.ts: the typed fields plus the YAML positions those checks need to point at.
 */
import type { JsonObject } from '../json.js';
import type { At } from './diagnostics.js';
import type { Expr } from './expressions.js';
import type {
  BranchRule,
  InputSpec,
  InputValue,
  OutputRule,
  RetryPolicy,
  SourcePosition,
  StatePath,
  StepType,
} from './types.js';

export interface PathRef {
  path: StatePath;
  at: At;
}

export interface StepDraft {
  index: number;
  id?: string;
  idAt: At;
  at: At;
  position: SourcePosition;
  type?: StepType;
  /** The agent / function / tool reference matching `type`. */
  ref?: string;
  inputForm: 'mapping' | 'contract' | 'none';
  /** Mapping-form entries, in file order. */
  mapping: Record<string, InputValue>;
  /** Mapping-form values that are dot-paths, for reference checks. */
  inputPaths: PathRef[];
  /** List-form keys, resolved against earlier outputs and inputs in validate.ts. */
  contractKeys: { key: string; at: At }[];
  outputs?: string[];
  outputAts: At[];
  outputSchema?: Record<string, OutputRule>;
  retry: RetryPolicy;
  timeoutMs?: number;
  optional: boolean;
  optionalAt: At;
  default?: JsonObject;
  defaultAt: At;
  next?: BranchRule[];
  targets: { goto: string; at: At }[];
  /** `type: input`: the question (templates over state), the default answer, hidden typing. */
  prompt?: string;
  answerDefault?: string;
  password?: boolean;
  /** State paths used by `when` conditions. */
  whenPaths: { expr: Expr & { kind: 'path' }; at: At }[];
}

export interface InputsDraft {
  specs: InputSpec[];
  declared: boolean;
}
