/**
 * Tool discovery: every module under the project's `tools/` directory is imported once and each
 * exported Tool-shaped value is registered (a class export with a no-argument constructor is
 * instantiated first, like the Python runtime's class-based tools).
 */
import { DefinitionError } from '../errors.js';
import { importUserModule, listModuleFiles } from '../functions/module-loader.js';
import type { ToolRegistry } from './registry.js';
import { isTool, type Tool } from './tool.js';

function toolsOf(mod: Record<string, unknown>): Tool[] {
  const found: Tool[] = [];
  for (const value of Object.values(mod)) {
    if (isTool(value)) {
      if (!found.includes(value)) found.push(value);
    } else if (
      typeof value === 'function' &&
      typeof (value.prototype as { execute?: unknown } | undefined)?.execute === 'function'
    ) {
      try {
        const instance: unknown = new (value as new () => unknown)();
        if (isTool(instance)) found.push(instance);
      } catch {
        // A class that needs constructor arguments is not auto-registrable; register it via the API.
      }
    }
  }
  return found;
}

/** Registers every tool exported under `toolsDir` (missing directory: nothing). Returns their names. */
export async function discoverTools(toolsDir: string, registry: ToolRegistry): Promise<string[]> {
  const names: string[] = [];
  for (const file of listModuleFiles(toolsDir)) {
    let mod: Record<string, unknown>;
    try {
      mod = await importUserModule(file);
    } catch (error) {
      throw new DefinitionError(
        [
          {
            code: 'TOOL_MODULE_LOAD',
            severity: 'error',
            message: `Cannot load tool module: ${error instanceof Error ? error.message : String(error)}`,
            file,
            line: 1,
            col: 1,
            excerpt: '',
          },
        ],
        { cause: error },
      );
    }
    for (const tool of toolsOf(mod)) {
      registry.register(tool, file);
      names.push(tool.name);
    }
  }
  return names;
}
