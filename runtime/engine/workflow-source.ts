/**
 * Telling what a workflow argument is (inline YAML, a file, a registered id) and which project a
 * workflow file belongs to. Kept apart from the loader and from project.ts so the sync bridge's
 * caller side can decide this without loading either.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** Inline YAML is recognised the way the Python runtime does: a newline, or a leading top-level key. */
export function isInlineYaml(pathOrYaml: string): boolean {
  const s = pathOrYaml.trimStart();
  return pathOrYaml.includes('\n') || s.startsWith('schema_version:') || s.startsWith('workflow:');
}

/**
 * The project a workflow file belongs to: the nearest ancestor of the file holding `runtime.yaml`
 * or a `functions/` directory, else `fallback` (the cwd).
 */
export function findProjectDir(workflowFile: string | null, fallback: string): string {
  if (workflowFile === null) return path.resolve(fallback);
  let dir = path.dirname(path.resolve(workflowFile));
  for (;;) {
    if (existsSync(path.join(dir, 'runtime.yaml')) || isDir(path.join(dir, 'functions')))
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(fallback);
    dir = parent;
  }
}

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
