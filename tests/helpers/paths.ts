/** Paths for tests, which run compiled from dist/tests/…: the repository root and its folders. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (the directory holding package.json). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixturesDir = path.join(repoRoot, 'tests', 'fixtures');
export const distDir = path.join(repoRoot, 'dist');
