/**
 * Replay and the visualizers must never be able to execute anything: their import graph (followed
 * transitively through runtime/) may not reach the modules that run steps, functions, tools or models.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from '../../helpers/paths.js';

const FORBIDDEN = [
  'runtime/steps/',
  'runtime/functions/',
  'runtime/tools/',
  'runtime/llm/',
  'runtime/engine/executor',
  'runtime/engine/step-runner',
];

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(
      /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ];
  return specs.map((m) => (m[1] ?? m[2]) as string);
}

function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
      if (existsSync(target)) queue.push(target);
    }
  }
  return [...seen].map((f) => path.relative(repoRoot, f).split(path.sep).join('/'));
}

describe('replay and visualize import graph', () => {
  for (const entry of ['runtime/replay/index.ts', 'runtime/visualize/index.ts']) {
    it(`${entry} cannot reach an executor of steps, functions, tools or models`, () => {
      const files = reachable(path.join(repoRoot, entry));
      expect(files.length).toBeGreaterThan(1);
      expect(files.filter((f) => FORBIDDEN.some((bad) => f.startsWith(bad)))).toEqual([]);
    });
  }
});
