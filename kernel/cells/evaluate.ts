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
 * still answers, and only a kernel restart helps. A path that works, tried on Node 20: a worker
 * thread holding `inspector.Session.connectToMainThread()` posts `Runtime.terminateExecution`;
 * V8 stops the looping continuation (uncatchable: its `finally` does not run, its promise stays
 * pending, which the AbortSignal race already handles) and the event loop carries on with state
 * kept. Missing for a full fix: noticing the SIGINT while the main thread is blocked (e.g. the
 * process-wide SIGINT watchdog flag polled from that worker) and terminating only when the main
 * thread is really stuck (a ping it fails to answer), since terminateExecution on an idle thread
 * would kill the NEXT piece of JavaScript instead.
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
