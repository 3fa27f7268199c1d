/**
 * The main-thread side of type checking, completion and inspection: a lazily started worker
 * (checker-worker.ts) holding the language service, and the formatting of its diagnostics as
 * cell-relative warnings. The worker is unref'd, so it never keeps the process alive.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AgentkernelError } from '../../runtime/errors.js';
import type { InspectResult } from './types.js';
import type { CellDiagnostic, Completion } from './language-service.js';
import type {
  CheckerMemory,
  CheckerRequest,
  CheckerResponse,
  CheckerWorkerData,
} from './checker-messages.js';

type Body<T> = T extends unknown ? Omit<T, 'id'> : never;

export class TypeCheckerError extends AgentkernelError {
  constructor(message: string) {
    super('AR-UNEXPECTED', `type checker: ${message}`);
  }
}

/** `warning TS2322 at <cell-3>:1:7: Type 'string' is not assignable to type 'number'.` */
export function formatTypeWarnings(diagnostics: CellDiagnostic[], cellName: string): string {
  return diagnostics
    .map(
      (d) =>
        `${d.category === 'error' ? 'warning' : d.category} TS${d.code} at ${cellName}:${d.line}:${d.col}: ${d.message}\n`,
    )
    .join('');
}

/**
 * The checker worker's heap limits. A type check builds a new Program and checker per cell, so
 * the worker allocates a lot of short-lived garbage over a ~90 MB live set (the compiler, lib
 * es2023, @types/node). Left to V8's defaults, its heap grew to 230–330 MB and the kernel's RSS
 * to 560–620 MB after 200 cells; capping the old generation at 128 MB and the young generation at
 * 4 MB makes V8 collect sooner: ~350 MB RSS for the whole kernel, with no measurable slowdown
 * (bench/cells-engine.ts). Notebooks whose imported packages have large typings can need more:
 * on ERR_WORKER_OUT_OF_MEMORY the worker restarts with twice the limit (up to 2 GB) and replays
 * the committed cells. AGENTKERNEL_CHECKER_HEAP_MB sets the starting limit.
 */
const CHECKER_OLD_GENERATION_MB = 128;
const CHECKER_YOUNG_GENERATION_MB = 4;
const CHECKER_MAX_OLD_GENERATION_MB = 2048;

function initialOldGenerationMb(): number {
  const fromEnv = Number(process.env['AGENTKERNEL_CHECKER_HEAP_MB']);
  return Number.isFinite(fromEnv) && fromEnv >= 64 ? fromEnv : CHECKER_OLD_GENERATION_MB;
}

/**
 * A background check (nobody waits for it) is sent once no cell has run for this long, together
 * with the checks queued meanwhile: while cells come back to back, the checker does not compete
 * with them for the CPU, then checks them as one batch. A user sees the warning this much later.
 */
const DEFER_CHECK_MS = 40;
/** …but no check waits longer than this, however long a burst of cells lasts. */
const MAX_CHECK_DEFERRAL_MS = 500;

interface DeferredCheck {
  code: string;
  since: number;
  resolve(diagnostics: CellDiagnostic[]): void;
  reject(error: Error): void;
}

export class TypeCheckerClient {
  private worker: Worker | undefined;
  private readonly deferred: DeferredCheck[] = [];
  private deferTimer: NodeJS.Timeout | undefined;
  private oldGenerationMb = initialOldGenerationMb();
  /** Every cell sent for checking, in order: replayed into a restarted worker. */
  private readonly committed: string[] = [];
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve(r: CheckerResponse): void; reject(e: Error): void }
  >();

  constructor(
    private readonly cwd: string,
    private readonly typesNodePackageJson: string,
  ) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const workerData: CheckerWorkerData = {
      cwd: this.cwd,
      typesNodeDir: path.dirname(this.typesNodePackageJson),
    };
    const worker = new Worker(new URL('./checker-worker.js', import.meta.url), {
      workerData,
      resourceLimits: {
        maxOldGenerationSizeMb: this.oldGenerationMb,
        maxYoungGenerationSizeMb: CHECKER_YOUNG_GENERATION_MB,
      },
    });
    worker.unref();
    // A restarted worker (after running out of memory) first re-checks every committed cell, so
    // later cells still see their declarations; replies to these have no waiter and are dropped.
    for (const code of this.committed)
      worker.postMessage({ type: 'check', code, id: this.nextId++ } satisfies CheckerRequest);
    worker.on('message', (response: CheckerResponse) => {
      const waiter = this.waiting.get(response.id);
      if (!waiter) return;
      this.waiting.delete(response.id);
      if (response.type === 'error') waiter.reject(new TypeCheckerError(response.message));
      else waiter.resolve(response);
    });
    const failAll = (error: Error) => {
      // Only for the current worker: an old one's late 'exit' must not fail its successor's work.
      if (this.worker !== worker) return;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
      this.worker = undefined;
    };
    worker.on('error', (error: Error & { code?: string }) => {
      if (
        error.code === 'ERR_WORKER_OUT_OF_MEMORY' &&
        this.oldGenerationMb < CHECKER_MAX_OLD_GENERATION_MB
      ) {
        const before = this.oldGenerationMb;
        this.oldGenerationMb = Math.min(CHECKER_MAX_OLD_GENERATION_MB, before * 2);
        failAll(
          new TypeCheckerError(
            `ran out of memory (${before} MB heap); restarting with ${this.oldGenerationMb} MB`,
          ),
        );
      } else failAll(new TypeCheckerError(error.message));
    });
    worker.on('exit', (code) => failAll(new TypeCheckerError(`worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private request(body: Body<CheckerRequest>): Promise<CheckerResponse> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // A pending request keeps the worker referenced, so an awaited check is not dropped at exit.
      worker.ref();
      worker.postMessage({ ...body, id } as CheckerRequest);
    }).finally(() => {
      if (this.waiting.size === 0) this.worker?.unref();
    }) as Promise<CheckerResponse>;
  }

  /**
   * Checks `code` as the next cell. `defer`: a background check, sent with the next batch (see
   * DEFER_CHECK_MS); otherwise it is sent now, after any deferred ones (cells stay in order).
   */
  check(
    code: string,
    _cellName: string,
    options: { defer?: boolean } = {},
  ): Promise<CellDiagnostic[]> {
    if (!options.defer) {
      this.sendDeferred();
      return this.sendCheck(code);
    }
    return new Promise<CellDiagnostic[]>((resolve, reject) => {
      this.deferred.push({ code, since: Date.now(), resolve, reject });
      clearTimeout(this.deferTimer);
      const waited = Date.now() - this.deferred[0]!.since;
      this.deferTimer = setTimeout(
        () => this.sendDeferred(),
        Math.max(0, Math.min(DEFER_CHECK_MS, MAX_CHECK_DEFERRAL_MS - waited)),
      );
    });
  }

  private sendDeferred(): void {
    clearTimeout(this.deferTimer);
    this.deferTimer = undefined;
    for (const item of this.deferred.splice(0))
      this.sendCheck(item.code).then(item.resolve, item.reject);
  }

  private async sendCheck(code: string): Promise<CellDiagnostic[]> {
    const pending = this.request({ type: 'check', code });
    // After the request: a worker started by it must not replay this cell as well.
    this.committed.push(code);
    const response = await pending;
    return response.type === 'check' ? response.diagnostics : [];
  }

  /** Completions at UTF-16 offset `cursor` (the engine converts Jupyter's code points). */
  async complete(code: string, cursor: number): Promise<Completion> {
    this.sendDeferred(); // completion must see every cell executed so far
    const response = await this.request({ type: 'complete', code, cursor });
    return response.type === 'complete'
      ? response.completion
      : { matches: [], cursorStart: cursor, cursorEnd: cursor, types: [] };
  }

  /** Quick info at UTF-16 offset `cursor`. */
  async inspect(code: string, cursor: number, _detailLevel: 0 | 1): Promise<InspectResult> {
    this.sendDeferred();
    const response = await this.request({ type: 'inspect', code, cursor });
    if (response.type !== 'inspect' || !response.info.found)
      return { found: false, data: {}, metadata: {} };
    return { found: true, data: { 'text/plain': response.info.text }, metadata: {} };
  }

  /** The worker's heap, or undefined when it is not running. */
  async memory(): Promise<CheckerMemory | undefined> {
    if (!this.worker) return undefined;
    const response = await this.request({ type: 'memory' });
    return response.type === 'memory' ? response.memory : undefined;
  }

  async dispose(): Promise<void> {
    clearTimeout(this.deferTimer);
    for (const item of this.deferred.splice(0)) item.reject(new TypeCheckerError('disposed'));
    const worker = this.worker;
    this.worker = undefined;
    for (const waiter of this.waiting.values()) waiter.reject(new TypeCheckerError('disposed'));
    this.waiting.clear();
    if (worker) await worker.terminate();
  }
}
