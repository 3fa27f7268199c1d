/** A scratch copy of the notebooks' project (runtime.yaml, workflows/, functions/, tools/, agents/) for magic tests. */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';
import type { VariableScope } from '../../../kernel/magics/variables.js';
import { MagicUsageError } from '../../../kernel/magics/parse.js';

export function copyNotebookProject(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ak-magics-'));
  const source = path.join(repoRoot, 'notebooks');
  for (const entry of [
    'runtime.yaml',
    'functions',
    'tools',
    'workflows',
    'agents',
    'llm-scripts',
  ]) {
    cpSync(path.join(source, entry), path.join(dir, entry), { recursive: true });
  }
  // Jest cannot host tsx's loader hooks (the runtime imports .ts functions through tsx), so the
  // copy gets the same functions and tools compiled to .mjs; the nbconvert test runs the .ts files for real.
  const modules = ['functions', 'tools'].flatMap((sub) =>
    readdirSync(path.join(dir, sub))
      .filter((n) => n.endsWith('.ts'))
      .map((n) => path.join(dir, sub, n)),
  );
  for (const file of modules) {
    const js = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(file.replace(/\.ts$/, '.mjs'), js);
    rmSync(file);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A variable scope over a plain map (the kernel's real one is the cells' global object). */
export class MapVariables implements VariableScope {
  readonly values = new Map<string, unknown>();
  get(p: string): unknown {
    const [root, ...fields] = p.split('.');
    if (!this.values.has(root!)) throw new MagicUsageError(`Variable '${root}' is not defined`);
    return fields.reduce<unknown>(
      (v, f) => (v as Record<string, unknown>)[f],
      this.values.get(root!),
    );
  }
  set(name: string, value: unknown): void {
    this.values.set(name, value);
  }
}
