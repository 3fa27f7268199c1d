/**
 * The calling thread's half of a sync run: parse the workflow here, while the bridge's worker is
 * still starting, and send the worker the definition (plain data), so the worker does not load the
 * YAML parser or read runtime.yaml. Installed by runtime/api.ts, which has the loader loaded
 * anyway (see installCallerParser); a program that imports only run-sync.js leaves parsing to the
 * worker. Anything unusual goes to the worker unparsed, which then fails or succeeds exactly as
 * `runWorkflow` would: this is only a fast path.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RuntimeConfig } from '../config-model.js';
import { loadRuntimeConfig } from '../config.js';
import { INLINE_FILE, parseWorkflow } from '../definition/load.js';
import { findProjectDir, isInlineYaml } from '../engine/workflow-source.js';
import type { PreparedWorkflow } from './messages.js';

export interface CallerParseOptions {
  cwd?: string;
  projectDir?: string;
  config?: RuntimeConfig;
}

/**
 * A parsed workflow and its project (and runtime.yaml, unless the caller passed a config), or
 * null when the worker should load it: a workflow id (resolved in the project's workflows dir), a
 * workflow that may have agent steps, or any problem (a broken file, a bad runtime.yaml), which the worker then reports with every
 * diagnostic, unknown functions included.
 */
export function prepareOnCaller(
  workflow: string,
  options: CallerParseOptions,
): PreparedWorkflow | null {
  try {
    // The same resolution as runWorkflow's (runtime/api.ts loadWorkflow).
    const cwd = options.cwd ?? process.cwd();
    let text: string;
    let file: string;
    let projectDir: string;
    if (isInlineYaml(workflow)) {
      text = workflow;
      file = INLINE_FILE;
      projectDir = path.resolve(options.projectDir ?? cwd);
    } else {
      file = path.resolve(cwd, workflow);
      if (!existsSync(file)) return null;
      projectDir = path.resolve(options.projectDir ?? findProjectDir(file, cwd));
      text = readFileSync(file, 'utf8');
    }
    // Agent steps are checked at load against the project's agents (runtime/agents/project-catalog.ts),
    // whose loader this thread may not have: such workflows are loaded by the worker, which
    // loads the agent stack for them anyway. Same text test as agentCatalogOption.
    if (text.includes('agent')) return null;
    const definition = parseWorkflow(text, { file, baseDir: projectDir });
    // Read as runWorkflow reads it on the calling thread (this also loads the project's .env here).
    const config = options.config ? undefined : loadRuntimeConfig(projectDir);
    return { definition, projectDir, ...(config ? { config } : {}) };
  } catch {
    return null;
  }
}
