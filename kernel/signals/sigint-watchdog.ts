/**
 * Cheap interrupts for cells. A cell's synchronous part runs under vm's `breakOnSigint` (so SIGINT
 * stops `while (true) {}`), and Node implements that with a process-wide SIGINT watchdog: the first
 * guarded evaluation starts a helper thread and installs a native SIGINT handler, the last one to
 * end joins the thread and puts the "exit on SIGINT" handler back. With nothing else guarding, every
 * cell paid for a thread start and join: 75 µs in a tight loop, and 0.3–0.6 ms per cell inside the
 * kernel, where the join waits for the helper thread to be scheduled on a busy 2-core machine.
 * That was a third of the `1+1` round trip.
 *
 * So the kernel keeps one guarded evaluation alive for its whole life, in a small worker
 * (sigint-watchdog-worker.ts). Node's watchdogs nest and the newest one claims a signal, so:
 *   - a cell's evaluation only registers with the already running helper (about 7 µs), and a
 *     SIGINT during it still stops it exactly as before;
 *   - a SIGINT while no cell runs synchronously (the kernel idle, a cell awaiting, a
 *     `runWorkflowSync` guard aside) is claimed by the worker, which tells the main thread; the
 *     kernel then emits `SIGINT` on `process`, so its own listener and those of cells run.
 *
 * One rule makes this safe: on the main thread, `process.on('SIGINT')` must not reach libuv. Node's
 * `breakOnSigint` removes and re-adds the SIGINT listeners around every guarded evaluation; when
 * the last one is removed, libuv resets SIGINT to its default action, and with the helper already
 * running nobody installs the native handler again, so the next Ctrl+C would kill the kernel. The
 * kernel therefore takes SIGINT out of Node's signal-listener hooks (the `newListener` and
 * `removeListener` handlers Node installs on `process`): SIGINT listeners become plain event
 * listeners, fed by the worker. Where those hooks cannot be found (another Node release), nothing
 * is changed and cells fall back to one watchdog per evaluation, as before.
 */
import { Worker } from 'node:worker_threads';
import { STOP_INDEX, type WatchdogToMain } from './sigint-watchdog-messages.js';

type SignalHook = (type: string | symbol) => void;

interface DetachedSigint {
  /** Puts Node's hooks back and starts listening for SIGINT through libuv again. */
  restore(): void;
}

/**
 * Replaces Node's signal-listener hooks on `process` by ones that skip SIGINT. Returns undefined
 * (and changes nothing) when the hooks are not Node's known functions, or when SIGINT is already
 * being listened to through libuv.
 */
function detachSigintFromEventLoop(): DetachedSigint | undefined {
  const named = (listeners: readonly unknown[], name: string): SignalHook | undefined =>
    listeners.find((f): f is SignalHook => typeof f === 'function' && f.name === name);
  // Node's own typing of process.listeners() knows only the signal and process events.
  const emitter: NodeJS.EventEmitter = process;
  const start = named(emitter.listeners('newListener'), 'startListeningIfSignal');
  const stop = named(emitter.listeners('removeListener'), 'stopListeningIfSignal');
  if (!start || !stop || process.listenerCount('SIGINT') > 0) return undefined;
  const startUnlessSigint: SignalHook = (type) => {
    if (type !== 'SIGINT') start(type);
  };
  const stopUnlessSigint: SignalHook = (type) => {
    if (type !== 'SIGINT') stop(type);
  };
  process.removeListener('newListener', start);
  process.removeListener('removeListener', stop);
  process.on('newListener', startUnlessSigint);
  process.on('removeListener', stopUnlessSigint);
  return {
    restore() {
      process.removeListener('newListener', startUnlessSigint);
      process.removeListener('removeListener', stopUnlessSigint);
      process.on('newListener', start);
      process.on('removeListener', stop);
      if (process.listenerCount('SIGINT') > 0) start('SIGINT');
    },
  };
}

export interface SigintWatchdog {
  /** Whether the worker holds the watchdog (false: per-evaluation watchdogs, as without it). */
  readonly active: boolean;
  /** Ends the worker. A SIGINT after this takes Node's default action (the process exits). */
  close(): Promise<void>;
}

export interface SigintWatchdogOptions {
  /** A SIGINT arrived while no main-thread evaluation claimed it. */
  onSigint(): void;
  log(text: string): void;
}

const inactive: SigintWatchdog = { active: false, close: () => Promise.resolve() };

/**
 * Starts the watchdog worker; resolves once it holds the watchdog (from then on SIGINT never takes
 * Node's default action) or, when it cannot run, with an inactive watchdog and SIGINT handled by
 * Node's ordinary listeners. Call before anything listens for SIGINT on `process`.
 */
export function startSigintWatchdog(options: SigintWatchdogOptions): Promise<SigintWatchdog> {
  const detached = detachSigintFromEventLoop();
  if (!detached) {
    options.log('SIGINT watchdog unavailable on this Node release: one watchdog per cell\n');
    return Promise.resolve(inactive);
  }
  const control = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const worker = new Worker(new URL('./sigint-watchdog-worker.js', import.meta.url), {
    workerData: { control: control.buffer },
    stdout: true,
    stderr: true,
  });
  worker.unref();
  let closing = false;
  let fellBack = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return new Promise<SigintWatchdog>((resolve) => {
    const fallBack = (why: string): void => {
      if (fellBack) return;
      fellBack = true;
      options.log(`SIGINT watchdog ${why}: SIGINT goes through Node's listeners again\n`);
      detached.restore();
      resolve(inactive);
    };
    worker.on('message', (m: WatchdogToMain) => {
      if (m.type === 'sigint') return options.onSigint();
      resolve({
        get active() {
          return !fellBack && !closing;
        },
        async close() {
          closing = true;
          worker.ref(); // an unref'd worker's exit would not keep this wait alive
          Atomics.store(control, STOP_INDEX, 1);
          Atomics.notify(control, STOP_INDEX);
          await exited;
        },
      });
    });
    worker.on('error', (e) => fallBack(`failed (${String(e)})`));
    worker.on('exit', (code) => {
      if (!closing) fallBack(`exited (code ${code})`);
    });
  });
}
