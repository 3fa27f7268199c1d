/**
 * `-i key=value` parsing with the Python CLI's coercion: `true`/`false` → boolean, integers and
 * decimals → number, `[…]`/`{…}` that parse as JSON → array/object, anything else → the string.
 */
import { InputValidationError } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';

const NUMBER = /^-?(?:\d+|\d*\.\d+)(?:[eE][-+]?\d+)?$/;

export function coerceInputValue(raw: string): JsonValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (NUMBER.test(raw)) return Number(raw);
  const t = raw.trim();
  if ((t.startsWith('[') && t.endsWith(']')) || (t.startsWith('{') && t.endsWith('}'))) {
    try {
      return JSON.parse(t) as JsonValue;
    } catch {
      // Not JSON after all: a string that happens to start with a bracket.
    }
  }
  return raw;
}

/** `['issue=bug', 'n=3']` → `{issue: 'bug', n: 3}`; a pair without `=` is a usage error. */
export function parseInputPairs(pairs: readonly string[]): JsonObject {
  const inputs: JsonObject = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new InputValidationError(`Invalid input '${pair}': write it as -i key=value`, {
        details: { pair },
      });
    }
    inputs[pair.slice(0, eq)] = coerceInputValue(pair.slice(eq + 1));
  }
  return inputs;
}
