/**
 * Run inputs: the caller's values checked against the workflow's declared (or inferred) inputs,
 * with defaults filled in. Done before the run is created, so a typo in an input name never
 * produces a half-run record.
 */
import type { WorkflowDefinition } from '../definition/types.js';
import { InputValidationError } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import { createHash } from 'node:crypto';

export function prepareInputs(def: WorkflowDefinition, given: JsonObject = {}): JsonObject {
  const known = new Set(def.inputs.map((i) => i.name));
  const unknown = Object.keys(given).filter((k) => !known.has(k));
  const missing = def.inputs
    .filter((i) => i.required && !i.hasDefault && !(i.name in given))
    .map((i) => i.name);
  if (unknown.length > 0 || missing.length > 0) {
    const parts: string[] = [];
    if (unknown.length > 0) parts.push(`unknown input(s): ${unknown.join(', ')}`);
    if (missing.length > 0) parts.push(`missing required input(s): ${missing.join(', ')}`);
    const accepted = def.inputs.map((i) =>
      i.required && !i.hasDefault ? `${i.name} (required)` : i.name,
    );
    throw new InputValidationError(
      `Invalid inputs for workflow ${def.id}@${def.version}: ${parts.join('; ')}. Accepted inputs: ${accepted.join(', ') || 'none'}`,
      { details: { unknown, missing, accepted: def.inputs.map((i) => i.name) } },
    );
  }
  const inputs: JsonObject = {};
  for (const spec of def.inputs) {
    if (spec.name in given) inputs[spec.name] = given[spec.name] as JsonValue;
    else if (spec.hasDefault) inputs[spec.name] = spec.default ?? null;
  }
  return inputs;
}

/** SHA-256 of canonical JSON (sorted keys, no spaces), like the Python runtime's `input_hash`. */
export function inputHash(inputs: JsonObject): string {
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}

export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
