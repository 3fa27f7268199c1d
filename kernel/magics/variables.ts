/**
 * The notebook's variables as magics see them. D's cell engine hoists every top-level name of a
 * cell to a property of the main context's global object, so a magic reads `obj` or `obj.inputs`
 * and writes `-o name` there, and later cells see it like any variable they declared themselves.
 */
import vm from 'node:vm';
import type { JsonObject, JsonValue } from '../../runtime/index.js';
import { MagicUsageError } from './parse.js';

/** `name` or `name.field.sub`: what `--inputs-from` and `$var` accept (never arbitrary code). */
const VARIABLE_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export interface VariableScope {
  /** The value at a dotted path; throws MagicUsageError when the root name is not defined. */
  get(path: string): unknown;
  set(name: string, value: unknown): void;
}

/**
 * The main context's global object: the cells' scope. Asked through `vm` because this module may
 * itself be loaded inside another context (jest runs tests that way).
 */
function cellGlobal(): Record<string, unknown> {
  return vm.runInThisContext('globalThis') as Record<string, unknown>;
}

export const cellVariables: VariableScope = {
  get(path: string): unknown {
    if (!VARIABLE_PATH.test(path)) {
      throw new MagicUsageError(`'${path}' is not a variable name (expected name or name.field)`);
    }
    const [root, ...fields] = path.split('.');
    const g = cellGlobal();
    if (!(root! in g))
      throw new MagicUsageError(`Variable '${root}' is not defined; define it in a cell first`);
    let value: unknown = g[root!];
    for (const field of fields) {
      if (typeof value !== 'object' || value === null) {
        throw new MagicUsageError(
          `'${path}': cannot read '${field}' of ${value === null ? 'null' : typeof value}`,
        );
      }
      value = (value as Record<string, unknown>)[field];
    }
    return value;
  },
  set(name: string, value: unknown): void {
    if (!IDENTIFIER.test(name))
      throw new MagicUsageError(`-o '${name}' is not a valid variable name`);
    cellGlobal()[name] = value;
  },
};

/** A variable's value as workflow input: plain JSON only (what a run records and replays). */
export function toJsonValue(value: unknown, what: string): JsonValue {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw new MagicUsageError(
      `${what} cannot be used as a workflow input: ${(e as Error).message}`,
    );
  }
  if (json === undefined) throw new MagicUsageError(`${what} is ${typeof value}, not a JSON value`);
  return JSON.parse(json) as JsonValue;
}

export function toJsonObject(value: unknown, what: string): JsonObject {
  const json = toJsonValue(value, what);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MagicUsageError(
      `${what} must be an object of input values, got ${Array.isArray(json) ? 'an array' : typeof json}`,
    );
  }
  return json;
}
