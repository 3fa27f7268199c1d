/**
 * The project's workflows by identity: scans a directory tree for *.yaml / *.yml workflow files
 * and resolves `id` (the highest version) or `id@vN` to a loaded definition, as the Python
 * runtime's `ai run <workflow_id>[@vN]` does. One broken file does not stop other ids resolving:
 * it is skipped and reported by `problems()`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AgentkernelError, isAgentkernelError, type Diagnostic } from '../errors.js';
import { analyzeWorkflow, normalizeVersion, type FunctionCatalog } from './load.js';
import { didYouMean } from './suggest.js';
import type { WorkflowDefinition } from './types.js';

export interface RegisteredWorkflow {
  id: string;
  /** Normalised, e.g. `v2` or `v1.1`. */
  version: string;
  /** Absolute path of the file. */
  file: string;
  definition: WorkflowDefinition;
}

/** A file in the directory that is not a loadable workflow. */
export interface RegistryProblem {
  file: string;
  /** Errors only; empty when the file could not be read at all (see `message`). */
  diagnostics: Diagnostic[];
  message: string;
}

export interface RegistryOptions {
  functions?: FunctionCatalog;
}

/** Parses `id`, `id@v2`, `id@2`, `id@v1.1`. */
export function parseWorkflowRef(ref: string): { id: string; version?: string } {
  const at = ref.lastIndexOf('@');
  if (at === -1) return { id: ref.trim() };
  const id = ref.slice(0, at).trim();
  const rawVersion = ref.slice(at + 1).trim();
  const version = normalizeVersion(rawVersion);
  if (id === '' || version === undefined) {
    throw new AgentkernelError(
      'AR-WORKFLOW-VALIDATION',
      `Invalid workflow reference '${ref}': use <id> or <id>@v<N> (e.g. triage@v2)`,
      {
        details: { ref },
      },
    );
  }
  return { id, version };
}

/** Orders `v<maj>[.<min>]` numerically (v10 after v9, v1.10 after v1.9). */
export function compareVersions(a: string, b: string): number {
  const key = (v: string) =>
    (/^v(\d+)(?:\.(\d+))?$/.exec(v) ?? []).slice(1).map((n) => Number(n ?? 0));
  const [aMajor = 0, aMinor = 0] = key(a);
  const [bMajor = 0, bMinor = 0] = key(b);
  return aMajor - bMajor || aMinor - bMinor;
}

export class WorkflowRegistry {
  private readonly byId = new Map<string, RegisteredWorkflow[]>();

  constructor(
    entries: RegisteredWorkflow[],
    private readonly broken: RegistryProblem[] = [],
    /** The scanned directory, for messages. */
    readonly dir = '',
  ) {
    for (const entry of entries) {
      const list = this.byId.get(entry.id) ?? [];
      list.push(entry);
      this.byId.set(entry.id, list);
    }
    for (const list of this.byId.values())
      list.sort((a, b) => compareVersions(a.version, b.version) || a.file.localeCompare(b.file));
  }

  /** Loads every workflow file under `dir` (recursively). A missing directory is an empty registry. */
  static async scan(dir: string, options: RegistryOptions = {}): Promise<WorkflowRegistry> {
    const root = path.resolve(dir);
    const entries: RegisteredWorkflow[] = [];
    const problems: RegistryProblem[] = [];
    for (const file of await findWorkflowFiles(root)) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        problems.push({
          file,
          diagnostics: [],
          message: `cannot read ${file}: ${(error as Error).message}`,
        });
        continue;
      }
      const { definition, diagnostics } = analyzeWorkflow(text, {
        file,
        ...(options.functions && { functions: options.functions }),
      });
      if (definition) {
        entries.push({ id: definition.id, version: definition.version, file, definition });
      } else {
        const errors = diagnostics.filter((d) => d.severity === 'error');
        problems.push({
          file,
          diagnostics: errors,
          message: `${file}: ${errors.length} problem${errors.length === 1 ? '' : 's'} (first: ${errors[0]?.code ?? 'unknown'} at ${errors[0]?.line ?? 0}:${errors[0]?.col ?? 0})`,
        });
      }
    }
    return new WorkflowRegistry(entries, problems, root);
  }

  /** Files that were skipped because they do not load, with their diagnostics. */
  problems(): RegistryProblem[] {
    return [...this.broken];
  }

  /** Every loadable (id, version, file), sorted by id then version. */
  list(): { id: string; version: string; file: string }[] {
    return [...this.byId.keys()]
      .sort()
      .flatMap((id) => this.byId.get(id)!.map(({ version, file }) => ({ id, version, file })));
  }

  versions(id: string): string[] {
    return [...new Set((this.byId.get(id) ?? []).map((e) => e.version))];
  }

  has(ref: string): boolean {
    try {
      this.resolve(ref);
      return true;
    } catch (error) {
      if (isAgentkernelError(error)) return false;
      throw error;
    }
  }

  /**
   * `id` → its highest version; `id@vN` → that version. Throws AR-FILE-NOT-FOUND for an unknown
   * id or version, and AR-WORKFLOW-VALIDATION when two files claim the same (id, version).
   */
  resolve(ref: string): RegisteredWorkflow {
    const { id, version } = parseWorkflowRef(ref);
    const candidates = this.byId.get(id);
    if (!candidates) {
      const suggestion = didYouMean(id, this.byId.keys());
      const brokenHint =
        this.broken.length > 0
          ? `; ${this.broken.length} file(s) failed to load, see problems()`
          : '';
      throw new AgentkernelError(
        'AR-FILE-NOT-FOUND',
        `Workflow not found: '${id}' in ${this.dir || 'the registry'}${suggestion ? ` (did you mean '${suggestion}'?)` : ''} (known: ${[...this.byId.keys()].sort().join(', ') || 'none'}${brokenHint})`,
        { details: { ref, id, ...(suggestion && { suggestion }) } },
      );
    }
    // A duplicate makes "which file is id@vN" a guess, so refuse rather than pick one.
    const duplicated = (v: string) => candidates.filter((c) => c.version === v);
    const checkDuplicates = (versions: string[]) => {
      for (const v of versions) {
        const same = duplicated(v);
        if (same.length > 1) {
          throw new AgentkernelError(
            'AR-WORKFLOW-VALIDATION',
            `Workflow ${id}@${v} is defined in more than one file: ${same.map((s) => s.file).join(' and ')}; give each a distinct workflow.version`,
            { details: { id, version: v, files: same.map((s) => s.file) } },
          );
        }
      }
    };
    if (version === undefined) {
      checkDuplicates(this.versions(id));
      return candidates[candidates.length - 1]!;
    }
    checkDuplicates([version]);
    const match = candidates.find((c) => c.version === version);
    if (!match) {
      throw new AgentkernelError(
        'AR-FILE-NOT-FOUND',
        `Workflow '${id}' has no version ${version} (available: ${this.versions(id).join(', ')})`,
        { details: { ref, id, version } },
      );
    }
    return match;
  }
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist']);

/** *.yaml / *.yml under `root`, depth-first in name order; hidden and dependency dirs skipped. */
async function findWorkflowFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && dir === root) return;
      throw error;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) await walk(full);
      } else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) {
        found.push(full);
      }
    }
  };
  await walk(root);
  return found;
}
