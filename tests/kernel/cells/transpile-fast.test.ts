/**
 * The checker-free emit (kernel/cells/transpile-fast.ts) must produce exactly what
 * transpileModule produces: the same script text and the same source map, byte for byte, for
 * every cell it accepts; cells that need the checker must fall back. And it must actually be
 * taken for ordinary cells, or the kernel silently pays transpileModule's checker on every cell.
 */
import { emitCell } from '../../../kernel/cells/transpile.js';

/** Ordinary cells: the fast path must take every one of them. */
const ORDINARY: Record<string, string> = {
  expression: '1+1',
  'last expression with comments': '// a comment\nconst a = 1; /* inline */\na * 2 // trailing',
  'typed declarations':
    'const n: number = 1;\nlet s: string | undefined;\nvar v = [1, 2, 3] as const;\nn',
  destructuring:
    'const { a, b: [c = 1, ...rest], ...others } = { a: 1, b: [2, 3, 4], z: 5 } as any;\nlet [x, , y] = [1, 2, 3];',
  functions:
    'function add<T extends number>(a: T, b: T): number { return a + b; }\nasync function* gen() { yield await Promise.resolve(1); }\nconst arrow = (x: number): number => x * 2;\nadd(1, 2)',
  'function overloads':
    'function f(x: string): string;\nfunction f(x: number): number;\nfunction f(x: any) { return x; }\nf(1)',
  classes:
    'abstract class Base { abstract area(): number; }\nclass Sq extends Base implements Iterable<number> {\n  static count = 0;\n  #secret = 1;\n  side!: number;\n  readonly label?: string;\n  constructor(side: number) { super(); this.side = side; }\n  get double() { return this.side * 2; }\n  area(): number { return this.side ** 2 + this.#secret; }\n  *[Symbol.iterator]() { yield this.side; }\n}\nnew Sq(2).area()',
  'parameter properties':
    'class P { constructor(public x: number, private readonly y = 2, protected z?: string) {} }\nnew P(1)',
  types:
    'interface A { x: number }\ntype B = A & { y?: string };\ntype Fn = <T>(t: T) => T;\nconst a: B = { x: 1 };\na',
  assertions:
    'const el = document as unknown as { x?: { y: number } };\nconst v = el.x!.y satisfies number;\nconst w = <number>v;\nw ?? 0',
  declare: 'declare const injected: number;\ndeclare function ext(): void;\n1',
  'top-level await': 'const r = await Promise.all([1, 2].map(async (n) => n * 2));\nr',
  'control flow':
    'let total = 0;\nouter: for (const i of [1, 2, 3]) {\n  for (let j = 0; j < 3; j++) { if (j > i) continue outer; total += j; }\n}\ntry { JSON.parse("{"); } catch { total = -total; } finally { total++; }\nswitch (total) { case 1: break; default: total = 0; }\ntotal',
  imports:
    'import fs from "node:fs";\nimport * as path from "node:path";\nimport { join as j, type ParsedPath, sep } from "node:path";\nimport type { Stats } from "node:fs";\nimport "node:os";\nconst p: ParsedPath = path.parse(j("a", "b"));\np',
  'dynamic import and import.meta':
    'const m = await import("node:os");\nconst here = import.meta.url;\nm.platform()',
  exports: 'export const exported = 1;\nexport function ef() { return 2; }\nexport default ef();',
  'import equals': 'import util = require("node:util");\nutil.format("%d", 1)',
  'template and regex':
    'const name = "x";\nconst re = /a(b)c/gu;\n`${name}: ${re.source}\\n${[1, 2].join(",")}`',
  unicode: 'const größe = "naïve – ünïcödé 🎉";\ngröße.length',
  'optional chaining': 'const o: { a?: { b?: () => number } } = {};\no.a?.b?.() ?? 42',
  'generic call and new':
    'const m = new Map<string, number[]>();\nm.set("a", [1]);\nArray.from<number>(m.get("a") ?? [])',
  'object literal cell': '({ a: 1, b: [1, 2], c: { d: "e" } })',
};

/**
 * Cells whose emit may need the checker's answers (enum values, namespaces, a class naming
 * itself, newer syntax the compiler lowers): whichever path takes them, the output is the same.
 */
const NEEDS_CHECKER: Record<string, string> = {
  'class naming itself':
    'class Counter { static n = 0; static next() { return ++Counter.n; } }\nCounter.next()',
  'class in a loop':
    'const made = [];\nfor (const i of [1, 2]) { made.push(class { v = i; }); }\nmade.length',
  decorators:
    'function logged(value: any, ctx: ClassMethodDecoratorContext) { return value; }\nclass D { @logged m() { return 1; } }\nnew D().m()',
  'auto accessor': 'class A { accessor x = 1; static accessor y = 2; }\nnew A().x',
  'static block and super':
    'class B { static ready: boolean; static { B.ready = true; } m() { return 1; } }\nclass C extends B { override m() { return super.m() + 1; } async am() { return super.m(); } }\nnew C().m()',
  'using declaration': 'using res = { [Symbol.dispose]() {} };\n1',
  enum: 'enum Color { Red, Green = 4, Blue }\nColor.Blue',
  'const enum': 'const enum Dir { Up = 1, Down }\nDir.Down',
  'string enum': 'enum S { A = "a", B = A }\nS.B',
  namespace: 'namespace NS { export const x = 1; export function f() { return x; } }\nNS.f()',
};

function strip(text: string): string {
  return text.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
}

describe('checker-free cell emit', () => {
  test.each(Object.entries(ORDINARY))('%s: taken, and identical to transpileModule', (_, code) => {
    const fast = emitCell(code, 'cell-7.ts');
    const reference = emitCell(code, 'cell-7.ts', false);
    expect(reference.usedTranspileModule).toBe(true);
    expect(reference.diagnostics ?? []).toEqual([]);
    expect(fast.usedTranspileModule).toBe(false);
    expect(strip(fast.outputText)).toBe(strip(reference.outputText));
    expect(JSON.parse(fast.sourceMapText ?? 'null')).toEqual(
      JSON.parse(reference.sourceMapText ?? 'null'),
    );
    expect(fast.declaredNames).toEqual(reference.declaredNames);
  });

  test.each(Object.entries(NEEDS_CHECKER))(
    '%s: emitted exactly as transpileModule does',
    (_, code) => {
      const emitted = emitCell(code, 'cell-8.ts');
      const reference = emitCell(code, 'cell-8.ts', false);
      expect(strip(emitted.outputText)).toBe(strip(reference.outputText));
      expect(emitted.declaredNames).toEqual(reference.declaredNames);
    },
  );

  test('an enum cell is handed to transpileModule (the emit needs its member values)', () => {
    expect(emitCell(NEEDS_CHECKER['enum']!, 'cell-9.ts').usedTranspileModule).toBe(true);
  });

  test('a cell with a syntax error goes to transpileModule, which reports it', () => {
    const emitted = emitCell('const = 1;', 'cell-10.ts');
    expect(emitted.usedTranspileModule).toBe(true);
    expect(emitted.diagnostics?.length).toBeGreaterThan(0);
  });
});
