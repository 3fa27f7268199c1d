/**
 * The TypeScript cell engine behind the `CellEngine` contract (kernel/cells/types.ts).
 *
 * TYPE-ERROR POLICY (for the README)
 * ----------------------------------
 * Cells are executed transpile-only (per-cell `transpileModule`, ~1 ms, flat with session size);
 * type errors never stop a cell from running (tslab refuses to run a cell with a type error,
 * which punishes exploratory code; Deno never reports them, which hides real mistakes). Instead
 * every executed cell is type-checked by a TypeScript language service over all accumulated
 * cells, in a worker thread, and its errors are printed as warnings on the cell's own stderr:
 *
 *     warning TS2322 at <cell-3>:1:7: Type 'string' is not assignable to type 'number'.
 *
 * Why a worker: measured on this machine, an incremental check costs 23–28 ms per cell even when
 * warm (a new Program and checker per cell, dominated by lib.d.ts + @types/node), 630 ms cold,
 * and ~300 MB. On the main thread that would be tslab's 28 → 46 ms per cell; in a worker the
 * execute round trip stays ~1–2 ms and the kernel stays responsive.
 *
 * `typeCheck` chooses when the warning arrives:
 *   - 'wait' : execute waits for the cell's check, so warnings land before `idle`;
 *   - 'background' (default): execute returns at once and the warning is written to the same
 *     cell's sink when the check finishes (tens of ms later; the first check loads the compiler),
 *     EXCEPT when the request is not interactive (`ExecuteOptions.interactive === false`, i.e. the
 *     execute_request had `allow_stdin: false`, as nbconvert/nbclient/papermill send): then the
 *     cell waits for its check, because a batch client drops output that arrives after a cell's
 *     idle (nbclient ignores messages whose parent is not the cell it is running);
 *   - 'off'  : no type checking (completion and inspection still work).
 * The environment variable AGENTKERNEL_TYPECHECK=wait|background|off overrides the default.
 *
 * Why not make 'wait' the default: measured with bench/cells-engine.ts (2-core machine, shared),
 * a check costs ~15–35 ms of worker CPU per cell even with one file per cell (every check builds
 * a new Program and checker, and initialising a checker over lib + @types/node is most of it), so
 * `1+1` in 'wait' mode is ×8–×30 the transpile-only median (e.g. 7 → 59 ms under load; 1.3 ms →
 * ~20 ms idle), far over the ~3 ms budget. Interactive users get the warning a moment after the
 * result (frontends route late output to the cell by its parent header); batch runs pay the wait.
 *
 * The compiler is never loaded at start: the transpiler on the first cell, the checker worker on
 * the first executed cell or completion request.
 */
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { currentSink } from '../output/sink.js';
import type { OutputSink } from '../output/sink.js';
import { formatValue } from '../display/format.js';
import { display, newDisplay, clearOutput, tslabModule } from '../display/display.js';
import type {
  CellEngine,
  CompletionResult,
  ExecuteOutcome,
  InspectResult,
  IsCompleteResult,
} from './types.js';
import { transpileCell } from './transpile.js';
import type { TranspiledCell } from './transpile.js';
import { CELL_RUNTIME_GLOBAL } from './transpile.js';
import { evaluateScript, CellExitError } from './evaluate.js';
import { cellFileName, errorOutcome, syntaxErrorOutcome } from './traceback.js';
import type { CellSources } from './traceback.js';
import { createCellModuleLoader } from './modules.js';
import { TypeCheckerClient, formatTypeWarnings } from './diagnostics.js';
import type { CheckerMemory } from './checker-messages.js';
import { isComplete } from './is-complete.js';
import { codePointsToUtf16, utf16ToCodePoints } from './cursor.js';

export type TypeCheckMode = 'wait' | 'background' | 'off';

export interface CellEngineOptions {
  /** The notebook's directory: npm packages and relative imports resolve from here. */
  cwd: string;
  typeCheck?: TypeCheckMode;
}

export interface TypeScriptCellEngine extends CellEngine {
  /** Resolves when every type check started so far has reported (tests, benchmarks). */
  typeChecksSettled(): Promise<void>;
  /** The checker worker's heap (benchmarks); undefined when the worker is not running. */
  checkerMemory(): Promise<CheckerMemory | undefined>;
  /** Stops the checker worker. */
  dispose(): Promise<void>;
}

function typeCheckModeFromEnv(): TypeCheckMode | undefined {
  const value = process.env['AGENTKERNEL_TYPECHECK'];
  return value === 'wait' || value === 'background' || value === 'off' ? value : undefined;
}

/**
 * `process.exit()` in a cell (or in a timer it started) throws instead of killing the kernel.
 * Outside any cell context the real exit runs, so the kernel's own shutdown still works.
 */
/**
 * The global object cells run in. Usually our own `globalThis`, but not when the engine is itself
 * loaded inside a vm context (jest runs test files that way), so ask the main context directly.
 */
function cellGlobal(): typeof globalThis {
  mainGlobal ??= vm.runInThisContext('globalThis') as typeof globalThis;
  return mainGlobal;
}

let mainGlobal: typeof globalThis | undefined;

function guardProcessExit(): void {
  const marker = Symbol.for('agentkernel.exitGuard');
  const proc = cellGlobal().process as NodeJS.Process & { [key: symbol]: unknown };
  // One guard per process, asking every engine module instance whether a cell context is active
  // (test runners can load this module more than once, each with its own outputContext).
  let inCell = proc[marker] as Set<() => boolean> | undefined;
  if (!inCell) {
    const checks = new Set<() => boolean>();
    inCell = checks;
    proc[marker] = checks;
    const realExit = proc.exit.bind(proc);
    proc.exit = ((code?: number | string | null) => {
      if ([...checks].some((check) => check())) throw new CellExitError(code);
      return realExit(code as number | undefined);
    }) as typeof process.exit;
  }
  if (!exitCheckRegistered) inCell.add(() => currentSink() !== undefined);
  exitCheckRegistered = true;
}

let exitCheckRegistered = false;

/** Globals cells see besides Node's own: the display API and CommonJS conveniences. */
function cellGlobals(
  cwd: string,
  loader: ReturnType<typeof createCellModuleLoader>,
): Record<string, unknown> {
  const cellRequire = Object.assign(
    (id: string): unknown => (id === 'tslab' ? tslabModule : loader.require(id)),
    { resolve: loader.require.resolve, cache: loader.require.cache },
  );
  const globals: Record<string, unknown> = {
    [CELL_RUNTIME_GLOBAL]: loader,
    display,
    newDisplay,
    clear_output: clearOutput,
    require: cellRequire,
    __dirname: cwd,
    __filename: path.join(cwd, '__agentkernel_cell__.js'),
  };
  for (const name of RUN_GLOBALS) globals[name] = runGlobal(name, loader);
  return globals;
}

/** (Re)defines `globals` before a cell runs: an earlier cell may have reassigned one. */
function installCellGlobals(globals: Record<string, unknown>): void {
  const g = cellGlobal() as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) {
    if (g[name] === value) continue; // reading is far cheaper than defining
    Object.defineProperty(g, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

/**
 * The run functions of "agentkernel" (with live progress, see workflow-api.ts) as ready globals,
 * so a cell can call `await runWorkflow("wf.yaml")` without an import. The runtime loads in the
 * background after start-up (server warm-up) and before any cell that names one of them; the async
 * ones also wait for it, while a sync one called before it loaded (from a function defined earlier,
 * within the first second) says how to proceed.
 */
const RUN_GLOBALS = ['runWorkflow', 'runWorkflowSync', 'resumeRun', 'resumeRunSync'] as const;
const NAMES_RUN_GLOBAL = new RegExp(`\\b(?:${RUN_GLOBALS.join('|')})\\b`);

function runGlobal(
  name: (typeof RUN_GLOBALS)[number],
  loader: ReturnType<typeof createCellModuleLoader>,
): (...args: unknown[]) => unknown {
  const call = (api: Record<string, unknown>, args: unknown[]): unknown => {
    const fn = api[name];
    if (typeof fn !== 'function')
      throw new Error(`agentkernel: the runtime did not load, so ${name} is unavailable`);
    return (fn as (...a: unknown[]) => unknown)(...args);
  };
  const sync = name.endsWith('Sync');
  return function (...args: unknown[]): unknown {
    const loaded = loader.agentkernelIfLoaded();
    if (loaded) return call(loaded, args);
    if (!sync) return loader.import('agentkernel').then((api) => call(api, args));
    throw new Error(
      `${name}: the workflow runtime is still loading; run the cell again, or write import { ${name} } from "agentkernel" at its top`,
    );
  };
}

export function createCellEngine(options: CellEngineOptions): TypeScriptCellEngine {
  const cwd = path.resolve(options.cwd);
  const mode: TypeCheckMode = typeCheckModeFromEnv() ?? options.typeCheck ?? 'background';
  const loader = createCellModuleLoader(cwd);
  const globals = cellGlobals(cwd, loader);
  const checker = new TypeCheckerClient(
    cwd,
    createRequire(import.meta.url).resolve('@types/node/package.json'),
  );
  const transpiled = new Map<number, TranspiledCell>();
  const codes = new Map<number, string>();
  const pendingChecks = new Set<Promise<void>>();
  /** Keeps `check` in pendingChecks until it settles (typeChecksSettled waits for them all). */
  const track = (check: Promise<void>): Promise<void> => {
    pendingChecks.add(check);
    void check.finally(() => pendingChecks.delete(check));
    return check;
  };
  let cellCount = 0;
  guardProcessExit();

  const sources: CellSources = {
    transpiled: (n) => transpiled.get(n),
    code: (n) => codes.get(n),
  };

  const checkCell = (
    code: string,
    n: number,
    sink: OutputSink | undefined,
    silent: boolean,
    defer: boolean,
  ): Promise<void> => {
    const check = checker
      .check(code, cellFileName(n), { defer })
      .then((diagnostics) => {
        if (diagnostics.length > 0 && sink && !silent)
          sink.stream('stderr', formatTypeWarnings(diagnostics, cellFileName(n)));
      })
      .catch((error: unknown) => {
        // A broken checker must not break execution; say so once per cell, on stderr.
        if (sink && !silent)
          sink.stream('stderr', `agentkernel: type check unavailable: ${String(error)}\n`);
      });
    return track(check);
  };

  async function run(
    code: string,
    signal: AbortSignal,
    silent: boolean,
    record: boolean,
    awaitCheck: boolean,
  ): Promise<ExecuteOutcome> {
    const n = ++cellCount;
    codes.set(n, code);
    let result;
    try {
      result = transpileCell(code, `${cellFileName(n)}.ts`);
    } catch (error) {
      return errorOutcome(error, sources);
    }
    if (!result.ok) return syntaxErrorOutcome(result.errors, n, code);
    transpiled.set(n, result.cell);
    installCellGlobals(globals);
    // A sync run function cannot wait for the runtime to load: load it before a cell naming one.
    if (NAMES_RUN_GLOBAL.test(code) && !loader.agentkernelIfLoaded()) {
      await loader.import('agentkernel').catch(() => undefined);
    }
    const sink = currentSink();
    const check =
      record && mode !== 'off' ? checkCell(code, n, sink, silent, !awaitCheck) : undefined;
    let outcome: ExecuteOutcome;
    try {
      const value = await evaluateScript(result.cell.script, cellFileName(n), signal);
      const formatted = formatValue(value);
      outcome = formatted ? { status: 'ok', result: formatted } : { status: 'ok' };
    } catch (error) {
      outcome = errorOutcome(error, sources);
    }
    if (check && awaitCheck) await check;
    return outcome;
  }

  return {
    execute(code, { signal, silent, interactive }) {
      return run(
        code,
        signal,
        silent,
        true,
        mode === 'wait' || (mode === 'background' && interactive === false),
      );
    },
    evaluateExpression(expression) {
      return run(`(${expression}\n)`, new AbortController().signal, true, false, false);
    },
    async complete(code, cursorPos): Promise<CompletionResult> {
      // Jupyter counts code points, the language service UTF-16 units (see cursor.ts).
      const c = await checker.complete(code, codePointsToUtf16(code, cursorPos));
      const cursorStart = utf16ToCodePoints(code, c.cursorStart);
      const cursorEnd = utf16ToCodePoints(code, c.cursorEnd);
      return {
        matches: c.matches,
        cursorStart,
        cursorEnd,
        metadata: {
          _jupyter_types_experimental: c.types.map((t) => ({
            ...t,
            start: cursorStart,
            end: cursorEnd,
          })),
        },
      };
    },
    async inspect(code, cursorPos, detailLevel): Promise<InspectResult> {
      return checker.inspect(code, codePointsToUtf16(code, cursorPos), detailLevel);
    },
    isComplete(code): IsCompleteResult {
      return isComplete(code);
    },
    declareVariables(variables) {
      if (mode === 'off' || variables.length === 0) return;
      // A declaration-only cell, committed to the checker like any cell and never run: later
      // cells import these names from it as they would from a cell that declared them.
      const code = variables
        .filter((v) => /^[A-Za-z_$][\w$]*$/.test(v.name))
        .map((v) => `declare let ${v.name}: ${v.type};`)
        .join('\n');
      void track(
        checker.check(code, cellFileName(cellCount)).then(
          () => undefined,
          () => undefined,
        ),
      );
    },
    async typeChecksSettled() {
      while (pendingChecks.size > 0) await Promise.all([...pendingChecks]);
    },
    checkerMemory() {
      return checker.memory();
    },
    async dispose() {
      await checker.dispose();
    },
  };
}
