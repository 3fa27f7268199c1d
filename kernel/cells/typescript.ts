/**
 * Lazy access to the TypeScript compiler (the copy bundled by ts-morph, our runtime dependency).
 * Loading it costs ~250 ms and ~20 MB, so it must never sit on the kernel's start path: nothing
 * here runs until a cell, a completion or an is_complete request needs the compiler.
 *
 * We load ts-morph's bundled `typescript.js` directly rather than `ts-morph` itself: the cell
 * engine needs only the compiler API, and ts-morph's own code plus @ts-morph/common's in-memory
 * lib files cost another ~16 MB of heap (~23 MB RSS) in every thread that loads them (measured).
 * `ts-morph` re-exports exactly this module, so it is the same compiler either way.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TypeScript from 'typescript';

export type TS = typeof TypeScript;

let loaded: TS | undefined;

/** The directory of @ts-morph/common, the package that bundles the compiler and its lib files. */
export function tsMorphCommonDir(): string {
  const fromTsMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
  return path.dirname(path.dirname(fromTsMorph.resolve('@ts-morph/common')));
}

export function loadTypeScript(): TS {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = require(path.join(tsMorphCommonDir(), 'dist', 'typescript.js')) as TS;
  }
  return loaded;
}

export function isTypeScriptLoaded(): boolean {
  return loaded !== undefined;
}
