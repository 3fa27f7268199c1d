/**
 * The public API: run a workflow from a file, an inline YAML string or a registered id, stream its
 * events, resume it, or build a reusable Runtime. Everything here is thin wiring over
 * definition/load (YAML → definition), engine/project (functions + tools) and engine/executor.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeConfig } from './config-model.js';
import { INLINE_FILE, parseWorkflow } from './definition/load.js';
import { agentCatalogOption } from './agents/project-catalog.js';
import { AgentkernelError } from './errors.js';
import type { JsonObject } from './json.js';
import { EventStream } from './engine/event-stream.js';
import type { RunEvent, RunEventListener } from './engine/events.js';
import { findProjectDir, openProject, type ProjectLayout } from './engine/project.js';
import type { RunResult } from './engine/result.js';
import {
  projectOptions,
  resumeRecordedRun,
  runLoaded,
  type LoadedWorkflow,
} from './engine/runner.js';
import { resolveWorkflowRef } from './engine/workflow-ref.js';
import { isInlineYaml } from './engine/workflow-source.js';
import type { StepFunction } from './functions/catalog.js';
import type { AgentStepServices } from './steps/agent-step.js';
import type { InputHandler } from './steps/input-step.js';
import { MemoryRunStore } from './store/memory-store.js';
import type { RunStore } from './store/run-store.js';
import type { Tool } from './tools/tool.js';
import { prepareOnCaller } from './sync/caller-parse.js';
import {
  installCallerParser,
  resumeRunSync,
  runWorkflowSync,
  type SyncRunOptions,
} from './sync/run-sync.js';

export { isInlineYaml };

// Whoever imports this module has the workflow loader loaded, so the sync bridge may parse on the
// calling thread (while its worker starts) and send the worker the definition: the worker then
// needs no YAML parser. A program that imports only runtime/sync/run-sync.js leaves it unset and
// its worker parses.
installCallerParser(prepareOnCaller);

export interface RuntimeOptions {
  /** Where runs are recorded; default: a fresh in-memory store (closed when the call/runtime ends). */
  store?: RunStore;
  /**
   * The project directory (functions/, tools/, workflows/, runtime.yaml). Default: the nearest
   * ancestor of the workflow file holding runtime.yaml or functions/, else the cwd.
   */
  projectDir?: string;
  /** In-process functions by ref; they take precedence over the project's `functions/` modules. */
  functions?: Record<string, StepFunction>;
  /** In-process tools, added to the built-ins and the project's `tools/`. */
  tools?: readonly Tool[];
  /** The project configuration; default: the project's runtime.yaml (see loadRuntimeConfig). */
  config?: RuntimeConfig;
  /** Overrides of the directories runtime.yaml's `*_dir` keys set. */
  layout?: Partial<ProjectLayout>;
  onEvent?: RunEventListener;
  /** Working directory for relative paths; default process.cwd(). */
  cwd?: string;
  /**
   * LLM settings for agent steps (added by G): in-code scripts for `scripted/<name>` models, the
   * environment API keys are read from (default process.env), HTTP retry/timeout overrides.
   */
  llm?: Pick<AgentStepServices, 'scripts' | 'env' | 'http'>;
  /**
   * Answers `type: input` steps (human in the loop): called with the rendered prompt, returns the
   * answer, which is recorded as the step's output (resume and replay never ask again). Absent
   * (batch runs): an input step takes its `default`, else fails with AR-INPUT-REQUIRED.
   */
  onInput?: InputHandler;
}

export interface RunOptions extends RuntimeOptions {
  inputs?: JsonObject;
  signal?: AbortSignal;
  /** Cancels the run (CANCELLED, resumable) once this much wall time has passed. */
  timeoutMs?: number;
}

export interface ResumeRunOptions extends Omit<RuntimeOptions, 'store'> {
  /** The store holding the run (required: a fresh memory store has no runs to resume). */
  store: RunStore;
  /** Resume even though the workflow file changed since the run started. */
  force?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

async function loadWorkflow(pathOrYaml: string, options: RuntimeOptions): Promise<LoadedWorkflow> {
  const cwd = options.cwd ?? process.cwd();
  if (isInlineYaml(pathOrYaml)) {
    const project = await openProject(
      projectOptions(path.resolve(options.projectDir ?? cwd), options),
    );
    const definition = parseWorkflow(pathOrYaml, {
      file: INLINE_FILE,
      baseDir: project.dir,
      functions: project.functions,
      // G2: agent steps naming no agent of the project fail at load (UNKNOWN_AGENT).
      ...(await agentCatalogOption(project.config.agentsDir, pathOrYaml)),
    });
    return { definition, project };
  }
  const asFile = path.resolve(cwd, pathOrYaml);
  if (existsSync(asFile)) {
    const projectDir = options.projectDir ?? findProjectDir(asFile, cwd);
    const project = await openProject(projectOptions(projectDir, options));
    const text = await readFile(asFile, 'utf8');
    return {
      definition: parseWorkflow(text, {
        file: asFile,
        baseDir: project.dir,
        functions: project.functions,
        ...(await agentCatalogOption(project.config.agentsDir, text)),
      }),
      project,
    };
  }
  // Not a file: a workflow id with an optional @version, looked up in the project's workflows dir.
  const project = await openProject(
    projectOptions(path.resolve(options.projectDir ?? cwd), options),
  );
  const file = await resolveWorkflowRef(pathOrYaml, project.workflowsDir, project.functions);
  const text = await readFile(file, 'utf8');
  return {
    definition: parseWorkflow(text, {
      file,
      baseDir: project.dir,
      functions: project.functions,
      ...(await agentCatalogOption(project.config.agentsDir, text)),
    }),
    project,
  };
}

/**
 * Runs a workflow to its end and returns the RunResult (a failed run is a result with
 * `status: 'FAILED'`, not an exception). Throws only when the run cannot start: a broken workflow
 * (DefinitionError with every diagnostic), bad inputs (InputValidationError), a missing file.
 */
export async function runWorkflow(
  pathOrYaml: string,
  options: RunOptions = {},
): Promise<RunResult> {
  return runLoaded(() => loadWorkflow(pathOrYaml, options), options);
}

export interface RunStream {
  /** Every RunEvent of the run, in order; ends when the run ends. */
  events: AsyncIterable<RunEvent>;
  result: Promise<RunResult>;
}

/** Like runWorkflow, with the events as an async iterable: `for await (const e of stream.events)`. */
export function streamWorkflow(pathOrYaml: string, options: RunOptions = {}): RunStream {
  const events = new EventStream();
  const onEvent: RunEventListener = (e) => {
    events.push(e);
    options.onEvent?.(e);
  };
  const result = runWorkflow(pathOrYaml, { ...options, onEvent }).finally(() => events.end());
  // A consumer that only iterates events must not get an unhandled rejection; awaiting `result` still throws.
  result.catch(() => undefined);
  return { events, result };
}

/** Resumes a FAILED, CANCELLED or crashed run recorded in `options.store`. */
export async function resumeRun(
  runId: string,
  options: ResumeRunOptions & { onEvent?: RunEventListener },
): Promise<RunResult> {
  return resumeRecordedRun(runId, options);
}

/** What one call on a Runtime may set; everything else comes from the runtime's options. */
export type RuntimeRunCallOptions = Pick<
  RunOptions,
  'inputs' | 'signal' | 'onEvent' | 'timeoutMs' | 'onInput'
>;
export type RuntimeResumeCallOptions = Pick<
  ResumeRunOptions,
  'force' | 'signal' | 'onEvent' | 'timeoutMs' | 'onInput'
>;

/** A reusable runtime: one store and one configuration for many runs. */
export interface Runtime {
  readonly store: RunStore;
  run(pathOrYaml: string, options?: RuntimeRunCallOptions): Promise<RunResult>;
  stream(pathOrYaml: string, options?: RuntimeRunCallOptions): RunStream;
  resume(runId: string, options?: RuntimeResumeCallOptions): Promise<RunResult>;
  /**
   * `run`, blocking this thread (works inside a running event loop; see runtime/sync/run-sync.ts).
   * The run goes to a worker thread, which opens this runtime's store by path: it needs a
   * SqliteRunStore on a file (an in-memory store is refused with that fix). In-process functions
   * and tools must be synchronous.
   */
  runSync(pathOrYaml: string, options?: RuntimeRunCallOptions): RunResult;
  /** `resume`, blocking this thread; same conditions as runSync. */
  resumeSync(runId: string, options?: RuntimeResumeCallOptions): RunResult;
  /** Closes the store if the runtime created it; later calls throw. */
  close(): Promise<void>;
}

export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const ownsStore = options.store === undefined;
  const store = options.store ?? new MemoryRunStore();
  let closed = false;
  const check = (): void => {
    if (closed)
      throw new AgentkernelError(
        'AR-UNEXPECTED',
        'This runtime is closed; create a new one with createRuntime()',
      );
  };
  const merged = (perCall: RunEventListener | undefined): RunEventListener | undefined =>
    options.onEvent && perCall
      ? (e) => (options.onEvent?.(e), perCall(e))
      : (perCall ?? options.onEvent);
  /** A call's options over the runtime's: this runtime's store, both event listeners. Checks it is open. */
  const withRuntime = <T extends { onEvent?: RunEventListener }>(call: T) => {
    check();
    return { ...options, ...call, store, onEvent: merged(call.onEvent) };
  };
  return {
    store,
    async run(pathOrYaml, call = {}) {
      return runWorkflow(pathOrYaml, withRuntime(call));
    },
    stream(pathOrYaml, call = {}) {
      return streamWorkflow(pathOrYaml, withRuntime(call));
    },
    async resume(runId, call = {}) {
      return resumeRun(runId, withRuntime(call));
    },
    // Added by the sync bridge (F): the same merge of options, run by value on the bridge's worker.
    runSync(pathOrYaml, call = {}) {
      return runWorkflowSync(pathOrYaml, withRuntime(call) as SyncRunOptions);
    },
    resumeSync(runId, call = {}) {
      return resumeRunSync(runId, withRuntime(call) as SyncRunOptions);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (ownsStore) await store.close();
    },
  };
}
