/**
 * The kernel's public door (package.json `exports["./kernel"]`): what an embedder or a tool needs
 * to host agentkernel's pieces without Jupyter's process model: the TypeScript cell engine, the
 * tslab-compatible display API, the output-routing context, the protocol server and the process
 * entry. Everything here is re-exported; importing this file loads no TypeScript compiler (the cell
 * engine loads it on its first cell) and no runtime (loaded on first use by cells and magics).
 */

// TypeScript cells
export {
  createCellEngine,
  type CellEngineOptions,
  type TypeCheckMode,
  type TypeScriptCellEngine,
} from './cells/engine.js';
export type {
  CellEngine,
  CompletionResult,
  ExecuteOptions,
  ExecuteOutcome,
  InspectResult,
  IsCompleteResult,
} from './cells/types.js';

// Display API (tslab compatible) and where output goes
export {
  display,
  newDisplay,
  clearOutput,
  tslabModule,
  NoOutputContextError,
  type Display,
  type DisplayFunction,
} from './display/display.js';
export {
  outputContext,
  currentSink,
  type OutputSink,
  type MimeBundle,
  type DisplayOptions,
} from './output/sink.js';

// Magics (%workflow, %runs, ...)
export { tryRunMagic, completeMagic, isMagic, isCompleteMagic } from './magics/index.js';

// Protocol server and process entry
export { KernelServer, type KernelServerOptions, type FrameTransport } from './server.js';
export { runKernel } from './main.js';
export {
  installKernel,
  uninstallKernel,
  buildKernelSpec,
  DEFAULT_KERNEL_NAME,
  DISPLAY_NAME,
} from './install.js';
