/**
 * A project: the directory a workflow runs in, holding `runtime.yaml`, `functions/`, `tools/` and
 * `workflows/`. Opening one imports its functions and tools (each module once per process) and
 * merges in what the caller registered in-process, which wins over files.
 */
import path from 'node:path';
import { loadProjectConfig, type RuntimeConfig } from '../config-model.js';
import { FunctionCatalog, type StepFunction } from '../functions/catalog.js';
import { discoverTools } from '../tools/discover.js';
import { ToolRegistry } from '../tools/registry.js';
import type { Tool } from '../tools/tool.js';
import { findProjectDir, isDir } from './workflow-source.js';

export { findProjectDir };

/** Where a project's parts live, relative to the project directory unless absolute. */
export interface ProjectLayout {
  workflowsDir: string;
  functionsDir: string;
  toolsDir: string;
}

export const DEFAULT_LAYOUT: ProjectLayout = {
  workflowsDir: 'workflows',
  functionsDir: 'functions',
  toolsDir: 'tools',
};

export interface ProjectOptions {
  projectDir: string;
  /** The project's configuration; default: its runtime.yaml (with `${VAR}`s, .env and RUNTIME_ENV applied). */
  config?: RuntimeConfig;
  /** Overrides of the directories the config names (relative to the project directory). */
  layout?: Partial<ProjectLayout>;
  /** In-process functions by ref (`'triage.classify_issue': fn`); they take precedence over files. */
  functions?: Record<string, StepFunction>;
  /** In-process tools, registered after the built-ins and the project's `tools/` modules. */
  tools?: readonly Tool[];
  /**
   * Register the configurable built-in tools (tools.http/file/shell) with `registerLater`, so
   * their modules (node:http/https/dns/child_process) load only when a step needs a tool: what
   * runs do. Default false: they are registered at once, and `project.tools` lists them.
   */
  deferBuiltinTools?: boolean;
}

export interface Project {
  dir: string;
  config: RuntimeConfig;
  workflowsDir: string;
  functionsDir: string;
  toolsDir: string;
  functions: FunctionCatalog;
  tools: ToolRegistry;
}

export async function openProject(options: ProjectOptions): Promise<Project> {
  const dir = path.resolve(options.projectDir);
  // Without a runtime.yaml this loads no YAML parser (see loadProjectConfig).
  const config = options.config ?? (await loadProjectConfig(dir));
  const layout = {
    workflowsDir: config.workflowsDir,
    functionsDir: config.functionsDir,
    toolsDir: config.toolsDir,
    ...options.layout,
  };
  const workflowsDir = path.resolve(dir, layout.workflowsDir);
  const functionsDir = path.resolve(dir, layout.functionsDir);
  const toolsDir = path.resolve(dir, layout.toolsDir);
  const functions = await FunctionCatalog.load(
    isDir(functionsDir) ? functionsDir : null,
    options.functions,
  );
  const tools = ToolRegistry.withBuiltins();
  await discoverTools(toolsDir, tools);
  for (const tool of options.tools ?? []) tools.register(tool, '<api>');
  // Built-in tools.http / tools.file / tools.shell (configured from runtime.yaml; added by G). They
  // go last and yield to a project or in-process tool of the same name. Imported here rather than
  // with the engine: they bring node:http/https/dns/child_process (~10 ms cold).
  const builtins = async () =>
    (await import('../tools/builtin/index.js')).configuredBuiltinTools(config);
  if (options.deferBuiltinTools) tools.registerLater(builtins);
  else
    for (const tool of await builtins())
      if (!tools.has(tool.name)) tools.register(tool, '<builtin>');
  return { dir, config, workflowsDir, functionsDir, toolsDir, functions, tools };
}
