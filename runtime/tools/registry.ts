/**
 * ToolRegistry: name → Tool. Two tools with one name is a definition problem (which one would a
 * step get?), so `register` refuses it instead of letting the later one win silently.
 */
import { DefinitionError, ToolNotFoundError } from '../errors.js';
import { builtinTools } from './echo.js';
import type { Tool } from './tool.js';

export class ToolRegistry {
  private readonly tools = new Map<string, { tool: Tool; source: string }>();
  private readonly later: { load: () => Promise<readonly Tool[]>; source: string }[] = [];
  private loading: Promise<void> | null = null;

  /** A registry holding the built-in tools (`tools.echo`). */
  static withBuiltins(): ToolRegistry {
    const registry = new ToolRegistry();
    for (const tool of builtinTools) registry.register(tool, '<builtin>');
    return registry;
  }

  /** `source` (a file path or `<api>`) is only used in the duplicate-name message. */
  register(tool: Tool, source = '<api>'): void {
    const existing = this.tools.get(tool.name);
    if (existing) {
      throw new DefinitionError([
        {
          code: 'DUPLICATE_TOOL',
          severity: 'error',
          message: `Tool '${tool.name}' is registered twice (first from ${existing.source})`,
          file: source,
          line: 1,
          col: 1,
          excerpt: '',
        },
      ]);
    }
    this.tools.set(tool.name, { tool, source });
  }

  /**
   * Tools whose modules are imported only when `ready()` is first awaited (step handlers do that
   * before looking a tool up), so a run that calls none of them never loads their modules. Each
   * yields to a tool of the same name registered by then, instead of clashing with it. Until
   * `ready()` resolves, `has`, `get` and `names` do not see them.
   */
  registerLater(load: () => Promise<readonly Tool[]>, source = '<builtin>'): void {
    this.later.push({ load, source });
    this.loading = null;
  }

  /** Resolves once the tools given to registerLater are registered (at once when there are none). */
  ready(): Promise<void> {
    if (this.later.length === 0) return Promise.resolve();
    this.loading ??= (async () => {
      while (this.later.length > 0) {
        const { load, source } = this.later.shift()!;
        for (const tool of await load())
          if (!this.tools.has(tool.name)) this.register(tool, source);
      }
    })();
    return this.loading;
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  get(name: string): Tool {
    const entry = this.tools.get(name);
    if (!entry) throw new ToolNotFoundError(name, this.names());
    return entry.tool;
  }

  names(): string[] {
    return [...this.tools.keys()].sort();
  }
}
