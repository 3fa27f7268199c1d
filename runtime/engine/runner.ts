/**
 * Running a parsed workflow, or resuming a recorded run, inside a project: the public API
 * (runtime/api.ts) minus turning YAML into a definition. The sync bridge's worker runs
 * definitions its caller already parsed through here, so it never loads the YAML parser for them;
 * the loader is imported only when a recorded workflow must be read back (resume).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ResumeRunOptions, RunOptions, RuntimeOptions } from '../api.js';
import { secretValues } from '../config-model.js';
import type { WorkflowDefinition } from '../definition/types.js';
import { CancelledError } from '../errors.js';
import type { InputHandler } from '../steps/input-step.js';
import { createStepHandlers } from '../steps/registry.js';
import { MemoryRunStore } from '../store/memory-store.js';
import { makeRedactor } from '../store/redact.js';
import type { RunRecord, RunStore } from '../store/run-store.js';
import { CancellationScope } from './cancellation.js';
import type { RunEventListener } from './events.js';
import { Executor } from './executor.js';
import { findProjectDir, openProject, type Project, type ProjectOptions } from './project.js';
import type { RunResult } from './result.js';

/** A definition ready to run, with the project it runs in. */
export interface LoadedWorkflow {
  definition: WorkflowDefinition;
  project: Project;
}

/** The project a run opens, from the run's options. */
export function projectOptions(projectDir: string, options: RuntimeOptions): ProjectOptions {
  return {
    projectDir,
    // Runs look tools up through their step handlers, which wait for these (ToolRegistry.ready).
    deferBuiltinTools: true,
    ...(options.config ? { config: options.config } : {}),
    ...(options.layout ? { layout: options.layout } : {}),
    ...(options.functions ? { functions: options.functions } : {}),
    ...(options.tools ? { tools: options.tools } : {}),
  };
}

export function executorFor(
  project: Project,
  store: RunStore,
  onEvent: RunEventListener | undefined,
  llm?: RuntimeOptions['llm'],
  onInput?: InputHandler,
): Executor {
  // Events leave the runtime (notebook, CLI, sync bridge): API keys and `secrets` values are
  // scrubbed from them here, as durable stores scrub what they write (added by G).
  const redact = makeRedactor(secretValues(project.config, llm?.env ?? process.env));
  const listener: RunEventListener | undefined =
    onEvent && redact ? (event) => onEvent(redact(event)) : onEvent;
  return new Executor({
    store,
    handlers: createStepHandlers({
      functions: project.functions,
      tools: project.tools,
      agents: { config: project.config, ...llm },
      ...(onInput ? { onInput } : {}),
    }),
    ...(listener ? { onEvent: listener } : {}),
    loadWorkflow: (run) => loadRecordedWorkflow(run, project),
  });
}

/**
 * The workflow a resumed run continues with: the file as it is NOW when it still exists (so an
 * edit trips the integrity lock), else the YAML recorded with the run.
 */
async function loadRecordedWorkflow(run: RunRecord, project: Project): Promise<WorkflowDefinition> {
  const { INLINE_FILE, parseWorkflow } = await import('../definition/load.js');
  if (run.workflowFile !== null && existsSync(run.workflowFile)) {
    const text = await readFile(run.workflowFile, 'utf8');
    return parseWorkflow(text, {
      file: run.workflowFile,
      baseDir: project.dir,
      functions: project.functions,
    });
  }
  return parseWorkflow(run.workflowYaml, {
    file: run.workflowFile ?? INLINE_FILE,
    baseDir: project.dir,
    functions: project.functions,
  });
}

/** A run signal that also fires after `timeoutMs`; `dispose` clears the timer. */
function runSignal(
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): { signal: AbortSignal; dispose: () => void } {
  const scope = new CancellationScope(signal);
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => scope.abort(new CancelledError(`Run timed out after ${timeoutMs}ms (timeoutMs)`)),
          timeoutMs,
        );
  return {
    signal: scope.signal,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      scope.dispose();
    },
  };
}

/**
 * Loads (with `load`, under the run's signal and time limit) and runs a workflow to its end; the
 * body of `runWorkflow`, whatever the workflow came from.
 */
export async function runLoaded(
  load: () => Promise<LoadedWorkflow>,
  options: RunOptions,
): Promise<RunResult> {
  const ownsStore = options.store === undefined;
  const store = options.store ?? new MemoryRunStore();
  const { signal, dispose } = runSignal(options.signal, options.timeoutMs);
  try {
    const { definition, project } = await load();
    const executor = executorFor(project, store, options.onEvent, options.llm, options.onInput);
    return await executor.run(definition, options.inputs ?? {}, { signal });
  } finally {
    dispose();
    if (ownsStore) await store.close();
  }
}

/** Resumes a FAILED, CANCELLED or crashed run recorded in `options.store` (see api.ts resumeRun). */
export async function resumeRecordedRun(
  runId: string,
  options: ResumeRunOptions & { onEvent?: RunEventListener },
): Promise<RunResult> {
  const run = await options.store.getRun(runId);
  const cwd = options.cwd ?? process.cwd();
  const projectDir = options.projectDir ?? findProjectDir(run?.workflowFile ?? null, cwd);
  const project = await openProject(projectOptions(projectDir, options));
  const { signal, dispose } = runSignal(options.signal, options.timeoutMs);
  try {
    return await executorFor(
      project,
      options.store,
      options.onEvent,
      options.llm,
      options.onInput,
    ).resume(runId, {
      signal,
      ...(options.force !== undefined ? { force: options.force } : {}),
    });
  } finally {
    dispose();
  }
}
