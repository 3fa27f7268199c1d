/**
 * Synchronous entry points that work from anywhere, including inside a running event loop (an
 * HTTP handler, a timer or promise callback, a notebook cell): the run goes to ONE warm worker
 * thread that runs the ordinary async engine, and the caller blocks in `Atomics.wait` until the
 * worker is done, waking for each message (events, stdio, callback requests) and draining it with
 * `receiveMessageOnPort`. Nothing here ever says "use the async variant".
 *
 * Why not deasync-style loop pumping: it re-enters the caller's own loop from the middle of a
 * callback and hangs when called after an `await` (issue 4, measurements KNOWN TRAPS). Blocking the
 * caller's thread outright is safe precisely because the worker never needs it, except for
 * closures the caller registered, which the caller runs when the worker asks.
 */
import path from 'node:path';
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
} from 'node:worker_threads';
import { CancelledError, SyncBridgeError, deserializeError, serializeError } from '../errors.js';
import type { JsonValue } from '../json.js';
import type { RunOptions } from '../api.js';
import type { RunEventListener } from '../engine/events.js';
import type { RunStore } from '../store/run-store.js';
import type { RunResult } from '../engine/result.js';
import type { WorkflowDefinition } from '../definition/types.js';
import type { StepFunction } from '../functions/catalog.js';
import type { StepContext } from '../steps/context.js';
import type { Tool } from '../tools/tool.js';
import type { InputHandler, InputRequest } from '../steps/input-step.js';
import {
  EVENT_ACK_CELL,
  STATE_CELLS,
  WAKE_CELL,
  WORKER_BOOTED_CELL,
  WORKER_EXITED_CELL,
  type AbortReason,
  type CallbackOutcome,
  type CallbackRequestMessage,
  describeTarget,
  type EngineRequest,
  type FromWorkerMessage,
  type PreparedWorkflow,
  type StoreSpec,
  type ToWorkerMessage,
  type WorkerBootData,
} from './messages.js';
import { SharedAbortController } from './shared-abort.js';
import { runWithSigintGuard } from './sigint-guard.js';
import { llmOptionSyncProblem } from '../llm/sync-options.js';

/**
 * A blocked call installs its SIGINT guard only once it has waited this long: arming the guard
 * starts a native watchdog thread (~70 µs), which would more than double the cost of a short run,
 * while a Ctrl+C in the first few milliseconds still takes effect once the call returns.
 */
export const SIGINT_GUARD_DELAY_MS = 10;
/** A worker that has not run its first line after this long is taken as failed to start. */
export const WORKER_BOOT_TIMEOUT_MS = 30_000;
/** After asking the worker to stop (abort, timeout, SIGINT), how long before it is terminated. */
export const ABORT_GRACE_MS = 10_000;

/** A function step the caller registers in-process; it runs on the caller's thread and must be synchronous. */
export type SyncStepFunction = StepFunction;

/**
 * Options of `runWorkflowSync` / `resumeRunSync`: those of the async twins. Callbacks (`onEvent`,
 * `functions`, `tools`) stay on the calling thread and are called from it; every other option is
 * copied to the worker by value, so it must be structured-cloneable. `llm` (G2): `env`, `http`
 * numbers and in-code `scripts` (lists of plain response objects) are copied; `http.onRetry` /
 * `http.sleep` and scripted providers that are not plain data are refused with the fix
 * (`llm-scripts/<name>.yaml`, which the worker reads itself).
 */
export interface SyncRunOptions extends Omit<
  RunOptions,
  'store' | 'functions' | 'tools' | 'onEvent' | 'onInput' | 'signal' | 'timeoutMs'
> {
  /** Cancels the run (it ends CANCELLED, resumable). Use a SharedAbortController's signal to cancel from another thread. */
  signal?: AbortSignal;
  /** Cancels the run when it has taken this long; also enforced by the blocked caller itself. */
  timeoutMs?: number;
  /** Called synchronously, on the calling thread, for every event while the run is going on. */
  onEvent?: RunEventListener;
  /** In-process functions `module.func` → function. They must be synchronous (a Promise is an error). */
  functions?: Record<string, SyncStepFunction>;
  /** In-process tools; their `execute` must be synchronous. */
  tools?: readonly Tool[];
  /** Answers `type: input` steps on the calling thread; must answer synchronously (a string). */
  onInput?: InputHandler;
  /**
   * Where the run is recorded: a SQLite database path, or a SqliteRunStore on a file (the worker
   * opens the same database). Default: a fresh in-memory store, as with `runWorkflow`. An
   * in-memory store object cannot be shared with the worker and is refused.
   */
  store?: string | RunStore;
  /** resumeRunSync: resume even though the workflow file changed since the run started. */
  force?: boolean;
}

export interface SyncBridgeOptions {
  /**
   * Module the worker runs: it must export `runWorkflow(workflow, options)` and
   * `resumeRun(runId, options)`. Defaults to runtime/sync/worker-engine.js (which also takes
   * workflows parsed on the calling thread).
   */
  engineModule?: string | URL;
}

/**
 * Parses a workflow on the calling thread for the worker (runtime/sync/caller-parse.ts); null
 * leaves it to the worker.
 */
export type CallerParser = (
  workflow: string,
  options: Pick<RunOptions, 'cwd' | 'projectDir' | 'config'>,
) => PreparedWorkflow | null;

let callerParser: CallerParser | null = null;

/**
 * Lets sync calls parse workflows on the calling thread while the worker starts, so the worker
 * never needs the YAML parser for them. runtime/api.ts installs runtime/sync/caller-parse.ts: any
 * program that imported the loader has it loaded already. This module cannot import it itself:
 * that would make a sync-only program load the parser on its own thread, synchronously, on top
 * of the worker's start.
 */
export function installCallerParser(parser: CallerParser | null): void {
  callerParser = parser;
}

const DEFAULT_ENGINE_MODULE = new URL('./worker-engine.js', import.meta.url).href;
const WORKER_URL = new URL('./sync-worker.js', import.meta.url);

type CallOutcome = { ok: true; value: unknown } | { ok: false; error: Error };

/** Everything about one blocked call. */
class PendingCall {
  outcome: CallOutcome | null = null;
  abortSent: AbortReason | null = null;
  /** When the worker is given up on if the run has not ended after an abort. */
  giveUpAt = Infinity;
  /** Aborted when the run is, for the ctx.signal of callbacks the caller runs. */
  readonly callbackAbort = new AbortController();
  readonly startedAt = performance.now();
  readonly timeoutAt: number;

  constructor(
    readonly callId: number,
    readonly options: SyncRunOptions,
  ) {
    this.timeoutAt =
      options.timeoutMs !== undefined ? this.startedAt + options.timeoutMs : Infinity;
  }
}

/** One warm worker plus the shared memory and channel used to block on it. */
interface WorkerSlot {
  worker: Worker;
  port: MessagePort;
  state: Int32Array;
  /** Whether this worker has been sent the caller's environment (with its first call). */
  envSent: boolean;
}

/**
 * Owns one worker thread (started on first use, `unref`'d so it never keeps the process alive,
 * replaced when it died or a previous call left it in an unknown state) and runs calls on it one
 * at a time, blocking the calling thread.
 */
export class SyncBridge {
  private slot: WorkerSlot | null = null;
  private nextCallId = 0;
  private active: PendingCall | null = null;
  /** >0 while a caller's callback runs: a call arriving then is nested, not a sign of poisoning. */
  private callbackDepth = 0;
  /** The worker's last words (an uncaught exception), reported when its exit is noticed. */
  private lastFatal: Error | null = null;
  private readonly engineModule: string;

  constructor(options: SyncBridgeOptions = {}) {
    this.engineModule = String(options.engineModule ?? DEFAULT_ENGINE_MODULE);
  }

  /** True while a call is in progress (a re-entrant call must then use another bridge). */
  get busy(): boolean {
    return this.active !== null && this.callbackDepth > 0;
  }

  /** The worker's thread id, or null when no worker is running (for tests and diagnostics). */
  get workerThreadId(): number | null {
    return this.slot?.worker.threadId ?? null;
  }

  runWorkflowSync<R = RunResult>(workflow: string, options: SyncRunOptions = {}): R {
    const { request, rest } = splitOptions(options);
    // Parsed here only once the worker is starting (see call), so both go on at the same time.
    return this.call(() => {
      const prepared = this.takesPrepared() ? callerParser?.(workflow, options) : null;
      return prepared
        ? { kind: 'run-prepared', prepared, options: request }
        : { kind: 'run', workflow, options: request };
    }, rest) as R;
  }

  /**
   * Runs an already-parsed definition (what `Executor#runSync` does): the definition is plain data
   * and crosses as it is; the worker opens its project (`options.projectDir`, else the
   * definition's base directory) and checks its function refs there.
   */
  runDefinitionSync<R = RunResult>(
    definition: WorkflowDefinition,
    options: SyncRunOptions = {},
  ): R {
    const { request, rest } = splitOptions(options);
    return this.call((): EngineRequest => {
      const projectDir = path.resolve(options.projectDir ?? definition.source.baseDir);
      if (this.takesPrepared())
        return { kind: 'run-prepared', prepared: { definition, projectDir }, options: request };
      // A test's engine module: it loads workflows by path or text only.
      const inline = definition.source.file === INLINE_SOURCE;
      return {
        kind: 'run',
        workflow: inline ? definition.source.text : definition.source.file,
        options: { projectDir, ...request },
      };
    }, rest) as R;
  }

  resumeRunSync<R = RunResult>(runId: string, options: SyncRunOptions = {}): R {
    const { request, rest } = splitOptions(options);
    return this.call(() => ({ kind: 'resume', runId, options: request }), rest) as R;
  }

  /**
   * Starts the worker now, without blocking, so it loads the engine in the background and the
   * first sync call does not pay for it (a kernel calls this at startup). Having the time, the
   * worker then also loads what a first call may need beyond the run core (the YAML loader, tsx,
   * the built-in tools, the agent step). Optional: calls start the worker themselves.
   */
  prewarm(): void {
    const slot = this.ensureWorker();
    this.send(slot, { type: 'preload' }, 'a preload request');
  }

  /** Stops the worker (a later call starts a new one). */
  close(): void {
    void this.retire();
  }

  /**
   * Stops the worker and resolves once its thread is gone. A process about to call
   * process.exit() awaits this first, so the worker's native handles (its better-sqlite3
   * connection) are torn down by the worker's own clean-up, not raced by the exit.
   */
  stopped(): Promise<void> {
    return this.retire();
  }

  /** Only the default engine module takes caller-parsed workflows (`runPrepared`). */
  private takesPrepared(): boolean {
    return this.engineModule === DEFAULT_ENGINE_MODULE;
  }

  /**
   * Runs one call. `buildRequest` runs after the worker has been asked to start, so a cold call's
   * parsing on this thread overlaps the worker's boot.
   */
  private call(buildRequest: () => EngineRequest, options: SyncRunOptions): unknown {
    if (this.busy) {
      throw new SyncBridgeError(
        'This SyncBridge is running a call whose callback made this one; use another SyncBridge, or runWorkflowSync(), which picks an idle one',
      );
    }
    if (this.active !== null) {
      // A call that never finished: an interrupt unwound it without running our cleanup. Its run may
      // still be going on that worker, so start over with a fresh one rather than share it.
      void this.retire();
    }
    // Only an idle bridge gets here, so a leftover depth is from a callback an interrupt unwound.
    this.callbackDepth = 0;
    const slot = this.ensureWorker();
    const request = buildRequest();
    const call = new PendingCall(++this.nextCallId, options);
    const shared = options.signal ? SharedAbortController.forSignal(options.signal) : undefined;
    const tools = options.tools ?? [];
    assertCloneable(request);
    this.send(
      slot,
      {
        type: 'start',
        callId: call.callId,
        request,
        store: storeSpec(options.store),
        abortFlag: shared?.buffer ?? null,
        ...(slot.envSent ? {} : { env: environmentCopy() }),
        callbacks: {
          functions: Object.keys(options.functions ?? {}),
          tools: tools.map((tool) => ({
            name: tool.name,
            description: tool.description,
            inputSchema: tool.inputSchema,
          })),
          onEvent: options.onEvent !== undefined,
          onInput: options.onInput !== undefined,
        },
      },
      `the options of this run`,
    );
    slot.envSent = true;
    this.active = call;
    try {
      let outcome = this.pump(slot, call, call.startedAt + SIGINT_GUARD_DELAY_MS);
      while (outcome === null) {
        // The whole pump (waits, message handling, the caller's callbacks) runs under the guard, so
        // Ctrl+C always reaches the run, like a cell's own breakOnSigint. The price: an interrupt
        // may cut a callback or a stdout write short, as it would cut any JS it lands in.
        const guarded = runWithSigintGuard(() => this.pump(slot, call, Infinity));
        outcome = guarded.interrupted ? this.interrupted(slot, call) : guarded.value;
      }
      if (call.abortSent === 'sigint') this.afterSigint(outcome);
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    } finally {
      this.active = null;
    }
  }

  /**
   * Blocks until the call ends (returns its outcome) or, when `guardAt` passes first, returns null
   * so the caller can continue inside a SIGINT guard.
   */
  private pump(slot: WorkerSlot, call: PendingCall, guardAt: number): CallOutcome | null {
    for (;;) {
      // Read the counter BEFORE draining: a message posted after the drain bumps it, so the wait
      // below returns at once instead of missing it.
      const seen = Atomics.load(slot.state, WAKE_CELL);
      // Past the guard time, every message (including output the user reacts to with Ctrl+C) is
      // handled inside the guard, so the interrupt cannot slip in before the guard is armed.
      if (performance.now() >= guardAt) return null;
      for (
        let received = receiveMessageOnPort(slot.port);
        received;
        received = receiveMessageOnPort(slot.port)
      ) {
        this.handle(slot, call, received.message as FromWorkerMessage);
        if (call.outcome) return call.outcome;
        // A callback just run may have aborted the signal: stop before serving the next request.
        this.checkSignal(slot, call);
      }
      this.checkSignal(slot, call);
      const now = performance.now();
      if (call.abortSent === null && now >= call.timeoutAt) {
        this.abort(slot, call, 'timeout', `Run timed out after ${call.options.timeoutMs}ms`);
      }
      if (Atomics.load(slot.state, WORKER_EXITED_CELL) !== 0) {
        void this.retire();
        return (call.outcome = { ok: false, error: this.workerDied(call) });
      }
      if (
        now >= call.startedAt + WORKER_BOOT_TIMEOUT_MS &&
        Atomics.load(slot.state, WORKER_BOOTED_CELL) === 0
      ) {
        void this.retire();
        return (call.outcome = {
          ok: false,
          error: new SyncBridgeError(
            `The sync bridge's worker thread did not start within ${WORKER_BOOT_TIMEOUT_MS}ms (Node options it inherited: ${JSON.stringify(workerExecArgv())}).`,
          ),
        });
      }
      if (now >= call.giveUpAt) {
        void this.retire();
        return (call.outcome = {
          ok: false,
          error: new SyncBridgeError(
            `The run did not stop within ${ABORT_GRACE_MS}ms of being cancelled (${call.abortSent}); its worker thread was terminated. The run may still be recorded RUNNING: resume it with force.`,
            { details: { reason: call.abortSent ?? 'unknown' } },
          ),
        });
      }
      const bootDeadline =
        Atomics.load(slot.state, WORKER_BOOTED_CELL) === 0
          ? call.startedAt + WORKER_BOOT_TIMEOUT_MS
          : Infinity;
      const until = Math.min(
        guardAt,
        bootDeadline,
        call.abortSent === null ? call.timeoutAt : call.giveUpAt,
      );
      Atomics.wait(slot.state, WAKE_CELL, seen, Math.max(0, until - now));
    }
  }

  /**
   * Ctrl+C while blocked: the first cancels the run gracefully (null: keep waiting for it to end
   * CANCELLED), a second stops its worker.
   */
  private interrupted(slot: WorkerSlot, call: PendingCall): CallOutcome | null {
    if (call.abortSent === 'sigint') {
      void this.retire();
      return {
        ok: false,
        error: new CancelledError(
          'Interrupted twice (SIGINT); the worker running the run was stopped',
          { details: { reason: 'sigint' } },
        ),
      };
    }
    this.abort(slot, call, 'sigint', 'Interrupted (SIGINT)');
    // The interrupt may have cut an onEvent short before its ack: release the worker.
    Atomics.add(slot.state, EVENT_ACK_CELL, 1);
    Atomics.notify(slot.state, EVENT_ACK_CELL);
    return null;
  }

  private handle(slot: WorkerSlot, call: PendingCall, message: FromWorkerMessage): void {
    switch (message.type) {
      case 'result':
        if (message.callId === call.callId) call.outcome = { ok: true, value: message.result };
        return;
      case 'error':
        if (message.callId === call.callId)
          call.outcome = { ok: false, error: deserializeError(message.error) };
        return;
      case 'stdio':
        process[message.stream].write(message.chunk);
        return;
      case 'event':
        if (message.callId === call.callId && call.options.onEvent) {
          this.callbackDepth++;
          try {
            call.options.onEvent(message.event);
          } catch {
            // Same rule as the async engine: a broken progress printer must not break the run.
          } finally {
            this.callbackDepth--;
          }
          this.checkSignal(slot, call);
        }
        // The worker waits for this before going on (see EVENT_ACK_CELL); an abort is posted first.
        Atomics.add(slot.state, EVENT_ACK_CELL, 1);
        Atomics.notify(slot.state, EVENT_ACK_CELL);
        return;
      case 'callback_request':
        this.answerCallback(slot, call, message);
        return;
      case 'fatal':
        this.lastFatal = deserializeError(message.error);
        return;
      default: {
        const unknown: never = message;
        throw new SyncBridgeError(
          `Unknown message from the sync worker: ${JSON.stringify(unknown)}`,
        );
      }
    }
  }

  private workerDied(call: PendingCall): Error {
    const cause = this.lastFatal;
    this.lastFatal = null;
    return new SyncBridgeError(
      `The sync bridge's worker thread exited while running the call${cause ? `: ${cause.message}` : ''} (a function calling process.exit(), or an uncaught exception in background code). The run may be left RUNNING; resume it to continue.`,
      { cause: cause ?? undefined, details: { callId: call.callId } },
    );
  }

  /** Runs a caller-registered function/tool on this thread and posts its answer to the worker. */
  private answerCallback(
    slot: WorkerSlot,
    call: PendingCall,
    request: CallbackRequestMessage,
  ): void {
    const { target, context, requestId } = request;
    const what = describeTarget(target);
    const reply = (outcome: CallbackOutcome): void => {
      this.send(
        slot,
        { type: 'callback_result', callId: request.callId, requestId, outcome },
        `the answer of ${what}`,
      );
    };
    if (request.callId !== call.callId) {
      reply({
        ok: false,
        error: serializeError(
          new SyncBridgeError(`In-process ${what} was requested after its run's call ended`),
        ),
      });
      return;
    }
    if (call.abortSent !== null) {
      // The run is being cancelled: start no new work on its behalf.
      reply({
        ok: false,
        error: serializeError(
          new CancelledError(`Run cancelled before in-process ${what} could run`),
        ),
      });
      return;
    }
    const fn = this.resolveCallback(call, request);
    if (!fn) {
      reply({
        ok: false,
        error: serializeError(
          new SyncBridgeError(`In-process ${what} is not registered on the calling thread`),
        ),
      });
      return;
    }
    const ctx: StepContext = {
      runId: context.runId,
      stepId: context.stepId,
      attempt: context.attempt,
      state: context.state,
      signal: call.callbackAbort.signal,
      progress: (message, data) => {
        this.send(
          slot,
          {
            type: 'callback_progress',
            callId: call.callId,
            requestId,
            message,
            ...(data ? { data } : {}),
          },
          'a progress report',
        );
      },
    };
    let value: unknown;
    this.callbackDepth++;
    try {
      value = fn(request.input as Record<string, JsonValue>, ctx);
    } catch (error) {
      reply({ ok: false, error: serializeError(error) });
      return;
    } finally {
      this.callbackDepth--;
    }
    if (isThenable(value)) {
      // Nobody will ever await it; keep a rejection from surfacing as unhandled later.
      void Promise.resolve(value).catch(() => undefined);
      const error = new SyncBridgeError(
        `In-process ${what} used by step '${context.stepId}' returned a Promise, but runWorkflowSync is blocking the thread that registered it, so the Promise can never settle. ${
          target.kind === 'input'
            ? 'Answer synchronously (return the string)'
            : "Make it synchronous, move it into a module in the project's functions/ (or tools/) directory so the worker thread loads it itself,"
        } or call \`await runWorkflow(...)\` instead.`,
        {
          details: {
            stepId: context.stepId,
            callback: what,
          },
        },
      );
      reply({ ok: false, error: serializeError(error) });
      return;
    }
    try {
      slot.port.postMessage({
        type: 'callback_result',
        callId: call.callId,
        requestId,
        outcome: { ok: true, value },
      } satisfies ToWorkerMessage);
    } catch (error) {
      reply({
        ok: false,
        error: serializeError(
          new SyncBridgeError(
            `In-process ${what} used by step '${context.stepId}' returned a value that cannot be copied to the worker thread (${messageOf(error)}); return plain JSON data.`,
            { cause: error, details: { stepId: context.stepId } },
          ),
        ),
      });
    }
  }

  private resolveCallback(
    call: PendingCall,
    request: CallbackRequestMessage,
  ): StepFunction | undefined {
    const { target } = request;
    switch (target.kind) {
      case 'function':
        return call.options.functions?.[target.ref];
      case 'tool': {
        const tool = call.options.tools?.find((t) => t.name === target.name);
        return tool ? (input, ctx) => tool.execute(input, ctx) : undefined;
      }
      case 'input': {
        const onInput = call.options.onInput;
        if (!onInput) return undefined;
        return (input, ctx) =>
          onInput({ ...(input as unknown as Omit<InputRequest, 'signal'>), signal: ctx.signal });
      }
    }
  }

  /** The signal can only change on this thread while it runs a callback, or from another thread (shared flag). */
  private checkSignal(slot: WorkerSlot, call: PendingCall): void {
    if (call.abortSent === null && call.options.signal?.aborted) {
      this.abort(slot, call, 'signal', 'Run aborted through its AbortSignal');
    }
  }

  private abort(slot: WorkerSlot, call: PendingCall, reason: AbortReason, message: string): void {
    call.abortSent = reason;
    call.giveUpAt = performance.now() + ABORT_GRACE_MS;
    call.callbackAbort.abort(new CancelledError(message, { details: { reason } }));
    this.send(slot, { type: 'abort', callId: call.callId, reason, message }, 'an abort');
  }

  /**
   * The run was cancelled because of Ctrl+C, so the call must not look like it just finished: it
   * throws a CancelledError. With nobody listening for SIGINT the process would have died of it:
   * the signal is raised again once the current task ends (after output still queued on stdout
   * could be written), so it still dies, with the run recorded CANCELLED.
   */
  private afterSigint(outcome: CallOutcome): never {
    if (process.listenerCount('SIGINT') === 0) {
      setImmediate(() => process.kill(process.pid, 'SIGINT'));
    }
    const runId = outcome.ok ? (outcome.value as { runId?: unknown } | null)?.runId : undefined;
    throw new CancelledError(
      `Interrupted (SIGINT)${typeof runId === 'string' ? `: run ${runId} was cancelled and can be resumed` : ''}`,
      {
        cause: outcome.ok ? undefined : outcome.error,
        details: { reason: 'sigint', ...(typeof runId === 'string' ? { runId } : {}) },
      },
    );
  }

  /** Posts to the worker; a value that cannot be copied becomes a SyncBridgeError, never a broken worker. */
  private send(slot: WorkerSlot, message: ToWorkerMessage, what: string): void {
    try {
      slot.port.postMessage(message);
    } catch (error) {
      throw new SyncBridgeError(
        `Cannot send ${what} to the sync worker thread: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }

  private ensureWorker(): WorkerSlot {
    if (this.slot && Atomics.load(this.slot.state, WORKER_EXITED_CELL) === 0) return this.slot;
    void this.retire();
    const state = new Int32Array(new SharedArrayBuffer(STATE_CELLS * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const workerData: WorkerBootData = {
      engineModule: this.engineModule,
      state: state.buffer as SharedArrayBuffer,
      port: port2,
    };
    const worker = new Worker(WORKER_URL, {
      workerData,
      transferList: [port2],
      execArgv: workerExecArgv(),
    });
    worker.unref();
    // Output or events posted while no call is blocked (a background timer in a function) are
    // relayed by the event loop as usual; an unref'd port never keeps the process alive.
    port1.on('message', (message: FromWorkerMessage) => {
      if (message.type === 'stdio') process[message.stream].write(message.chunk);
    });
    port1.unref();
    // Errors surface through the exit cell during a call; an idle worker dying is not an error.
    worker.on('error', () => undefined);
    this.slot = { worker, port: port1, state, envSent: false };
    return this.slot;
  }

  private retire(): Promise<void> {
    const slot = this.slot;
    this.slot = null;
    this.active = null;
    if (!slot) return Promise.resolve();
    slot.port.close();
    return slot.worker.terminate().then(
      () => undefined,
      () => undefined,
    );
  }
}

/**
 * The worker inherits this process's Node options (loaders, --enable-source-maps…) except those
 * about the main script's source, which make a worker started from a file fail before it runs a
 * line (`node --input-type=module -e …` is a common way to call the sync API).
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (['-e', '--eval', '-p', '--print', '--input-type'].includes(arg)) {
      i++; // and its value
      continue;
    }
    if (arg.startsWith('--input-type=') || arg.startsWith('--eval=') || arg.startsWith('--print='))
      continue;
    out.push(arg);
  }
  return out;
}

/** process.env as plain data (~40 µs: sent once per worker, not per call). */
function environmentCopy(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

/** `WorkflowSource.file` of a workflow given as a YAML string. */
const INLINE_SOURCE = '<inline>';

/** Callbacks stay here; everything else is copied to the worker. */
function splitOptions(options: SyncRunOptions): {
  request: Record<string, unknown>;
  rest: SyncRunOptions;
} {
  const { signal, onEvent, onInput, functions, tools, timeoutMs, store, ...byValue } = options;
  // timeoutMs goes both ways: the engine's timer (on the worker's free loop) and our own deadline.
  const request: Record<string, unknown> =
    timeoutMs === undefined ? byValue : { ...byValue, timeoutMs };
  return { request, rest: { signal, onEvent, onInput, functions, tools, timeoutMs, store } };
}

/**
 * The worker opens the store itself: a database path, or an open SqliteRunStore (by its path).
 * A store that lives in this thread's memory cannot be shared, so it is refused with the fix.
 */
export function storeSpec(store: unknown): StoreSpec | null {
  if (store === undefined || store === null) return null;
  const file = typeof store === 'string' ? store : (store as { path?: unknown }).path;
  if (typeof file === 'string' && file !== '' && file !== ':memory:')
    return { kind: 'sqlite', path: path.resolve(file) };
  throw new SyncBridgeError(
    `The sync API runs the workflow on a worker thread, which cannot use a run store that lives in this thread's memory (${describe(store)}). Pass a SQLite database path (store: 'runs.db') or a SqliteRunStore opened on a file, omit the store for a throwaway in-memory one, or call \`await runWorkflow(...)\`.`,
    { details: { option: 'store' } },
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' ? `a ${name}` : typeof value;
}

/** Names the option that cannot cross to the worker, instead of a bare DataCloneError. */
function assertCloneable(request: EngineRequest): void {
  // G2: `llm` crosses by value too; its callbacks and hand-made scripted providers are refused
  // with the part and the fix named (llm-scripts/<name>.yaml), see runtime/llm/sync-options.ts.
  const llmProblem = llmOptionSyncProblem(request.options.llm);
  if (llmProblem) throw new SyncBridgeError(llmProblem, { details: { option: 'llm' } });
  for (const [key, value] of Object.entries(request.options)) {
    try {
      structuredClone(value);
    } catch (error) {
      throw new SyncBridgeError(
        `Option '${key}' cannot be copied to the sync bridge's worker thread (${messageOf(error)}). Sync runs take every option by value: pass a path or plain data (e.g. a database path instead of an open store object), or call \`await runWorkflow(...)\`.`,
        { cause: error, details: { option: key } },
      );
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// --- module-level entry points ---------------------------------------------------------------

/** Bridges of this thread: the warm one first; more only while sync calls are nested in callbacks. */
const bridges: SyncBridge[] = [new SyncBridge()];

/**
 * Runs `use` on an idle bridge. The first bridge is the long-lived warm one; a call nested inside
 * a callback of another sync call gets a bridge of its own, stopped when it returns so nesting
 * does not leave threads behind.
 */
function withIdleBridge<R>(use: (bridge: SyncBridge) => R): R {
  const idle = bridges.find((bridge) => !bridge.busy);
  if (idle) return use(idle);
  const extra = new SyncBridge();
  bridges.push(extra);
  try {
    return use(extra);
  } finally {
    extra.close();
    bridges.splice(bridges.indexOf(extra), 1);
  }
}

/** Runs a workflow (file path or inline YAML) to its end, blocking this thread; returns the RunResult. */
export function runWorkflowSync<R = RunResult>(workflow: string, options: SyncRunOptions = {}): R {
  return withIdleBridge((bridge) => bridge.runWorkflowSync<R>(workflow, options));
}

/**
 * Runs an already-parsed definition to its end, blocking this thread (what `Executor#runSync`
 * does). The definition crosses as data; the worker opens its project (`options.projectDir`, else
 * the definition's base directory) itself, so closures go in `options.functions` / `options.tools`.
 */
export function runDefinitionSync(
  definition: WorkflowDefinition,
  options: SyncRunOptions = {},
): RunResult {
  return withIdleBridge((bridge) => bridge.runDefinitionSync(definition, options));
}

/** Starts this thread's warm sync worker in the background (see SyncBridge#prewarm). */
export function prewarmSyncBridge(): void {
  bridges[0]?.prewarm();
}

/**
 * Stops every sync worker of this thread and resolves once their threads have exited (the kernel
 * calls it before process.exit). A later sync call starts a fresh worker.
 */
export async function closeSyncBridges(): Promise<void> {
  await Promise.all(bridges.map((bridge) => bridge.stopped()));
}

/** Resumes a FAILED/CANCELLED/crashed run, blocking this thread; returns the RunResult. */
export function resumeRunSync<R = RunResult>(runId: string, options: SyncRunOptions = {}): R {
  return withIdleBridge((bridge) => bridge.resumeRunSync<R>(runId, options));
}
