/**
 * A small engine for testing the bridge's mechanics independently of the workflow engine: the
 * "workflow" is a JSON list of actions, run in order on the worker thread with the same option
 * names as runtime/api.ts (`onEvent`, `functions`, `tools`, `signal`). It is loaded by path in the
 * worker through `SyncBridge({ engineModule })`, exactly as runtime/api.js is.
 */
import type { JsonObject } from '../../../../runtime/json.js';
import type { StepContext } from '../../../../runtime/steps/context.js';

export type TaskAction =
  | { do: 'log'; text: string; stream?: 'stdout' | 'stderr' }
  | { do: 'event'; name: string }
  | { do: 'call'; ref: string; input?: JsonObject }
  | { do: 'tool'; name: string; input?: JsonObject }
  | { do: 'sleep'; ms: number }
  | { do: 'waitForAbort'; announce?: string }
  | { do: 'throw'; message: string }
  | { do: 'exit' }
  | { do: 'uncaught'; message: string }
  | { do: 'returnFunction' };

interface TaskOptions {
  signal?: AbortSignal;
  onEvent?: (event: unknown) => void;
  functions?: Record<string, (input: unknown, ctx: StepContext) => unknown>;
  tools?: { name: string; execute: (input: unknown, ctx: StepContext) => unknown }[];
  inputs?: JsonObject;
}

export async function runWorkflow(workflow: string, options: TaskOptions): Promise<unknown> {
  const actions = JSON.parse(workflow) as TaskAction[];
  const outputs: unknown[] = [];
  let index = 0;
  for (const action of actions) {
    const ctx: StepContext = {
      runId: 'task-run',
      stepId: `step${index++}`,
      attempt: 1,
      signal: options.signal ?? new AbortController().signal,
      state: { inputs: options.inputs ?? {} },
      progress: (message) => options.onEvent?.({ type: 'step_progress', message }),
    };
    if (options.signal?.aborted)
      return {
        status: 'CANCELLED',
        outputs,
        reason: String((options.signal.reason as Error).message),
      };
    switch (action.do) {
      case 'log':
        if (action.stream === 'stderr') console.error(action.text);
        else console.log(action.text);
        break;
      case 'event':
        options.onEvent?.({ type: 'custom', name: action.name });
        break;
      case 'call': {
        const fn = options.functions?.[action.ref];
        if (!fn) throw new Error(`no function ${action.ref}`);
        outputs.push(await fn(action.input ?? {}, ctx));
        break;
      }
      case 'tool': {
        const tool = options.tools?.find((t) => t.name === action.name);
        if (!tool) throw new Error(`no tool ${action.name}`);
        outputs.push(await tool.execute(action.input ?? {}, ctx));
        break;
      }
      case 'sleep':
        await new Promise((resolve) => setTimeout(resolve, action.ms));
        break;
      case 'waitForAbort':
        await new Promise((resolve) =>
          options.signal?.addEventListener('abort', resolve, { once: true }),
        );
        if (action.announce !== undefined) console.log(action.announce);
        break;
      case 'throw':
        throw new TypeError(action.message);
      case 'exit':
        process.exit(3);
        break;
      case 'uncaught':
        setTimeout(() => {
          throw new RangeError(action.message);
        }, 0);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        break;
      case 'returnFunction':
        return { status: 'COMPLETED', fn: () => 1 };
    }
  }
  if (options.signal?.aborted)
    return {
      status: 'CANCELLED',
      outputs,
      reason: String((options.signal.reason as Error).message),
    };
  return { status: 'COMPLETED', outputs, inputs: options.inputs ?? {} };
}

export async function resumeRun(runId: string, options: TaskOptions): Promise<unknown> {
  return { status: 'COMPLETED', resumed: runId, inputs: options.inputs ?? {} };
}
