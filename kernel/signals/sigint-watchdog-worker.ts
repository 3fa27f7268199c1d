/**
 * Worker thread entry of the SIGINT watchdog (sigint-watchdog.ts says why it exists). It spends
 * its whole life inside nested `breakOnSigint` evaluations blocked in `Atomics.wait`, which keeps
 * Node's process-wide SIGINT watchdog running: a SIGINT that no newer watchdog claims (no cell is
 * running synchronously on the main thread) terminates this thread's innermost evaluation, and
 * the worker reports it to the main thread and waits again.
 *
 * Why three levels: each SIGINT is taken by exactly one watchdog, the newest. While the innermost
 * level is being re-entered after a signal, the next one holds the watchdog, so the count of
 * active watchdogs never drops to zero, which would make Node put back its "exit on SIGINT"
 * handler for that instant. A third signal within those few microseconds is what it would take.
 */
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import {
  STOP_INDEX,
  type WatchdogToMain,
  type WatchdogWorkerData,
} from './sigint-watchdog-messages.js';

if (!parentPort) throw new Error('sigint-watchdog-worker must run in a worker thread');
const port = parentPort;
const control = new Int32Array((workerData as WatchdogWorkerData).control);
const post = (m: WatchdogToMain): void => port.postMessage(m);

const LEVELS = 3;
const stopped = (): boolean => Atomics.load(control, STOP_INDEX) !== 0;

let readySent = false;
/** The innermost level: blocked until told to stop; a SIGINT interrupts the wait. */
function block(): void {
  if (!readySent) {
    readySent = true;
    // Posted from inside every level's watchdog: from now on a SIGINT is always claimed.
    post({ type: 'ready' });
  }
  while (!stopped()) Atomics.wait(control, STOP_INDEX, 0);
}

function isSigintInterrupt(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
}

const levelScript = new vm.Script('next()', { filename: 'agentkernel-sigint-watchdog' });

function guarded(depth: number): void {
  const context = vm.createContext({
    next: depth === LEVELS ? block : () => guarded(depth + 1),
  });
  while (!stopped()) {
    try {
      levelScript.runInContext(context, { breakOnSigint: true });
    } catch (error) {
      if (!isSigintInterrupt(error)) throw error;
      post({ type: 'sigint' });
    }
  }
}

guarded(1);
