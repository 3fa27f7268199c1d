/**
 * The layering rule: runtime/ is a library that runs workflows with no Jupyter at all. It must
 * never import kernel/, zeromq or ts-morph (statically, dynamically or through require).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const FORBIDDEN: Array<{ what: string; test: (specifier: string, file: string) => boolean }> = [
  {
    what: 'kernel/',
    test: (spec, file) =>
      spec.startsWith('.') &&
      path.resolve(path.dirname(file), spec).startsWith(path.join(repoRoot, 'kernel') + path.sep),
  },
  { what: 'zeromq', test: (spec) => spec === 'zeromq' || spec.startsWith('zeromq/') },
  { what: 'ts-morph', test: (spec) => spec === 'ts-morph' || spec.startsWith('ts-morph/') },
];

/** Every module specifier in a source file: import/export from, import(), require(). */
export function moduleSpecifiers(source: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) if (match[1]) specs.push(match[1]);
  }
  return specs;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(name) ? [full] : [];
  });
}

describe('layering', () => {
  it('finds specifiers in every import form', () => {
    const src = `import a from 'zeromq';\nimport type { B } from "../kernel/x.js";\nexport * from './y.js';\nimport 'ts-morph';\nconst m = await import('zeromq/v5-compat');\nconst r = require("ts-morph");`;
    expect(moduleSpecifiers(src).sort()).toEqual(
      ['zeromq', '../kernel/x.js', './y.js', 'ts-morph', 'zeromq/v5-compat', 'ts-morph'].sort(),
    );
  });

  it('runtime/ never imports kernel/, zeromq or ts-morph', () => {
    const runtimeDir = path.join(repoRoot, 'runtime');
    const files = sourceFiles(runtimeDir);
    expect(files.length).toBeGreaterThan(5);
    const violations: string[] = [];
    for (const file of files) {
      for (const spec of moduleSpecifiers(readFileSync(file, 'utf8'))) {
        for (const rule of FORBIDDEN) {
          if (rule.test(spec, file))
            violations.push(`${path.relative(repoRoot, file)} imports ${rule.what} ('${spec}')`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
