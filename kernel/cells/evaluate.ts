/**
 * Runs a transpiled cell in the kernel's own global context (`vm.runInThisContext`, as tslab
 * does): cells share one realm with the packages they import, so `instanceof`, Buffers and
 * Promises cross freely, and `process`, `console`, `fetch`, timers are the real ones.
 *
 * Interrupts (architecture rule 10): the synchronous part of a cell runs under `breakOnSigint`,
 * so SIGINT stops `while (true) {}` and the kernel keeps its state; an awaiting cell is raced
 * against the AbortSignal and rejects with CellInterruptedError.
 *
 * KNOWN LIMIT: a synchronous busy loop AFTER the cell's first `await` (`await x; while (true) {}`)
 * is not covered. That code runs as a promise continuation (a microtask), outside the
 * runInThisContext call that installed breakOnSigint's watchdog, and it blocks the event loop, so
 * neither the kernel's SIGINT handler nor an interrupt_request (control socket, main thread) can
 * run. What the user sees: the cell stays busy, interrupt does nothing, the heartbeat (a worker)
 * still answers, and only a kernel restart helps. The one mechanism that could stop it, a worker
 * holding `inspector.Session.connectToMainThread()` posting `Runtime.terminateExecution`, was
 * tried on Node 20.20: the loop stops, but the termination unwinds a promise reaction without its
 * async-hooks "after" step, and with AsyncLocalStorage in use (cell output is routed with it)
 * Node then aborts the whole process on the next callback (`Assertion failed:
 * (env_->execution_async_id()) == (0)` in InternalCallbackScope::Close). So it is not used.
 *
 * Cost: Node's SIGINT watchdog is kept running by kernel/signals/sigint-watchdog-worker.ts, so
 * `breakOnSigint` here only registers with it (microseconds) instead of starting a thread.
 */
import util from 'node:util';
import vm from 'node:vm';
import { AgentkernelError } from '../../runtime/errors.js';

/** The cell was stopped by an interrupt (SIGINT or interrupt_request). Shown as `Interrupted`. */
export class CellInterruptedError extends AgentkernelError {
  constructor(message = 'Interrupted: the cell was stopped by an interrupt; kernel state is kept') {
    super('AR-CANCELLED', message);
  }
}

/** A cell called `process.exit()`; the kernel refuses to die with it. */
export class CellExitError extends AgentkernelError {
  constructor(exitCode: unknown) {
    super(
      'AR-UNEXPECTED',
      `process.exit(${exitCode === undefined ? '' : String(exitCode)}) was called in a cell; the kernel keeps running ` +
        '(restart the kernel to start over)',
      { details: { exitCode: typeof exitCode === 'number' ? exitCode : null } },
    );
  }
}

/** Node's error for a script stopped by breakOnSigint. */
function isSigintInterrupt(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED'
  );
}

function abortPromise(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CellInterruptedError());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return {
    promise,
    dispose: () => {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Runs `script` (which evaluates to a Promise of the cell's value) and returns the value.
 * Throws the cell's own error, or CellInterruptedError.
 */
export async function evaluateScript(
  script: string,
  filename: string,
  signal: AbortSignal,
): Promise<unknown> {
  if (signal.aborted) throw new CellInterruptedError();
  const compiled = new vm.Script(script, { filename });
  let pending: unknown;
  try {
    pending = compiled.runInThisContext({ breakOnSigint: true, displayErrors: false });
  } catch (error) {
    if (isSigintInterrupt(error)) throw new CellInterruptedError();
    throw error;
  }
  if (!util.types.isPromise(pending)) return pending;
  const abort = abortPromise(signal);
  // The cell's promise keeps running after an interrupt (JavaScript cannot cancel it); swallow
  // its eventual rejection so it cannot surface later as an unhandled rejection.
  pending.catch(() => undefined);
  try {
    return await Promise.race([pending, abort.promise]);
  } finally {
    abort.dispose();
  }
}
