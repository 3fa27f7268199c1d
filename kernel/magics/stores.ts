/**
 * The run stores the magics use. One SQLite store per database file, opened on first use and kept
 * for the kernel's life, so `%workflow`, `%runs`, `%resume`, `%replay` and `%inspect` all see the
 * same records (and the same in-memory store when `--store :memory:` is asked for).
 *
 * Default database: `db_path` of the project holding the notebook (the nearest ancestor directory
 * with a runtime.yaml; `runtime.db` there by default), else `runtime.db` in the notebook's directory
 * — the same file the `agentkernel runs` command line reads.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  CONFIG_FILE,
  MemoryRunStore,
  SqliteRunStore,
  loadRuntimeConfig,
  secretValues,
  type RunStore,
} from '../../runtime/index.js';

export const DEFAULT_DB_FILE = 'runtime.db';
const MEMORY = ':memory:';

/** The nearest directory from `cwd` upwards holding runtime.yaml, or null. */
export function findConfigDir(cwd: string): string | null {
  let dir = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(dir, CONFIG_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** `--store` (relative to the notebook's directory), else the project's db_path, else ./runtime.db. */
export function resolveStorePath(cwd: string, flag: string | undefined): string {
  if (flag !== undefined) return flag === MEMORY ? MEMORY : path.resolve(cwd, flag);
  const dir = findConfigDir(cwd);
  return dir ? loadRuntimeConfig(dir).dbPath : path.join(path.resolve(cwd), DEFAULT_DB_FILE);
}

export class StoreCache {
  private readonly stores = new Map<string, RunStore>();

  open(file: string, projectDir: string | null): RunStore {
    let store = this.stores.get(file);
    if (!store) {
      if (file === MEMORY) store = new MemoryRunStore();
      else {
        // Secrets from the project's .env/runtime.yaml never reach the database file.
        const redact = projectDir ? secretValues(loadRuntimeConfig(projectDir), process.env) : [];
        store = new SqliteRunStore(file, { redact });
      }
      this.stores.set(file, store);
    }
    return store;
  }

  /** The file is known to hold runs (or is the in-memory store of this kernel). */
  has(file: string): boolean {
    return this.stores.has(file) || (file !== MEMORY && existsSync(file));
  }

  async closeAll(): Promise<void> {
    const stores = [...this.stores.values()];
    this.stores.clear();
    await Promise.all(stores.map((s) => s.close()));
  }
}
