/**
 * How cells load modules. `vm` scripts have no module loader of their own, so the transpiler
 * rewrites `import` into calls to `CellModuleLoader.import`, which resolves exactly like a module
 * living in the notebook's directory would:
 *   - "tslab" → our display API, so tslab notebooks run unchanged; "agentkernel" → the runtime's
 *     public API plus the display API, with the run functions showing live progress in the cell
 *     (workflow-api.ts);
 *   - relative `.ts` files → tsx's `tsImport`;
 *   - everything else (npm packages, ESM or CommonJS, `node:` builtins, `.js` files) → Node's
 *     own ESM loader, through a one-line script whose filename sits in `cwd`
 *     (`vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER`, Node ≥ 20.?): same resolution, same
 *     module cache and same instances as a real module in that directory would get.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { display, newDisplay, clearOutput, tslabModule } from '../display/display.js';
import type { RunFunctions } from './workflow-api.js';

type Namespace = Record<string, unknown>;

const TS_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

export interface CellModuleLoader {
  import(specifier: unknown): Promise<Namespace>;
  /** TypeScript's esModuleInterop default: `exports.default` of a transpiled CJS module, else the module. */
  importDefault(namespace: Namespace): unknown;
  require: NodeJS.Require;
  /**
   * The "agentkernel" module if it has finished loading, else undefined (and its load is started):
   * for the ready globals, of which the synchronous ones cannot wait for a load.
   */
  agentkernelIfLoaded(): Namespace | undefined;
  importMeta: {
    url: string;
    filename: string;
    dirname: string;
    resolve(specifier: string): string;
  };
}

function isPathSpecifier(specifier: string): boolean {
  return (
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier.startsWith('/') ||
    specifier === '.'
  );
}

/** A relative import that names, or resolves to, a TypeScript file (`./util`, `./util.js` → util.ts). */
function typeScriptFile(cwd: string, specifier: string): string | undefined {
  const full = path.resolve(cwd, specifier);
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  if (TS_EXTENSIONS.includes(path.extname(full)) && isFile(full)) return full;
  if (isFile(full)) return undefined;
  const stem = /\.[cm]?jsx?$/.test(full) ? full.replace(/\.[cm]?jsx?$/, '') : full;
  for (const ext of TS_EXTENSIONS) if (isFile(stem + ext)) return stem + ext;
  for (const ext of TS_EXTENSIONS)
    if (isFile(path.join(full, 'index' + ext))) return path.join(full, 'index' + ext);
  return undefined;
}

/**
 * Node prints an ExperimentalWarning the first time USE_MAIN_CONTEXT_DEFAULT_LOADER is used; in a
 * kernel that would land on the stderr of whichever cell imported first. Drop exactly that one.
 */
function silenceLoaderWarning(): void {
  const marker = Symbol.for('agentkernel.loaderWarningFilter');
  // The main context's process (not a sandbox's, when we are loaded inside one, as under jest).
  const proc = vm.runInThisContext('process') as NodeJS.Process as NodeJS.Process & {
    [key: symbol]: unknown;
  };
  if (proc[marker]) return;
  proc[marker] = true;
  const emitWarning = proc.emitWarning.bind(proc) as (...args: unknown[]) => void;
  proc.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

export function createCellModuleLoader(cwd: string): CellModuleLoader {
  const anchor = path.join(cwd, '__agentkernel_cell__.js');
  const anchorUrl = pathToFileURL(anchor).href;
  const require = createRequire(anchor);
  let nativeImport: ((specifier: string) => Promise<Namespace>) | undefined;
  let kernelNativeImport: ((specifier: string) => Promise<Namespace>) | undefined;
  const kernelImport = (specifier: string): Promise<Namespace> => {
    silenceLoaderWarning();
    kernelNativeImport ??= new vm.Script('(specifier) => import(specifier)', {
      filename: fileURLToPath(import.meta.url),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }).runInThisContext() as (specifier: string) => Promise<Namespace>;
    return kernelNativeImport(specifier);
  };
  let agentkernelModule: Promise<Namespace> | undefined;
  let agentkernelLoaded: Namespace | undefined;
  const typeScriptModules = new Map<string, { stamp: string; namespace: Promise<Namespace> }>();

  /**
   * tsx's `tsImport` loads a file under a fresh namespace on every call, so two cells importing
   * `./util.ts` got two instances (two copies of its state). One instance per file per session,
   * as a real module graph would give, keyed by path + mtime + size so an edited file is loaded
   * again on its next import (notebook workflow: edit the helper, re-run the import cell). Only the
   * imported file's own stamp is checked: an edit to a file IT imports is picked up once the
   * imported file changes too (or after a kernel restart).
   */
  const importTypeScript = (file: string): Promise<Namespace> => {
    const stats = statSync(file);
    const stamp = `${stats.mtimeMs}:${stats.size}`;
    const cached = typeScriptModules.get(file);
    if (cached?.stamp === stamp) return cached.namespace;
    const namespace = (async () => {
      // Through the main context's loader, anchored at this file so tsx resolves from the
      // kernel's own dependencies (and registers its hooks on the real loader even when we are
      // loaded inside a sandbox such as jest's).
      const { tsImport } = (await kernelImport(
        'tsx/esm/api',
      )) as unknown as typeof import('tsx/esm/api');
      return (await tsImport(pathToFileURL(file).href, anchorUrl)) as Namespace;
    })();
    typeScriptModules.set(file, { stamp, namespace });
    // A file that failed to load (syntax error, throwing top level) is retried on the next import.
    namespace.catch(() => {
      if (typeScriptModules.get(file)?.namespace === namespace) typeScriptModules.delete(file);
    });
    return namespace;
  };

  const importNative = (specifier: string): Promise<Namespace> => {
    silenceLoaderWarning();
    nativeImport ??= new vm.Script('(specifier) => import(specifier)', {
      filename: anchor,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }).runInThisContext() as (specifier: string) => Promise<Namespace>;
    return nativeImport(specifier);
  };

  const loadAgentkernel = async (): Promise<Namespace> => {
    const displayApi = { display, newDisplay, clearOutput, clear_output: clearOutput };
    let runtimeApi: Namespace = {};
    let runApi: Namespace = {};
    try {
      // Through the package's public door, never a deep path (architecture: kernel → runtime/index).
      // A variable specifier: the runtime is loaded only when a cell asks for it.
      const runtimeIndex = '../../runtime/index.js';
      const workflowApi = './workflow-api.js';
      // One after the other: the wrappers import the runtime too (and jest's ESM linker fails on
      // two concurrent dynamic imports of one module graph).
      const runtime = (await import(runtimeIndex)) as RunFunctions & Namespace;
      const wrappers = (await import(workflowApi)) as typeof import('./workflow-api.js');
      runtimeApi = runtime;
      runApi = { ...wrappers.notebookRunFunctions(runtime) };
    } catch (e) {
      // The display API still works; the run functions say why they cannot.
      runtimeApi = {};
      const reason = e instanceof Error ? e.message : String(e);
      const unavailable = (): never => {
        throw new Error(`agentkernel: the workflow runtime failed to load: ${reason}`);
      };
      runApi = {
        runWorkflow: unavailable,
        runWorkflowSync: unavailable,
        resumeRun: unavailable,
        resumeRunSync: unavailable,
      };
    }
    agentkernelLoaded = Object.freeze({ ...runtimeApi, ...runApi, ...displayApi });
    return agentkernelLoaded;
  };

  return {
    async import(specifier: unknown): Promise<Namespace> {
      const spec = String(specifier);
      if (spec === 'tslab') return tslabModule;
      if (spec === 'agentkernel') return (agentkernelModule ??= loadAgentkernel());
      if (isPathSpecifier(spec)) {
        const tsFile = typeScriptFile(cwd, spec);
        if (tsFile) return importTypeScript(tsFile);
      }
      return importNative(spec);
    },
    importDefault(namespace: Namespace): unknown {
      if (namespace === tslabModule) return tslabModule;
      if (!('default' in namespace)) return namespace;
      const value = namespace['default'];
      if (
        typeof value === 'object' &&
        value !== null &&
        (value as Namespace)['__esModule'] === true &&
        'default' in value
      ) {
        return (value as Namespace)['default'];
      }
      return value;
    },
    require,
    agentkernelIfLoaded(): Namespace | undefined {
      agentkernelModule ??= loadAgentkernel();
      return agentkernelLoaded;
    },
    importMeta: {
      url: anchorUrl,
      filename: anchor,
      dirname: cwd,
      resolve: (specifier: string) => pathToFileURL(require.resolve(specifier)).href,
    },
  };
}
