/**
 * Builds a step's input from run state: each mapping/contract entry resolves its dot-path (or
 * takes its literal); a step without `inputs` gets the whole state snapshot. A missing path throws
 * StatePathError, which fails the attempt like any other step error.
 */
import { renderTemplate, resolveStatePath } from '../definition/expressions.js';
import type { StepDefinition } from '../definition/types.js';
import { assertNever } from '../errors.js';
import type { JsonObject } from '../json.js';

export function buildStepInput(step: StepDefinition, state: JsonObject): JsonObject {
  // An input step's input is the question as asked (recorded, so inspect shows what was asked).
  if (step.type === 'input') {
    const prompt = renderTemplate(step.prompt, state);
    return step.answerDefault === undefined ? { prompt } : { prompt, default: step.answerDefault };
  }
  const spec = step.inputs;
  switch (spec.form) {
    case 'none':
      // A copy: the function may treat its input as its own, while run state stays untouched.
      return structuredClone(state);
    case 'mapping':
    case 'contract': {
      const input: JsonObject = {};
      for (const [key, value] of Object.entries(spec.entries)) {
        const resolved =
          value.kind === 'literal' ? value.value : resolveStatePath(state, value.path);
        // Objects and arrays are copied: recorded outputs are frozen, and a function may treat
        // its input as its own to modify (as it could in the Python runtime).
        input[key] =
          typeof resolved === 'object' && resolved !== null ? structuredClone(resolved) : resolved;
      }
      return input;
    }
    default:
      return assertNever(spec, 'step input form');
  }
}
