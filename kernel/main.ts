/**
 * Kernel process entry: `node dist/kernel/main.js <connection-file>` (what kernel.json starts).
 * Reads the connection file, captures stdio for cells, installs the process guards, binds the
 * sockets and publishes `starting`. Nothing is printed on stdout. The cell engine (and the
 * TypeScript compiler) is imported lazily, so the first kernel_info_reply goes out before it loads.
 */
import { fileURLToPath } from 'node:url';
import type { CellEngine } from './cells/types.js';
import { History, defaultHistoryFile } from './history.js';
import { closeMagicStores } from './magics/index.js';
import { installInputGlobal } from './output/input.js';
import { installProcessGuards } from './output/process-guards.js';
import { installStreamCapture } from './output/streams.js';
import { readConnectionFile } from './protocol/connection.js';
import { Session } from './protocol/session.js';
import { Signer } from './protocol/wire.js';
import { KernelServer } from './server.js';
import { KernelSockets } from './transport/sockets.js';
import { startSigintWatchdog } from './signals/sigint-watchdog.js';

/** The engine module is D's (kernel/cells/engine.ts); imported by a computed specifier so it stays lazy. */
const ENGINE_MODULE = './cells/engine.js';
/** The runtime's public door, also imported lazily (it loads YAML, SQLite, the engine…). */
const RUNTIME_MODULE = '../runtime/index.js';

/**
 * After start-up, between cells: load the workflow runtime (cells and magics share this module
 * instance) and start the sync bridge's worker, which loads its own copy of the engine on its own
 * thread, so the first `runWorkflowSync` in a cell does not pay a cold start.
 */
async function warmUpRuntime(): Promise<void> {
  const runtime = (await import(RUNTIME_MODULE)) as { prewarmSyncBridge?: () => void };
  runtimeWarmedUp = true;
  runtime.prewarmSyncBridge?.();
}

/** Set once warm-up started the sync bridge's worker, which shutdown must then stop. */
let runtimeWarmedUp = false;

/** Backstop: a release step that hangs must not keep a kernel that was told to exit alive. */
const SHUTDOWN_BACKSTOP_MS = 5000;

async function loadEngine(cwd: string): Promise<CellEngine> {
  const mod = (await import(ENGINE_MODULE)) as {
    createCellEngine?: (options: { cwd: string }) => CellEngine;
  };
  if (typeof mod.createCellEngine !== 'function') {
    throw new Error(`${ENGINE_MODULE} does not export createCellEngine(options)`);
  }
  return mod.createCellEngine({ cwd });
}

export async function runKernel(connectionFile: string): Promise<void> {
  const capture = installStreamCapture();
  const log = (text: string): void => capture.log(`[agentkernel] ${text}`);
  const info = readConnectionFile(connectionFile);
  const session = new Session();
  const signer = new Signer(info.key, info.signature_scheme);
  // The closures below run only after `server` is constructed (sockets start later).
  const guards = installProcessGuards({ fallbackSink: () => server.lastSink, log });
  installInputGlobal();

  const sockets: KernelSockets = new KernelSockets(info, session.id, {
    onFrames: (channel, frames) => server.receive(channel, frames),
    onInterrupted: (frames) => server.receiveInterrupted(frames),
    log: (text) => log(text.endsWith('\n') ? text : `${text}\n`),
  });
  // Before anything listens for SIGINT (see sigint-watchdog.ts); it starts alongside the sockets.
  const watchdogStarted = startSigintWatchdog({
    // The kernel's own reaction first, so a cell that removed every SIGINT listener cannot
    // disable interrupts; then the listeners (the kernel's below, which repeats it harmlessly,
    // serves when the watchdog cannot run).
    onSigint: () => {
      server.interrupt();
      process.emit('SIGINT', 'SIGINT');
    },
    log,
  });
  let engine: CellEngine | undefined;
  /**
   * Exits in order: the type checker's worker, the magics' SQLite stores and the sync bridge's
   * worker (which may hold a SQLite connection of its own) first, then the socket worker (which
   * flushes the shutdown reply before it closes its zeromq sockets), and only then process.exit.
   * Exiting while worker threads and native handles were still alive let the process teardown
   * race them: `free(): corrupted unsorted chunks` was seen at shutdown.
   */
  let exiting = false;
  const releaseAndExit = async (): Promise<void> => {
    if (exiting) return;
    exiting = true;
    setTimeout(() => guards.exit(0), SHUTDOWN_BACKSTOP_MS).unref();
    // Workers that do not own sockets go first: with the type checker or the sync worker still
    // alive while the zeromq socket worker was torn down, the process aborted at exit in about 1
    // shutdown in 4 (`free(): corrupted …`); the socket worker (which flushes the shutdown reply
    // before it closes) goes last.
    const steps: [string, () => Promise<unknown> | undefined][] = [
      ['cell engine', () => engine?.dispose?.()],
      ['run stores', () => closeMagicStores()],
      [
        'sync bridge',
        () =>
          runtimeWarmedUp
            ? import(RUNTIME_MODULE).then((r: { closeSyncBridges?: () => Promise<void> }) =>
                r.closeSyncBridges?.(),
              )
            : undefined,
      ],
      ['sockets', () => sockets.close()],
      ['SIGINT watchdog', () => watchdogStarted.then((w) => w.close())],
    ];
    for (const [what, release] of steps) {
      try {
        await release();
      } catch (e) {
        log(`shutdown: closing the ${what} failed: ${String(e)}\n`);
      }
    }
    guards.exit(0);
  };
  let shuttingDown = false;
  const server: KernelServer = new KernelServer({
    session,
    signer,
    transport: { send: (channel, frames, options) => sockets.send(channel, frames, options) },
    loadEngine: () => loadEngine(process.cwd()).then((e) => (engine = e)),
    history: new History(defaultHistoryFile(), log),
    log,
    // Opt-in (AGENTKERNEL_PREWARM=on): preloading the runtime and the sync bridge's worker makes
    // the first runWorkflowSync in a cell warm. It was the default until kernels with it aborted
    // at exit (`free(): corrupted …`, ~1 shutdown in 6); tearing down the other workers before the
    // socket worker (releaseAndExit) fixed that in 16 of 16 runs with prewarm on, but until more
    // runs confirm it, kernels start without the extra worker.
    ...(process.env['AGENTKERNEL_PREWARM'] === 'on' ? { warmUp: warmUpRuntime } : {}),
    onShutdown: (restart) => {
      if (shuttingDown) return;
      shuttingDown = true;
      log(`shutdown requested (restart=${restart})\n`);
      // Restart means a fresh process, started by the client once this one has exited.
      void releaseAndExit();
    },
  });

  // SIGINT (interrupt_mode "signal", or raised by the socket worker on interrupt_request):
  // a synchronous cell is stopped by vm's breakOnSigint; awaited work is aborted here (the
  // watchdog worker emits the signals no cell claimed).
  process.on('SIGINT', () => server.interrupt());
  // Jupyter stops a kernel with SIGTERM when shutdown_request is not answered in time.
  process.on('SIGTERM', () => void releaseAndExit());

  // Both before `starting` goes out: once a client can interrupt, SIGINT must never be fatal.
  await Promise.all([watchdogStarted, sockets.start()]);
  server.start();
  watchParent(process.env['JPY_PARENT_PID'], () => {
    log('the process that started the kernel is gone: exiting\n');
    void releaseAndExit();
  });
}

/** How often the launcher's liveness is checked; an orphan lingering this long is harmless. */
const PARENT_POLL_MS = 1000;

/**
 * jupyter_client sets JPY_PARENT_PID; when that process dies without shutting the kernel down
 * (killed server, crashed editor), exit instead of lingering as an orphan (a tslab complaint).
 */
function watchParent(pidText: string | undefined, onGone: () => void): void {
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch (e) {
      // EPERM means it exists but belongs to someone else: still alive.
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') {
        clearInterval(timer);
        onGone();
      }
    }
  }, PARENT_POLL_MS);
  timer.unref();
}

const isEntry = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isEntry) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node main.js <connection-file>\n');
    process.exitCode = 2;
  } else {
    runKernel(file).catch((e: unknown) => {
      process.stderr.write(
        `agentkernel: cannot start: ${e instanceof Error ? e.message : String(e)}\n`,
      );
      process.exit(1);
    });
  }
}
