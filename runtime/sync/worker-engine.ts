/**
 * What the sync bridge's worker runs: `runPrepared` for workflows the caller already parsed (the
 * common path), `runWorkflow` / `resumeRun` otherwise. Its static imports are the run core only
 * (executor, step runner, steps, project, memory store), which is what the worker loads while it
 * boots; the YAML loader (api.js), tsx, ajv, the agent step and better-sqlite3 load when a run
 * needs them.
 */
import { loadDotEnv } from '../config-model.js';
import type { WorkflowDefinition } from '../definition/types.js';
import type { RunOptions, ResumeRunOptions } from '../api.js';
import { openProject, type Project } from '../engine/project.js';
import type { RunResult } from '../engine/result.js';
import { projectOptions, resumeRecordedRun, runLoaded } from '../engine/runner.js';
import type { RunEventListener } from '../engine/events.js';
import type { PreparedWorkflow } from './messages.js';

/** A workflow given as a path, inline YAML or id: parsed here, as `runWorkflow` does. */
export async function runWorkflow(workflow: string, options: RunOptions): Promise<RunResult> {
  const api = await import('../api.js');
  return api.runWorkflow(workflow, options);
}

export function resumeRun(
  runId: string,
  options: ResumeRunOptions & { onEvent?: RunEventListener },
): Promise<RunResult> {
  return resumeRecordedRun(runId, options);
}

/** Runs a definition the caller parsed, in its project. */
export function runPrepared(prepared: PreparedWorkflow, options: RunOptions): Promise<RunResult> {
  return runLoaded(async () => {
    if (prepared.config && !options.config) {
      // The caller read runtime.yaml (and loaded .env into ITS process.env); reading the config
      // here would have loaded .env into this thread's copy of the environment, so do that part.
      loadDotEnv(prepared.projectDir, process.env);
    }
    const project = await openProject(
      projectOptions(prepared.projectDir, {
        ...options,
        ...(prepared.config && !options.config ? { config: prepared.config } : {}),
      }),
    );
    return { definition: await checkFunctionRefs(prepared.definition, project), project };
  }, options);
}

/**
 * The caller parsed without the project's functions (it has not imported them), so a misspelt
 * `function:` was not caught. Any unknown ref: parse the text again here, with the catalog, which
 * throws the DefinitionError runWorkflow would have (every diagnostic, with file:line:col).
 */
async function checkFunctionRefs(
  definition: WorkflowDefinition,
  project: Project,
): Promise<WorkflowDefinition> {
  const unknown = definition.steps.some(
    (step) => step.type === 'function' && !project.functions.has(step.function),
  );
  if (!unknown) return definition;
  const { parseWorkflow } = await import('../definition/load.js');
  return parseWorkflow(definition.source.text, {
    file: definition.source.file,
    baseDir: project.dir,
    functions: project.functions,
  });
}
