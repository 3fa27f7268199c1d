/**
 * Running and completing magics (loaded on the first magic by ./index.ts): the registry of the
 * kernel's magics, its run stores, and the entry points behind `tryRunMagic`/`completeMagic`.
 */
import type { CompletionResult, ExecuteOutcome } from '../cells/types.js';
import type { OutputSink } from '../output/sink.js';
import { completeMagic as complete } from './complete.js';
import { parseMagic } from './parse.js';
import { MagicRegistry, errorOutcome } from './registry.js';
import { inspectSpec, replaySpec, resumeSpec, runsSpec } from './runs.js';
import { StoreCache } from './stores.js';
import { cellVariables, type VariableScope } from './variables.js';
import { workflowSpec } from './workflow.js';

export function createMagicRegistry(): MagicRegistry {
  return new MagicRegistry()
    .register(workflowSpec)
    .register(runsSpec)
    .register(resumeSpec)
    .register(replaySpec)
    .register(inspectSpec);
}

/** The kernel's magics and its run stores (kept open for the kernel's life). */
const defaultRegistry = createMagicRegistry();
const defaultStores = new StoreCache();

/**
 * Closes the kernel's run stores (their SQLite connections). The kernel calls it (through
 * index.ts) before process.exit, so no connection is finalized while the process tears down.
 */
export function closeMagicStores(): Promise<void> {
  return defaultStores.closeAll();
}

export interface MagicRunOptions {
  signal: AbortSignal;
  sink: OutputSink;
  /** The notebook's directory; default process.cwd() (Jupyter starts kernels there). */
  cwd?: string;
  /** Tests pass their own; default: the cells' global scope and the kernel's store cache. */
  variables?: VariableScope;
  stores?: StoreCache;
  registry?: MagicRegistry;
}

/** Runs `code` when it is a magic; null means "not a magic, run it as TypeScript". */
export async function runMagic(
  code: string,
  options: MagicRunOptions,
): Promise<ExecuteOutcome | null> {
  let parsed;
  try {
    parsed = parseMagic(code);
  } catch (e) {
    return errorOutcome(e);
  }
  if (!parsed) return null;
  return (options.registry ?? defaultRegistry).run(parsed, {
    signal: options.signal,
    sink: options.sink,
    cwd: options.cwd ?? process.cwd(),
    variables: options.variables ?? cellVariables,
    stores: options.stores ?? defaultStores,
  });
}

export interface MagicCompleteOptions {
  cwd?: string;
  stores?: StoreCache;
  registry?: MagicRegistry;
}

/** Completion inside a magic line; null when the cursor is not in one. */
export function completeInMagic(
  code: string,
  cursorPos: number,
  options: MagicCompleteOptions = {},
): Promise<CompletionResult | null> {
  return complete(code, cursorPos, {
    cwd: options.cwd ?? process.cwd(),
    stores: options.stores ?? defaultStores,
    spellings: (options.registry ?? defaultRegistry).spellings(),
  });
}
