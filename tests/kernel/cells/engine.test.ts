import { mkdtempSync, mkdirSync, writeFileSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCellEngine } from '../../../kernel/cells/engine.js';
import type { TypeScriptCellEngine } from '../../../kernel/cells/engine.js';
import type { ExecuteOutcome } from '../../../kernel/cells/types.js';
import { outputContext } from '../../../kernel/output/sink.js';
import { RecordingSink } from './recording-sink.js';

let dir: string;
let engine: TypeScriptCellEngine;

function writePackage(name: string, pkg: object, files: Record<string, string>): void {
  const root = path.join(dir, 'node_modules', name);
  mkdirSync(root, { recursive: true });
  writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', ...pkg }),
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, file), text);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ak-cells-'));
  // An ESM-only package (exports has only an "import" condition) and a CommonJS one.
  writePackage(
    'esm-only',
    { type: 'module', exports: { '.': { import: './index.js' } } },
    {
      'index.js': 'export const greet = (n) => `hello ${n}`;\nexport default 42;\n',
    },
  );
  writePackage(
    'cjs-pkg',
    { main: 'main.js' },
    { 'main.js': 'module.exports = { twice: (x) => x * 2 };\n' },
  );
  writeFileSync(
    path.join(dir, 'helper.ts'),
    'export function triple(n: number): number {\n  return n * 3;\n}\n',
  );
  engine = createCellEngine({ cwd: dir, typeCheck: 'off' });
});

afterAll(async () => {
  await engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  code: string,
  sink = new RecordingSink(),
  signal = new AbortController().signal,
): Promise<ExecuteOutcome> {
  return outputContext.run(sink, () => engine.execute(code, { signal, silent: false }));
}

function plain(outcome: ExecuteOutcome): unknown {
  if (outcome.status !== 'ok')
    throw new Error(
      `cell failed: ${outcome.ename}: ${outcome.evalue}\n${outcome.traceback.join('\n')}`,
    );
  return outcome.result?.data['text/plain'];
}

test('the last expression is the result; a declaration-only cell has none', async () => {
  expect(plain(await run('1 + 1'))).toBe('2');
  expect(await run('const unused = 1')).toEqual({ status: 'ok' });
  expect(plain(await run('({ a: 1 })'))).toBe('{ a: 1 }');
  expect(plain(await run('{ b: 2 }'))).toBe('{ b: 2 }');
});

test('declarations of every kind persist across cells and can be redefined', async () => {
  await run(
    'const c1: number = 10;\nlet l1 = 1;\nvar v1 = 2;\nfunction f1(x: number) { return x + c1; }\nclass K1 { v = 3 }\nenum E1 { A = 5, B }\ninterface I1 { n: number }\ntype T1 = { s: string };',
  );
  expect(plain(await run('f1(l1) + v1 + new K1().v + E1.B'))).toBe(String(11 + 2 + 3 + 6));
  await run('const c1 = 100');
  expect(plain(await run('f1(0)'))).toBe('100'); // f1 sees the redefinition, as in the REPL
  await run('function f1(x: number) { return -x; }');
  expect(plain(await run('f1(4)'))).toBe('-4');
  await run('const { da, db: [dc] } = { da: 1, db: [2] }');
  expect(plain(await run('da + dc'))).toBe('3');
  expect(plain(await run('const i: I1 = { n: 7 }; const t: T1 = { s: "x" }; i.n + t.s'))).toBe(
    "'7x'",
  );
});

test('top-level await', async () => {
  expect(
    plain(
      await run('const waited = await new Promise((r) => setTimeout(() => r("late"), 5));\nwaited'),
    ),
  ).toBe("'late'");
});

test('imports: ESM-only and CommonJS packages from the notebook dir, builtins, relative .ts, export', async () => {
  expect(plain(await run('import answer, { greet } from "esm-only";\ngreet("x") + answer'))).toBe(
    "'hello x42'",
  );
  expect(
    plain(
      await run(
        'import cjs from "cjs-pkg";\nimport * as ns from "cjs-pkg";\ncjs.twice(4) + ns.default.twice(1)',
      ),
    ),
  ).toBe('10');
  expect(plain(await run('import { join as j } from "node:path";\nj("a", "b")'))).toBe("'a/b'");
  expect(plain(await run('import { triple } from "./helper.ts";\ntriple(5)'))).toBe('15');
  expect(plain(await run('import { triple as t3 } from "./helper";\nt3(2)'))).toBe('6');
  expect(plain(await run('export const exported = 3;\nexported'))).toBe('3');
  expect(plain(await run('(await import("esm-only")).default'))).toBe('42');
  expect(plain(await run('require("cjs-pkg").twice(21)'))).toBe('42');
});

test('a relative .ts file is one module instance per session, reloaded after an edit', async () => {
  const file = path.join(dir, 'counter.ts');
  writeFileSync(file, 'let count = 0;\nexport function bump(): number {\n  return ++count;\n}\n');
  expect(plain(await run('import { bump } from "./counter.ts";\nbump()'))).toBe('1');
  // Another spelling of the same file, in another cell: the same instance, so the state carries on.
  expect(plain(await run('import { bump as again } from "./counter";\nagain()'))).toBe('2');
  expect(plain(await run('(await import("./counter.js")).bump()'))).toBe('3');
  writeFileSync(file, 'export function bump(): number {\n  return 100;\n}\n');
  // Make the edit visible even on a file system with coarse timestamps.
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later);
  expect(plain(await run('import { bump } from "./counter.ts";\nbump()'))).toBe('100');
});

test('errors carry cell-relative line:col', async () => {
  const outcome = await run(
    'const ok = 1;\nfunction bad() {\n  throw new TypeError("nope");\n}\nbad();',
  );
  expect(outcome.status).toBe('error');
  if (outcome.status !== 'error') return;
  expect(outcome.ename).toBe('TypeError');
  expect(outcome.evalue).toBe('nope');
  const where = outcome.traceback.join('\n');
  expect(where).toMatch(/at bad \(<cell-\d+>:3:9\)/);
  expect(where).toMatch(/<cell-\d+>:5:1/);
  expect(where).not.toMatch(/dist\/kernel/);
  const syntax = await run('let a = ;');
  expect(syntax).toMatchObject({ status: 'error', ename: 'SyntaxError' });
  if (syntax.status === 'error') expect(syntax.traceback.join('\n')).toMatch(/<cell-\d+>:1:9/);
});

test('a cell run again (its transpile reused) reports errors at its own cell and line', async () => {
  const code =
    'let tries = 0;\nfunction flaky() {\n  tries++;\n  throw new Error("again");\n}\nflaky();';
  const cellOf = (o: ExecuteOutcome): string[] =>
    o.status === 'error'
      ? [...o.traceback.join('\n').matchAll(/at flaky \(<cell-(\d+)>:4:9\)/g)].map((m) => m[1]!)
      : [];
  const first = await run(code);
  const second = await run(code);
  expect(cellOf(first)).toHaveLength(1);
  expect(cellOf(second)).toHaveLength(1);
  expect(Number(cellOf(second)[0])).toBe(Number(cellOf(first)[0]) + 1);
  // Declarations of the re-run cell are fresh: `tries` was reset by `let tries = 0`.
  expect(plain(await run('tries'))).toBe('1');
});

test('a rejected promise and a thrown non-Error do not break the engine', async () => {
  expect(await run('await Promise.reject(new RangeError("r"))')).toMatchObject({
    status: 'error',
    ename: 'RangeError',
  });
  expect(await run('throw "plain"')).toMatchObject({ status: 'error', evalue: "'plain'" });
  expect(plain(await run('2 * 21'))).toBe('42');
});

test('process.exit in a cell throws instead of exiting', async () => {
  const outcome = await run('process.exit(2)');
  expect(outcome).toMatchObject({ status: 'error', ename: 'CellExitError' });
  expect(plain(await run('"still alive"'))).toBe("'still alive'");
});

test('an awaiting cell is interrupted through the signal and state is kept', async () => {
  await run('let kept = "yes"');
  const controller = new AbortController();
  const pending = run('await new Promise(() => {})', new RecordingSink(), controller.signal);
  setTimeout(() => controller.abort(), 20);
  expect(await pending).toMatchObject({ status: 'error', ename: 'Interrupted' });
  expect(plain(await run('kept'))).toBe("'yes'");
});

test('late output from a timer goes to the sink of the cell that started it', async () => {
  const first = new RecordingSink();
  await run('setTimeout(() => display.text("from the first cell"), 30); 1', first);
  const second = new RecordingSink();
  await run('await new Promise((r) => setTimeout(r, 60)); display.text("second")', second);
  expect(first.displays().map((d) => d.data['text/plain'])).toEqual(['from the first cell']);
  expect(second.displays().map((d) => d.data['text/plain'])).toEqual(['second']);
});

test('evaluateExpression returns a value without recording a cell', async () => {
  await run('const forExpr = [1, 2]');
  const outcome = await engine.evaluateExpression('forExpr.length');
  expect(plain(outcome)).toBe('2');
});
