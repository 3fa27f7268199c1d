/**
 * The FunctionCatalog over real module files. JavaScript modules (.mjs) are used here because this
 * test runs inside Jest's module sandbox, where tsx's loader hooks cannot be registered; the
 * TypeScript path is exercised end to end by tests/runtime/samples (in a worker thread).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FunctionCatalog } from '../../../runtime/functions/catalog.js';
import { listModuleFiles, moduleRef } from '../../../runtime/functions/module-loader.js';
import { isAgentkernelError } from '../../../runtime/errors.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ak-fn-'));
  writeFileSync(
    path.join(dir, 'triage.mjs'),
    'export function classify(i) { return { from: "file", issue: i.issue }; }\nexport const notAFunction = 1;\n',
  );
  mkdirSync(path.join(dir, 'pkg'));
  writeFileSync(
    path.join(dir, 'pkg', 'mod.mjs'),
    'export async function deep() { return { deep: true }; }\nexport function classify() { return {}; }\n',
  );
  writeFileSync(path.join(dir, '_private.mjs'), 'export function hidden() { return {}; }\n');
  writeFileSync(path.join(dir, 'types.d.ts'), 'export {};\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FunctionCatalog', () => {
  it('indexes exported functions as module.export and pkg.module.export, skipping _private and .d.ts', async () => {
    const catalog = await FunctionCatalog.load(dir);
    expect(catalog.refs()).toEqual(['pkg.mod.classify', 'pkg.mod.deep', 'triage.classify']);
    expect(catalog.list()).toEqual(catalog.refs());
    expect(await catalog.resolve('pkg.mod.deep')({}, undefined as never)).toEqual({ deep: true });
  });

  it('in-process functions take precedence over files', async () => {
    const catalog = await FunctionCatalog.load(dir, { 'triage.classify': () => ({ from: 'api' }) });
    expect(catalog.resolve('triage.classify')({}, undefined as never)).toEqual({ from: 'api' });
  });

  it('a bare name resolves when unique and is an error when ambiguous', async () => {
    const catalog = await FunctionCatalog.load(dir);
    expect(catalog.has('deep')).toBe(true);
    let code: string | undefined;
    try {
      catalog.resolve('classify');
    } catch (e) {
      code = isAgentkernelError(e) ? e.code : undefined;
      expect(String((e as Error).message)).toMatch(/ambiguous/);
    }
    expect(code).toBe('AR-FUNCTION-RESOLUTION');
  });

  it('an unknown ref names what is available', async () => {
    const catalog = await FunctionCatalog.load(dir);
    expect(() => catalog.resolve('triage.nope')).toThrow(
      /Function not found: triage.nope .*triage.classify/,
    );
  });

  it('a missing functions directory is an empty catalog', async () => {
    expect((await FunctionCatalog.load(path.join(dir, 'missing'))).refs()).toEqual([]);
    expect(listModuleFiles(path.join(dir, 'missing'))).toEqual([]);
  });

  it('moduleRef turns a path into the dotted module part', () => {
    expect(moduleRef('/p/functions', '/p/functions/pkg/mod.ts')).toBe('pkg.mod');
  });
});
