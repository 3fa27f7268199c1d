/**
 * Loads user modules (project `functions/` and `tools/`) with no build step: TypeScript goes
 * through tsx's `tsImport`, JavaScript through plain `import()`. A file is imported once and
 * reused while it is unchanged on disk (so module-level state survives across runs), and imported
 * afresh when its modification time or size changes: editing `functions/triage.ts` in a notebook
 * session takes effect on the next run, where the Python runtime cached modules for the life of
 * the process (reference §9 item 15). For JavaScript, only the edited file itself is reloaded,
 * not modules it imports.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

const cache = new Map<string, { stamp: string; module: Promise<Record<string, unknown>> }>();

function isTypeScript(file: string): boolean {
  return file.endsWith('.ts') || file.endsWith('.mts') || file.endsWith('.cts');
}

export function importUserModule(file: string): Promise<Record<string, unknown>> {
  const abs = path.resolve(file);
  const stats = statSync(abs);
  const stamp = `${stats.mtimeMs}:${stats.size}`;
  const cached = cache.get(abs);
  if (cached && cached.stamp === stamp) return cached.module;
  const url = pathToFileURL(abs);
  // tsImport evaluates the file anew on every call; for plain import() a query string makes a
  // changed file a new module URL (an unchanged file never gets here twice).
  if (cached) url.search = `?v=${encodeURIComponent(stamp)}`;
  const module = (
    isTypeScript(abs)
      ? importTypeScript(abs)
      : (import(url.href) as Promise<Record<string, unknown>>)
  ).catch((error: unknown) => {
    cache.delete(abs); // a syntax error fixed on disk should load on the next try
    throw error;
  });
  cache.set(abs, { stamp, module });
  return module;
}

/**
 * tsx is imported on the first TypeScript module, not with the engine: it costs ~50-100 ms to
 * import, which a project of plain JavaScript modules (or none) should not pay.
 */
async function importTypeScript(file: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(file, import.meta.url)) as Record<string, unknown>;
}

/**
 * Module files under `dir`, recursively, sorted for a stable order. Skips declaration files, test
 * files and names starting with `_` or `.` (private helpers, as in the Python runtime).
 */
export function listModuleFiles(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) return [];
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries) {
    if (name.startsWith('_') || name.startsWith('.') || name === 'node_modules') continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      out.push(...listModuleFiles(full));
      continue;
    }
    if (name.endsWith('.d.ts') || /\.test\.[mc]?[tj]s$/.test(name)) continue;
    if (MODULE_EXTENSIONS.some((ext) => name.endsWith(ext))) out.push(full);
  }
  return out;
}

/** `functions/pkg/mod.ts` → `pkg.mod` (the dotted module part of a function reference). */
export function moduleRef(rootDir: string, file: string): string {
  const rel = path.relative(rootDir, file);
  const ext = MODULE_EXTENSIONS.find((e) => rel.endsWith(e)) ?? '';
  return rel
    .slice(0, rel.length - ext.length)
    .split(path.sep)
    .join('.');
}
