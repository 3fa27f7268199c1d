/**
 * Checks on what a step returned, before it becomes `state.steps.<id>`: a plain JSON object, no
 * reserved keys, the exact `outputs` key contract, and `output_schema` rules. Every violation is an
 * OutputContractError (not retried: the same code returns the same shape).
 */
import { toJsRegexSource } from '../definition/python-regex.js';
import type { OutputRule, OutputType, StepDefinition } from '../definition/types.js';
import { OutputContractError, assertNever } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { jsonEqual } from '../store/state-chain.js';

/** Output keys that would shadow state namespaces (the Python runtime forbids the same three). */
export const RESERVED_OUTPUT_KEYS: readonly string[] = ['inputs', 'runtime', 'steps'];

/**
 * Normalises a step's raw return value to JSON: class instances, Dates and `undefined` fields go
 * through a JSON round trip, so what is stored, replayed and shown is exactly what later steps see.
 */
export function toJsonOutput(stepId: string, raw: unknown): JsonObject {
  if (!isJsonObject(raw)) {
    throw new OutputContractError(
      `Step '${stepId}' must return a plain object (a mapping of output keys), got ${describe(raw)}`,
      { details: { stepId } },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(JSON.stringify(raw));
  } catch (error) {
    throw new OutputContractError(
      `Step '${stepId}' returned a value that is not JSON-serialisable: ${(error as Error).message}`,
      {
        cause: error,
        details: { stepId },
      },
    );
  }
  return json as JsonObject;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined (did the function forget to return?)';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

export function checkOutput(step: StepDefinition, output: JsonObject): void {
  const keys = Object.keys(output);
  const reserved = keys.filter((k) => RESERVED_OUTPUT_KEYS.includes(k));
  if (reserved.length > 0) {
    throw new OutputContractError(
      `Output contract violation in step '${step.id}': reserved key(s) ${reserved.join(', ')} (inputs, runtime and steps are state namespaces)`,
      { details: { stepId: step.id, reserved } },
    );
  }
  if (step.outputs !== undefined) {
    const missing = step.outputs.filter((k) => !keys.includes(k));
    const extra = keys.filter((k) => !step.outputs!.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [
        missing.length > 0 ? `missing ${missing.join(', ')}` : '',
        extra.length > 0 ? `unexpected ${extra.join(', ')}` : '',
      ].filter(Boolean);
      throw new OutputContractError(
        `Output contract violation in step '${step.id}': ${parts.join('; ')} (declared outputs: ${step.outputs.join(', ')})`,
        { details: { stepId: step.id, missing, extra } },
      );
    }
  }
  for (const [key, rule] of Object.entries(step.outputSchema ?? {})) {
    // Missing keys are the `outputs` contract's business, as in the Python runtime.
    if (!(key in output)) continue;
    const problem = ruleViolation(rule, output[key] as JsonValue);
    if (problem !== null) {
      throw new OutputContractError(
        `Output schema violation in step '${step.id}', key '${key}': ${problem}`,
        {
          details: { stepId: step.id, key },
        },
      );
    }
  }
}

function ruleViolation(rule: OutputRule, value: JsonValue): string | null {
  if (rule.type !== undefined && !hasType(rule.type, value)) {
    return `expected ${rule.type}, got ${JSON.stringify(value)}`;
  }
  if (rule.enum !== undefined && !rule.enum.some((allowed) => jsonEqual(allowed, value))) {
    return `${JSON.stringify(value)} is not one of ${rule.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (rule.regex !== undefined) {
    // Python's re.fullmatch: the whole string must match.
    if (
      typeof value !== 'string' ||
      !new RegExp(`^(?:${toJsRegexSource(rule.regex)})$`, 'u').test(value)
    ) {
      return `${JSON.stringify(value)} does not fully match /${rule.regex}/`;
    }
  }
  return null;
}

function hasType(type: OutputType, value: JsonValue): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value);
    case 'dict':
      return isJsonObject(value);
    default:
      return assertNever(type, 'output type');
  }
}
