/**
 * Everything that crosses between a thread blocked in `runWorkflowSync` ("main") and the bridge's
 * worker thread. Messages travel over one MessageChannel: the worker posts and then bumps a shared
 * Int32 counter (so the blocked caller wakes from `Atomics.wait`), the caller drains with
 * `receiveMessageOnPort`. Every message about a call carries that call's `callId`, so a late
 * message from an abandoned call is recognised and dropped instead of being read as the answer to
 * the next one.
 */
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import type { RunEvent } from '../engine/events.js';
import type { RuntimeConfig } from '../config-model.js';
import type { WorkflowDefinition } from '../definition/types.js';

/** Cells of the bridge's shared Int32Array (`STATE_CELLS` of them). */
export const WAKE_CELL = 0;
/** 0 while the worker is alive; set to 1 by the worker's `exit` hook, so a blocked caller notices. */
export const WORKER_EXITED_CELL = 1;
/**
 * Bumped by the caller once it has handled an event. The worker waits for it after posting each
 * event, so the run goes on only after the caller's `onEvent` returned, exactly as with the async
 * API: an `onEvent` that aborts the signal stops the run before its next step.
 */
export const EVENT_ACK_CELL = 2;
/**
 * Set to 1 by the worker as its first act. A worker that fails before running any JS (a bad
 * execArgv, a missing file) reports that only through the caller's event loop, which is blocked,
 * so the caller gives up on a worker that has not booted in time instead of waiting forever.
 */
export const WORKER_BOOTED_CELL = 3;
export const STATE_CELLS = 4;

/** What the worker needs to boot: the engine to run and the shared state to signal through. */
export interface WorkerBootData {
  /**
   * URL of a module exporting `runWorkflow` and `resumeRun`, and `runPrepared` if it takes
   * caller-parsed workflows (normally runtime/sync/worker-engine.js).
   */
  engineModule: string;
  state: SharedArrayBuffer;
  /** Transferred MessagePort the worker talks through. */
  port: MessagePort;
}

/** A caller-registered tool, minus its `execute` closure (which stays on the calling thread). */
export interface ToolDescriptor {
  name: string;
  description: string;
  inputSchema: JsonObject;
}

/** Which caller-side callbacks the worker must route back through `callback_request`. */
export interface CallbackManifest {
  /** Refs (`module.func`) of in-process functions. */
  functions: string[];
  tools: ToolDescriptor[];
  /** Whether the caller wants live events. */
  onEvent: boolean;
  /** Whether the caller answers `type: input` steps (onInput). */
  onInput: boolean;
}

/**
 * A run store both threads can open: a store object cannot cross, so the worker opens the same
 * SQLite database by path (WAL lets both connections work side by side).
 */
export interface StoreSpec {
  kind: 'sqlite';
  path: string;
}

/**
 * A workflow the calling thread already parsed (a WorkflowDefinition is plain data), so the worker
 * can run it without loading the YAML parser. Its function refs were not checked against the
 * project's functions (the caller has not imported them): the worker checks them.
 */
export interface PreparedWorkflow {
  definition: WorkflowDefinition;
  /** Absolute project directory: the worker opens the project (functions/, tools/) there. */
  projectDir: string;
  /** runtime.yaml as the caller read it; absent: the worker reads it itself. */
  config?: RuntimeConfig;
}

export type EngineRequest =
  | { kind: 'run'; workflow: string; options: Record<string, unknown> }
  | { kind: 'run-prepared'; prepared: PreparedWorkflow; options: Record<string, unknown> }
  | { kind: 'resume'; runId: string; options: Record<string, unknown> };

export type AbortReason = 'signal' | 'timeout' | 'sigint';

/** The JSON-safe part of a StepContext, rebuilt into a full context on the calling thread. */
export interface CallbackContext {
  runId: string;
  stepId: string;
  attempt: number;
  state: JsonObject;
}

export type CallbackTarget =
  | { kind: 'function'; ref: string }
  | { kind: 'tool'; name: string }
  /** onInput, answering a `type: input` step; its input is the InputRequest minus its signal. */
  | { kind: 'input' };

/** How a callback is named in messages: `function 'a.b'`, `tool 'x'`, `onInput`. */
export function describeTarget(target: CallbackTarget): string {
  switch (target.kind) {
    case 'function':
      return `function '${target.ref}'`;
    case 'tool':
      return `tool '${target.name}'`;
    case 'input':
      return 'onInput';
  }
}

export type CallbackOutcome = { ok: true; value: unknown } | { ok: false; error: SerializedError };

// --- caller → worker -----------------------------------------------------------------------

export interface StartMessage {
  type: 'start';
  callId: number;
  request: EngineRequest;
  callbacks: CallbackManifest;
  /** The store to record the run in; null = the engine's default (a fresh in-memory store). */
  store: StoreSpec | null;
  /** A SharedAbortController's flag, watched by the worker so any thread can cancel the run. */
  abortFlag: SharedArrayBuffer | null;
  /**
   * The caller's environment, sent with a worker's first call: a worker's process.env is a copy
   * taken when it starts, which for a prewarmed worker may be long before the first run.
   */
  env?: Record<string, string>;
}

/**
 * Sent by prewarm: the worker has time, so it loads in the background what a first call may need
 * beyond the run core (the loader, tsx, built-in tools, the agent step).
 */
export interface PreloadMessage {
  type: 'preload';
}

export interface CallbackResultMessage {
  type: 'callback_result';
  callId: number;
  requestId: number;
  outcome: CallbackOutcome;
}

/** `ctx.progress(...)` called by a caller-side callback, relayed to the worker's real context. */
export interface CallbackProgressMessage {
  type: 'callback_progress';
  callId: number;
  requestId: number;
  message: string;
  data?: JsonObject;
}

export interface AbortMessage {
  type: 'abort';
  callId: number;
  reason: AbortReason;
  message: string;
}

// --- worker → caller -----------------------------------------------------------------------

export interface EventMessage {
  type: 'event';
  callId: number;
  event: RunEvent;
}

export interface StdioMessage {
  type: 'stdio';
  stream: 'stdout' | 'stderr';
  chunk: string | Uint8Array;
}

export interface CallbackRequestMessage {
  type: 'callback_request';
  callId: number;
  requestId: number;
  target: CallbackTarget;
  input: JsonValue;
  context: CallbackContext;
}

export interface ResultMessage {
  type: 'result';
  callId: number;
  result: unknown;
}

export interface ErrorMessage {
  type: 'error';
  callId: number;
  error: SerializedError;
}

/** The worker hit an error outside any call's control (uncaught exception) and is exiting. */
export interface FatalMessage {
  type: 'fatal';
  error: SerializedError;
}

export type FromWorkerMessage =
  | EventMessage
  | StdioMessage
  | CallbackRequestMessage
  | ResultMessage
  | ErrorMessage
  | FatalMessage;

export type ToWorkerMessage =
  StartMessage | CallbackResultMessage | CallbackProgressMessage | AbortMessage | PreloadMessage;
