/** Tool input validation against the tool's JSON Schema (ajv, compiled once per tool). */
import { createRequire } from 'node:module';
import type { Ajv as AjvInstance, ValidateFunction } from 'ajv';
import { AgentkernelError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { Tool } from './tool.js';

let ajv: AjvInstance | undefined;
const compiled = new WeakMap<Tool, ValidateFunction>();

/**
 * ajv is loaded on the first validation, not with the engine: importing it costs ~30-60 ms, which
 * every run without a tool (and the sync bridge worker's cold start) would pay for nothing. It is
 * CommonJS, so `require` loads it synchronously and validateToolInput stays synchronous.
 */
function sharedAjv(): AjvInstance {
  if (!ajv) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    // validateSchema: false skips checking each tool schema against the JSON Schema meta-schema,
    // which costs ~75 ms on first use (compiling the meta-schema) in every CLI run; a schema ajv
    // cannot compile is still reported below.
    ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  }
  return ajv;
}

/** The input does not match the tool's schema: deterministic, so it is not retried. */
export class ToolInputError extends AgentkernelError {
  constructor(message: string, details: JsonObject = {}) {
    super('AR-INPUT-VALIDATION', message, { details });
  }
}

export function validateToolInput(tool: Tool, input: JsonObject): void {
  let validate = compiled.get(tool);
  if (!validate) {
    try {
      validate = sharedAjv().compile(tool.inputSchema);
    } catch (error) {
      throw new ToolInputError(
        `Tool '${tool.name}' has an invalid inputSchema: ${(error as Error).message}`,
      );
    }
    compiled.set(tool, validate);
  }
  if (!validate(input)) {
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath || '(input)'} ${e.message ?? 'is invalid'}`,
    );
    throw new ToolInputError(`Invalid input for tool '${tool.name}': ${problems.join('; ')}`, {
      tool: tool.name,
      problems,
    });
  }
}
