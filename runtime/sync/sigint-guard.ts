/**
 * SIGINT while a thread is blocked in `Atomics.wait`: Node delivers signals to JS through the
 * event loop, so a `process.on('SIGINT')` handler (the CLI's, the kernel's) cannot run until the
 * wait ends, and the worker thread never receives signals at all. `vm`'s `breakOnSigint` is the one
 * mechanism that acts while JS is blocked: a native watchdog terminates the running script on
 * SIGINT, V8 wakes the futex wait, and the vm call throws ERR_SCRIPT_EXECUTION_INTERRUPTED, which
 * we catch right here and turn into "cancel the run". Watchdogs nest (the innermost wins), so this
 * also works inside a kernel cell that itself runs with `breakOnSigint`.
 */
import vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';

export type GuardedOutcome<T> = { interrupted: false; value: T } | { interrupted: true };

interface GuardGlobals {
  body: (() => unknown) | null;
}

const guardGlobals: GuardGlobals = { body: null };
// Made on first use: a vm context costs ~1 ms, which every importer of the engine (the sync
// worker included, which never guards) would otherwise pay.
let guard: { context: vm.Context; script: vm.Script } | null = null;

/** Runs `body`; a SIGINT that arrives meanwhile (even mid-`Atomics.wait`) ends it early. */
export function runWithSigintGuard<T>(body: () => T): GuardedOutcome<T> {
  // Signals are only delivered to the main thread; elsewhere there is nothing to guard against.
  if (!isMainThread) return { interrupted: false, value: body() };
  guard ??= {
    context: vm.createContext(guardGlobals),
    script: new vm.Script('body()', { filename: 'agentkernel-sync-sigint-guard' }),
  };
  const { context, script } = guard;
  const previous = guardGlobals.body;
  guardGlobals.body = body;
  try {
    return {
      interrupted: false,
      value: script.runInContext(context, { breakOnSigint: true }) as T,
    };
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED')
      return { interrupted: true };
    throw error;
  } finally {
    guardGlobals.body = previous;
  }
}
