/**
 * The FunctionCatalog: every function a `type: function` step can call. It imports each module in
 * the project's `functions/` directory once and indexes its exported functions as `module.export`
 * (`functions/triage.ts` export `classify_issue` → `triage.classify_issue`; `functions/pkg/mod.ts`
 * → `pkg.mod.func`). Functions registered in-process through the API take precedence over files.
 * The loader asks the catalog at load time, so a typo in `function:` is a load error, not a
 * failure halfway through a run.
 */
import { FunctionResolutionError } from '../errors.js';
import type { JsonValue } from '../json.js';
import type { StepContext } from '../steps/context.js';
import { importUserModule, listModuleFiles, moduleRef } from './module-loader.js';

/**
 * A step function: receives the resolved step inputs (or the whole state snapshot when the step
 * declares no `inputs`) and the step context; returns (or resolves to) a plain JSON object.
 */
export type StepFunction = (input: Record<string, JsonValue>, ctx: StepContext) => unknown;

export class FunctionCatalog {
  private readonly byRef = new Map<string, StepFunction>();
  private readonly inProcess = new Map<string, StepFunction>();

  private constructor(readonly functionsDir: string | null) {}

  /** An empty catalog holding only in-process functions. */
  static of(functions: Record<string, StepFunction> = {}): FunctionCatalog {
    const catalog = new FunctionCatalog(null);
    for (const [ref, fn] of Object.entries(functions)) catalog.register(ref, fn);
    return catalog;
  }

  /** Imports every module under `functionsDir` (a missing directory is an empty catalog). */
  static async load(
    functionsDir: string | null,
    functions: Record<string, StepFunction> = {},
  ): Promise<FunctionCatalog> {
    const catalog = new FunctionCatalog(functionsDir);
    if (functionsDir !== null) {
      for (const file of listModuleFiles(functionsDir)) {
        let mod: Record<string, unknown>;
        try {
          mod = await importUserModule(file);
        } catch (error) {
          throw new FunctionResolutionError(
            `Cannot load function module ${file}: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error, details: { file } },
          );
        }
        const prefix = moduleRef(functionsDir, file);
        for (const [name, value] of Object.entries(mod)) {
          if (typeof value === 'function' && name !== 'default')
            catalog.byRef.set(`${prefix}.${name}`, value as StepFunction);
        }
      }
    }
    for (const [ref, fn] of Object.entries(functions)) catalog.register(ref, fn);
    return catalog;
  }

  register(ref: string, fn: StepFunction): void {
    this.inProcess.set(ref, fn);
  }

  /** Every callable reference, sorted. */
  refs(): string[] {
    return [...new Set([...this.inProcess.keys(), ...this.byRef.keys()])].sort();
  }

  /** Same as `refs()`; the loader's FunctionCatalog interface calls it `list`. */
  list(): string[] {
    return this.refs();
  }

  has(ref: string): boolean {
    return this.find(ref) !== undefined;
  }

  /** Resolves `module.func`, `pkg.module.func` or a bare `func` (which must be unambiguous). */
  resolve(ref: string): StepFunction {
    const fn = this.find(ref);
    if (fn) return fn;
    if (!ref.includes('.')) {
      const matches = this.refs().filter((r) => r.endsWith(`.${ref}`));
      if (matches.length > 1) {
        throw new FunctionResolutionError(`Function '${ref}' is ambiguous: ${matches.join(', ')}`, {
          details: { ref, matches },
        });
      }
    }
    const where = this.functionsDir ?? 'no functions directory';
    const known = this.refs();
    throw new FunctionResolutionError(
      `Function not found: ${ref} (looked in ${where}; available: ${known.join(', ') || 'none'})`,
      { details: { ref } },
    );
  }

  private find(ref: string): StepFunction | undefined {
    const direct = this.inProcess.get(ref) ?? this.byRef.get(ref);
    if (direct || ref.includes('.')) return direct;
    const matches = this.refs().filter((r) => r.endsWith(`.${ref}`));
    return matches.length === 1
      ? (this.inProcess.get(matches[0]!) ?? this.byRef.get(matches[0]!))
      : undefined;
  }
}
