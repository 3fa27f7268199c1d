/**
 * Worker-thread entry of the sync bridge: runs the async engine (`runWorkflow` / `resumeRun`) on
 * this thread's own event loop while the caller's thread sits in `Atomics.wait`. Workflows,
 * functions and tools load by path here; closures the caller registered are replaced by proxies
 * that ask the caller to run them (`callback_request`). Every message posted bumps the shared wake
 * counter, because the blocked caller cannot receive a message event, only a futex wake.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { CancelledError, SyncBridgeError, deserializeError, serializeError } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import type { RunEvent } from '../engine/events.js';
import type { StepContext } from '../steps/context.js';
import type { InputRequest } from '../steps/input-step.js';
import {
  describeTarget,
  EVENT_ACK_CELL,
  WAKE_CELL,
  WORKER_BOOTED_CELL,
  WORKER_EXITED_CELL,
  type AbortReason,
  type CallbackOutcome,
  type CallbackTarget,
  type FromWorkerMessage,
  type PreparedWorkflow,
  type StartMessage,
  type StoreSpec,
  type ToWorkerMessage,
  type WorkerBootData,
} from './messages.js';

/** What the worker drives: runtime/sync/worker-engine.ts, or a test's own engine module. */
interface Engine {
  runWorkflow(workflow: string, options: Record<string, unknown>): Promise<unknown>;
  resumeRun(runId: string, options: Record<string, unknown>): Promise<unknown>;
  /** Only engines that take caller-parsed workflows (the caller sends them only to its default engine). */
  runPrepared?(prepared: PreparedWorkflow, options: Record<string, unknown>): Promise<unknown>;
}

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
// Atomics.waitAsync exists on Node 20 but is only typed from lib ES2024.
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

const boot = workerData as WorkerBootData;
const state = new Int32Array(boot.state);
Atomics.store(state, WORKER_BOOTED_CELL, 1);
const port = boot.port;
const enginePromise = import(boot.engineModule) as Promise<Engine>;
// Reported as a failed call rather than an unhandled rejection when the module is missing.
enginePromise.catch(() => undefined);

function wakeCaller(): void {
  Atomics.add(state, WAKE_CELL, 1);
  Atomics.notify(state, WAKE_CELL);
}

/** Posts and wakes; throws DataCloneError (without waking) when the message cannot be copied. */
function post(message: FromWorkerMessage): void {
  port.postMessage(message);
  wakeCaller();
}

// A blocked caller cannot see the Worker 'exit' event (it fires on the caller's own loop), so the
// worker says it is gone through shared memory before it stops.
process.on('exit', () => {
  Atomics.store(state, WORKER_EXITED_CELL, 1);
  wakeCaller();
});

process.on('uncaughtException', (error) => {
  // Same outcome as in a main process (the thread dies), but the caller learns why.
  try {
    post({ type: 'fatal', error: serializeError(error) });
  } finally {
    process.exit(1);
  }
});

relayStdio('stdout');
relayStdio('stderr');

/**
 * Worker stdout/stderr normally reach the parent through a stream the parent's event loop reads,
 * i.e. only after the blocked caller returns, and out of order with its own output. Each write is
 * posted instead, and the caller writes it while it is still blocked.
 */
function relayStdio(stream: 'stdout' | 'stderr'): void {
  const target = process[stream];
  const write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    const encoding =
      typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : undefined;
    let data: string | Uint8Array;
    if (typeof chunk === 'string')
      data =
        encoding && encoding !== 'utf8' && encoding !== 'utf-8'
          ? Buffer.from(chunk, encoding)
          : chunk;
    else if (chunk instanceof Uint8Array) data = chunk;
    else data = String(chunk);
    try {
      post({ type: 'stdio', stream, chunk: data });
    } catch {
      // Output must never break the code that printed it.
    }
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  };
  target.write = write as typeof target.write;
}

interface PendingCallback {
  resolve(value: unknown): void;
  reject(error: Error): void;
  ctx: StepContext;
}

/** One run in progress on this worker, identified by the caller's callId. */
class ActiveCall {
  readonly controller = new AbortController();
  readonly pending = new Map<number, PendingCallback>();
  private nextRequestId = 0;
  done = false;

  constructor(readonly callId: number) {}

  abort(reason: AbortReason, message: string): void {
    if (this.controller.signal.aborted) return;
    const error = new CancelledError(message, { details: { reason } });
    this.controller.abort(error);
    // The caller may never answer (it was interrupted, or it gave up); don't leave steps waiting.
    for (const callback of this.pending.values()) callback.reject(error);
    this.pending.clear();
  }

  /** Runs a caller-registered closure on the caller's thread and resolves with its answer. */
  callback(target: CallbackTarget, input: unknown, ctx: StepContext): Promise<unknown> {
    const requestId = ++this.nextRequestId;
    return new Promise((resolve, reject) => {
      if (this.controller.signal.aborted) {
        reject(this.controller.signal.reason as Error);
        return;
      }
      this.pending.set(requestId, { resolve, reject, ctx });
      try {
        post({
          type: 'callback_request',
          callId: this.callId,
          requestId,
          target,
          input: input as JsonValue,
          context: {
            runId: String(ctx?.runId ?? ''),
            stepId: String(ctx?.stepId ?? ''),
            attempt: Number(ctx?.attempt ?? 1),
            state: (ctx?.state ?? {}) as JsonObject,
          },
        });
      } catch (error) {
        this.pending.delete(requestId);
        const what = describeTarget(target);
        reject(
          new SyncBridgeError(
            `The input of in-process ${what} (step '${String(ctx?.stepId)}') cannot be copied to the calling thread: ${messageOf(error)}`,
            { cause: error },
          ),
        );
      }
    });
  }

  answer(requestId: number, outcome: CallbackOutcome): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    if (outcome.ok) pending.resolve(outcome.value);
    else pending.reject(deserializeError(outcome.error));
  }

  progress(requestId: number, message: string, data?: JsonObject): void {
    this.pending.get(requestId)?.ctx.progress(message, data);
  }
}

const calls = new Map<number, ActiveCall>();

port.on('message', dispatch);

function dispatch(message: ToWorkerMessage): void {
  switch (message.type) {
    case 'start':
      void start(message);
      break;
    case 'callback_result':
      calls.get(message.callId)?.answer(message.requestId, message.outcome);
      break;
    case 'callback_progress':
      calls.get(message.callId)?.progress(message.requestId, message.message, message.data);
      break;
    case 'abort':
      calls.get(message.callId)?.abort(message.reason, message.message);
      break;
    case 'preload':
      preload();
      break;
    default: {
      const unknown: never = message;
      process.stderr.write(`agentkernel sync worker: unknown message ${JSON.stringify(unknown)}\n`);
    }
  }
}

/** Handles, synchronously, what the caller posted while this thread was waiting for it. */
function drainPort(): void {
  for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) {
    dispatch(received.message as ToWorkerMessage);
  }
}

async function start(message: StartMessage): Promise<void> {
  const call = new ActiveCall(message.callId);
  calls.set(call.callId, call);
  const stopWatching = message.abortFlag
    ? watchAbortFlag(message.abortFlag, call)
    : () => undefined;
  let store: { close(): Promise<void> } | null = null;
  let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
  if (message.env) adoptEnvironment(message.env);
  try {
    const engine = await enginePromise;
    const options = buildOptions(message, call);
    if (message.store) {
      store = await openStore(message.store);
      options.store = store;
    }
    const result = await runRequest(engine, message.request, options);
    outcome = { ok: true, result };
  } catch (error) {
    outcome = { ok: false, error };
  }
  // Closed before answering, so the caller can open the database as soon as it has the result.
  await store?.close().catch(() => undefined);
  call.done = true;
  stopWatching();
  calls.delete(call.callId);
  if (!outcome.ok) {
    post({ type: 'error', callId: call.callId, error: serializeError(outcome.error) });
    return;
  }
  try {
    post({ type: 'result', callId: call.callId, result: outcome.result });
  } catch (error) {
    // A non-cloneable result must fail this call, not leave the caller waiting (or the worker
    // half-broken for the next one).
    const reason = new SyncBridgeError(
      `The run's result cannot be copied to the calling thread: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
    post({ type: 'error', callId: call.callId, error: serializeError(reason) });
  }
}

function runRequest(
  engine: Engine,
  request: StartMessage['request'],
  options: Record<string, unknown>,
): Promise<unknown> {
  switch (request.kind) {
    case 'run':
      return engine.runWorkflow(request.workflow, options);
    case 'run-prepared':
      if (!engine.runPrepared)
        throw new SyncBridgeError(
          `The sync worker's engine module (${boot.engineModule}) cannot run a parsed workflow (no runPrepared export)`,
        );
      return engine.runPrepared(request.prepared, options);
    case 'resume':
      return engine.resumeRun(request.runId, options);
  }
}

/** Makes this thread's copy of the environment the caller's (see StartMessage.env). */
function adoptEnvironment(env: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
}

/**
 * Prewarm: nothing is waiting, so load now what a first call may need beyond the run core, each
 * module on its own so one that fails to load (e.g. tsx missing) spoils nothing else; a call
 * that needs it reports the failure itself.
 */
function preload(): void {
  const modules = [
    new URL('../api.js', import.meta.url).href, // the YAML loader, for paths and ids
    new URL('../tools/builtin/index.js', import.meta.url).href, // opened with every project
    new URL('../steps/agent-step.js', import.meta.url).href,
    'tsx/esm/api', // functions/ and tools/ written in TypeScript
  ];
  void enginePromise
    .then(async () => {
      for (const module of modules) await import(module).catch(() => undefined);
    })
    .catch(() => undefined);
}

async function openStore(spec: StoreSpec): Promise<{ close(): Promise<void> }> {
  // Loaded on demand: runs without a store never load the SQLite addon into the worker.
  const { SqliteRunStore } = await import('../store/sqlite-store.js');
  return new SqliteRunStore(spec.path);
}

function buildOptions(message: StartMessage, call: ActiveCall): Record<string, unknown> {
  const { callbacks } = message;
  const options: Record<string, unknown> = {
    ...message.request.options,
    signal: call.controller.signal,
  };
  if (callbacks.onEvent) {
    options.onEvent = (event: RunEvent) => {
      const acked = Atomics.load(state, EVENT_ACK_CELL);
      try {
        post({ type: 'event', callId: call.callId, event });
      } catch (error) {
        process.stderr.write(
          `agentkernel sync bridge: dropped an event that cannot be copied: ${messageOf(error)}\n`,
        );
        return;
      }
      // Like the async API's listeners, the caller's onEvent runs before the run moves on: wait
      // for its ack, then handle at once whatever it sent first (an abort from the listener).
      Atomics.wait(state, EVENT_ACK_CELL, acked);
      drainPort();
    };
  }
  if (callbacks.functions.length > 0) {
    options.functions = Object.fromEntries(
      callbacks.functions.map((ref) => [
        ref,
        (input: unknown, ctx: StepContext) => call.callback({ kind: 'function', ref }, input, ctx),
      ]),
    );
  }
  if (callbacks.onInput) {
    options.onInput = (request: InputRequest) => {
      const { signal, ...question } = request;
      const ctx: StepContext = {
        runId: request.runId,
        stepId: request.stepId,
        attempt: 1,
        signal,
        state: {},
        progress: () => undefined,
      };
      return call.callback({ kind: 'input' }, question, ctx) as Promise<string>;
    };
  }
  if (callbacks.tools.length > 0) {
    options.tools = callbacks.tools.map((tool) => ({
      ...tool,
      execute: (input: unknown, ctx: StepContext) =>
        call.callback({ kind: 'tool', name: tool.name }, input, ctx),
    }));
  }
  return options;
}

/**
 * A SharedAbortController's flag can be set from any thread, including while the caller is
 * blocked, so the worker watches it itself. Returns a function that stops watching.
 */
function watchAbortFlag(buffer: SharedArrayBuffer, call: ActiveCall): () => void {
  const flag = new Int32Array(buffer);
  const check = (): void => {
    if (call.done) return;
    if (Atomics.load(flag, 0) !== 0) {
      call.abort('signal', 'Run aborted through its SharedAbortController');
      return;
    }
    const wait = waitAsync(flag, 0, 0);
    if (wait.async) void wait.value.then(check);
    else check();
  };
  check();
  // Wakes our pending waitAsync so it does not linger after the call (others just re-check).
  return () => Atomics.notify(flag, 0);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
