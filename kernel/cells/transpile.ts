/**
 * Cell source (TypeScript) → a classic script that runs in the kernel's one persistent global
 * scope, built on the TypeScript compiler API (a custom `before` transformer under
 * `transpileModule`, so type stripping, enums and source maps are the compiler's own).
 *
 * The rewrite, following Node's REPL (lib/internal/repl/await.js):
 *   - every top-level declared name (const/let/var/function/class/enum/namespace/import) is
 *     hoisted to a script-level `var`, i.e. a property of the global object, so later cells see it
 *     and re-running a cell can redefine it (a lexical global `const` could not be redeclared);
 *   - the body runs in `(async () => { … })()`, so top-level `await` works;
 *   - `const x = 1` becomes the assignment `x = 1` (destructuring too); functions become
 *     assignments hoisted to the top of the body, so a redefinition in a later cell is seen by
 *     callers defined earlier (REPL semantics);
 *   - `import` declarations and `import()` calls go through `__agentkernel.import`, which resolves
 *     from the notebook's directory (code compiled by `vm` has no module loader of its own);
 *   - `export` is dropped; the last expression statement becomes the function's return value.
 * Lines are not kept stable: the compiler's source map maps stack frames back to the cell.
 */
import { SourceMap } from 'node:module';
import type * as TypeScript from 'typescript';
import { loadTypeScript } from './typescript.js';
import type { TS } from './typescript.js';
import { settledOptions, transpileWithoutChecker } from './transpile-fast.js';

/** The global through which transpiled cells reach the engine (imports, import.meta). */
export const CELL_RUNTIME_GLOBAL = '__agentkernel';

export interface CellSyntaxError {
  message: string;
  /** 1-based, cell-relative. */
  line: number;
  col: number;
}

export interface TranspiledCell {
  /** The script to run with vm; evaluates to a Promise of the last expression's value. */
  script: string;
  /** Top-level names the cell declares (values only; types live in the language service). */
  declaredNames: string[];
  /** Lines in `script`; the last one is the wrapper's `})();`, a frame that is not user code. */
  scriptLines: number;
  /** Maps a 1-based script line/column to the 1-based cell line/column. */
  mapPosition(line: number, col: number): { line: number; col: number } | undefined;
}

export type TranspileResult =
  { ok: true; cell: TranspiledCell } | { ok: false; errors: CellSyntaxError[] };

/**
 * A cell like `{ a: 1 }` parses as a block; the REPL treats it as an object literal, and so do
 * we when the parenthesised form is a single expression.
 */
function looksLikeObjectLiteral(ts: TS, code: string): boolean {
  const trimmed = code.trim();
  if (!trimmed.startsWith('{') || trimmed.endsWith(';')) return false;
  const sf = ts.createSourceFile(
    'probe.ts',
    `(${trimmed})`,
    ts.ScriptTarget.ESNext,
    false,
    ts.ScriptKind.TS,
  );
  const diagnostics = (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
  return (
    diagnostics.length === 0 &&
    sf.statements.length === 1 &&
    ts.isExpressionStatement(sf.statements[0]!)
  );
}

function bindingNames(ts: TS, name: TypeScript.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) {
    out.push(name.text);
    return;
  }
  for (const element of name.elements) {
    if (ts.isBindingElement(element)) bindingNames(ts, element.name, out);
  }
}

/** `{a, b: [c = 1], ...r}` binding pattern → the equivalent assignment pattern. */
function bindingToAssignmentTarget(ts: TS, name: TypeScript.BindingName): TypeScript.Expression {
  const f = ts.factory;
  if (ts.isIdentifier(name)) return name;
  if (ts.isObjectBindingPattern(name)) {
    const props = name.elements.map((el): TypeScript.ObjectLiteralElementLike => {
      const target = bindingToAssignmentTarget(ts, el.name);
      if (el.dotDotDotToken) return f.createSpreadAssignment(target);
      if (!el.propertyName && ts.isIdentifier(el.name)) {
        return f.createShorthandPropertyAssignment(el.name, el.initializer);
      }
      const value = el.initializer ? f.createAssignment(target, el.initializer) : target;
      return f.createPropertyAssignment(
        el.propertyName ?? (el.name as TypeScript.Identifier),
        value,
      );
    });
    return f.createObjectLiteralExpression(props, false);
  }
  const items = name.elements.map((el): TypeScript.Expression => {
    if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
    const target = bindingToAssignmentTarget(ts, el.name);
    if (el.dotDotDotToken) return f.createSpreadElement(target);
    return el.initializer ? f.createAssignment(target, el.initializer) : target;
  });
  return f.createArrayLiteralExpression(items, false);
}

function hasModifier(ts: TS, node: TypeScript.Node, kind: TypeScript.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

interface RewriteState {
  names: Set<string>;
  importCounter: number;
}

function runtimeCall(
  ts: TS,
  method: string,
  args: TypeScript.Expression[],
): TypeScript.CallExpression {
  const f = ts.factory;
  return f.createCallExpression(
    f.createPropertyAccessExpression(f.createIdentifier(CELL_RUNTIME_GLOBAL), method),
    undefined,
    args,
  );
}

function assign(ts: TS, name: string, value: TypeScript.Expression): TypeScript.Statement {
  const f = ts.factory;
  return f.createExpressionStatement(f.createAssignment(f.createIdentifier(name), value));
}

/** Import declaration → `const __akImportN = await __agentkernel.import("m"); x = …;` */
function rewriteImport(
  ts: TS,
  node: TypeScript.ImportDeclaration,
  state: RewriteState,
): TypeScript.Statement[] {
  const f = ts.factory;
  const clause = node.importClause;
  if (clause?.isTypeOnly) return [];
  const specifier = node.moduleSpecifier;
  const load = f.createAwaitExpression(
    runtimeCall(ts, 'import', [specifier as TypeScript.Expression]),
  );
  if (!clause) return [ts.setTextRange(f.createExpressionStatement(load), node)];
  const temp = `__akImport${state.importCounter++}`;
  const out: TypeScript.Statement[] = [
    ts.setTextRange(
      f.createVariableStatement(
        undefined,
        f.createVariableDeclarationList(
          [f.createVariableDeclaration(temp, undefined, undefined, load)],
          ts.NodeFlags.Const,
        ),
      ),
      node,
    ),
  ];
  if (clause.name) {
    state.names.add(clause.name.text);
    out.push(
      assign(ts, clause.name.text, runtimeCall(ts, 'importDefault', [f.createIdentifier(temp)])),
    );
  }
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) {
    state.names.add(bindings.name.text);
    out.push(assign(ts, bindings.name.text, f.createIdentifier(temp)));
  } else if (bindings) {
    for (const el of bindings.elements) {
      if (el.isTypeOnly) continue;
      const imported = (el.propertyName ?? el.name).text;
      state.names.add(el.name.text);
      out.push(
        assign(
          ts,
          el.name.text,
          f.createElementAccessExpression(
            f.createIdentifier(temp),
            f.createStringLiteral(imported),
          ),
        ),
      );
    }
  }
  return out;
}

/** Rewrites `import(x)` and `import.meta` anywhere in the cell. */
function deepRewrite(ts: TS, context: TypeScript.TransformationContext) {
  const f = ts.factory;
  const visit = (node: TypeScript.Node): TypeScript.Node => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const args = node.arguments.map((a) => ts.visitNode(a, visit) as TypeScript.Expression);
      return ts.setTextRange(runtimeCall(ts, 'import', args.slice(0, 1)), node);
    }
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      return ts.setTextRange(
        f.createPropertyAccessExpression(f.createIdentifier(CELL_RUNTIME_GLOBAL), 'importMeta'),
        node,
      );
    }
    return ts.visitEachChild(node, visit, context);
  };
  return visit;
}

function rewriteStatement(
  ts: TS,
  stmt: TypeScript.Statement,
  state: RewriteState,
  hoisted: TypeScript.Statement[],
): TypeScript.Statement[] {
  const f = ts.factory;
  if (hasModifier(ts, stmt, ts.SyntaxKind.DeclareKeyword)) return [];
  if (ts.isImportDeclaration(stmt)) return rewriteImport(ts, stmt, state);
  if (ts.isImportEqualsDeclaration(stmt)) {
    if (stmt.isTypeOnly) return [];
    state.names.add(stmt.name.text);
    const ref = stmt.moduleReference;
    const value = ts.isExternalModuleReference(ref)
      ? runtimeCall(ts, 'require', [ref.expression])
      : (ref as TypeScript.Expression);
    return [ts.setTextRange(assign(ts, stmt.name.text, value), stmt)];
  }
  if (ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt)) {
    // `export default expr` keeps its value as an expression; re-exports mean nothing in a cell.
    if (ts.isExportAssignment(stmt) && !stmt.isExportEquals) {
      return [ts.setTextRange(f.createExpressionStatement(stmt.expression), stmt)];
    }
    return [];
  }
  if (ts.isVariableStatement(stmt)) {
    const list = stmt.declarationList;
    const isVar = (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
    const out: TypeScript.Statement[] = [];
    for (const decl of list.declarations) {
      const names: string[] = [];
      bindingNames(ts, decl.name, names);
      names.forEach((n) => state.names.add(n));
      let init = decl.initializer;
      if (!init) {
        // `let x;` re-run resets x; `var x;` keeps its value, as in a script.
        if (isVar || !ts.isIdentifier(decl.name)) continue;
        init = f.createIdentifier('undefined');
      }
      const target = bindingToAssignmentTarget(ts, decl.name);
      const expr = ts.isIdentifier(decl.name)
        ? f.createAssignment(target, init)
        : f.createParenthesizedExpression(f.createAssignment(target, init));
      out.push(ts.setTextRange(f.createExpressionStatement(expr), decl));
    }
    return out;
  }
  if (ts.isFunctionDeclaration(stmt)) {
    if (!stmt.body) return []; // overload signature
    const name = stmt.name?.text;
    const modifiers = (ts.getModifiers(stmt) ?? []).filter(
      (m) => m.kind === ts.SyntaxKind.AsyncKeyword,
    );
    const fn = ts.setTextRange(
      f.createFunctionExpression(
        modifiers,
        stmt.asteriskToken,
        undefined,
        stmt.typeParameters,
        stmt.parameters,
        stmt.type,
        stmt.body,
      ),
      stmt,
    );
    if (!name) return [ts.setTextRange(f.createExpressionStatement(fn), stmt)];
    state.names.add(name);
    hoisted.push(ts.setTextRange(assign(ts, name, fn), stmt));
    return [];
  }
  if (ts.isClassDeclaration(stmt)) {
    const decorators = (ts.getModifiers(stmt) ?? []).filter(ts.isDecorator);
    const expr = ts.setTextRange(
      f.createClassExpression(
        decorators,
        stmt.name,
        stmt.typeParameters,
        stmt.heritageClauses,
        stmt.members,
      ),
      stmt,
    );
    if (!stmt.name) return [ts.setTextRange(f.createExpressionStatement(expr), stmt)];
    state.names.add(stmt.name.text);
    return [ts.setTextRange(assign(ts, stmt.name.text, expr), stmt)];
  }
  if (ts.isEnumDeclaration(stmt) || ts.isModuleDeclaration(stmt)) {
    if (ts.isModuleDeclaration(stmt) && !ts.isIdentifier(stmt.name)) return [];
    const name = (stmt.name as TypeScript.Identifier).text;
    state.names.add(name);
    // The compiler emits a local `var E` inside the cell function; copy it to the global scope.
    const cleaned = ts.isEnumDeclaration(stmt)
      ? f.updateEnumDeclaration(stmt, undefined, stmt.name, stmt.members)
      : f.updateModuleDeclaration(stmt, undefined, stmt.name, stmt.body);
    const publish = f.createExpressionStatement(
      f.createAssignment(
        f.createElementAccessExpression(
          f.createIdentifier('globalThis'),
          f.createStringLiteral(name),
        ),
        f.createIdentifier(name),
      ),
    );
    return [cleaned, publish];
  }
  if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) return [];
  return [stmt];
}

function cellTransformer(
  ts: TS,
  state: RewriteState,
): TypeScript.TransformerFactory<TypeScript.SourceFile> {
  return (context) => (sf) => {
    const f = ts.factory;
    const deep = deepRewrite(ts, context);
    const source = sf.statements.map((s) => ts.visitNode(s, deep) as TypeScript.Statement);
    const hoisted: TypeScript.Statement[] = [];
    const body: TypeScript.Statement[] = [];
    source.forEach((stmt, index) => {
      const isLast = index === source.length - 1;
      if (isLast && ts.isExpressionStatement(stmt)) {
        body.push(ts.setTextRange(f.createReturnStatement(stmt.expression), stmt));
        return;
      }
      body.push(...rewriteStatement(ts, stmt, state, hoisted));
    });
    const wrapper = f.createExpressionStatement(
      f.createCallExpression(
        f.createParenthesizedExpression(
          f.createArrowFunction(
            [f.createModifier(ts.SyntaxKind.AsyncKeyword)],
            undefined,
            [],
            undefined,
            undefined,
            f.createBlock([...hoisted, ...body], true),
          ),
        ),
        undefined,
        [],
      ),
    );
    const statements: TypeScript.Statement[] = [];
    if (state.names.size > 0) {
      statements.push(
        f.createVariableStatement(
          undefined,
          f.createVariableDeclarationList(
            [...state.names].map((n) => f.createVariableDeclaration(n)),
          ),
        ),
      );
    }
    statements.push(wrapper);
    return f.updateSourceFile(sf, statements);
  };
}

const compilerOptionsCache = new WeakMap<TS, TypeScript.CompilerOptions>();

function transpileOptions(ts: TS): TypeScript.CompilerOptions {
  let options = compilerOptionsCache.get(ts);
  if (!options) {
    options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      sourceMap: true,
      inlineSources: false,
      removeComments: false,
      experimentalDecorators: false,
      useDefineForClassFields: true,
      isolatedModules: true,
      // Keep `const enum` as a real object: a per-cell transpile cannot inline it.
      preserveConstEnums: true,
    };
    compilerOptionsCache.set(ts, options);
  }
  return options;
}

const settledOptionsCache = new WeakMap<TS, TypeScript.CompilerOptions>();

function emitOptions(ts: TS): TypeScript.CompilerOptions {
  let options = settledOptionsCache.get(ts);
  if (!options) {
    options = settledOptions(ts, transpileOptions(ts));
    settledOptionsCache.set(ts, options);
  }
  return options;
}

/** The compiler's output for one cell, and the names the rewrite hoisted. */
export interface CellEmit {
  outputText: string;
  sourceMapText?: string | undefined;
  diagnostics?: TypeScript.Diagnostic[] | undefined;
  declaredNames: string[];
  /** False when the checker-free path (transpile-fast.ts) emitted it. */
  usedTranspileModule: boolean;
}

/**
 * Rewrites and emits `source`: through the checker-free path when the cell allows it, else
 * through transpileModule. `allowFastPath: false` forces transpileModule (the equivalence test).
 */
export function emitCell(source: string, fileName: string, allowFastPath = true): CellEmit {
  const ts = loadTypeScript();
  if (allowFastPath) {
    const state: RewriteState = { names: new Set(), importCounter: 0 };
    const fast = transpileWithoutChecker(ts, source, fileName, emitOptions(ts), [
      cellTransformer(ts, state),
    ]);
    if (fast) return { ...fast, declaredNames: [...state.names], usedTranspileModule: false };
  }
  // A fresh state: the fast path may have run the rewrite part-way before it gave up.
  const state: RewriteState = { names: new Set(), importCounter: 0 };
  const output = ts.transpileModule(source, {
    compilerOptions: transpileOptions(ts),
    fileName,
    reportDiagnostics: true,
    transformers: { before: [cellTransformer(ts, state)] },
  });
  return { ...output, declaredNames: [...state.names], usedTranspileModule: true };
}

/**
 * Results by cell text. A cell's script and source map depend on its text only (the file name
 * is given to vm separately), so a cell run again (a notebook re-run, a loop of `%timeit`-style
 * executions) skips the compiler: a transpile costs ~1 ms on a cold compiler, a lookup nothing.
 */
const transpiledByText = new Map<string, TranspileResult>();
const TRANSPILE_CACHE_ENTRIES = 256;

/** Parses and rewrites one cell. Syntax errors come back with cell-relative line:col. */
export function transpileCell(code: string, fileName = 'cell.ts'): TranspileResult {
  const cached = transpiledByText.get(code);
  if (cached) {
    // Most recently used last, so the oldest entry is the first one evicted.
    transpiledByText.delete(code);
    transpiledByText.set(code, cached);
    return cached;
  }
  const result = transpileUncached(code, fileName);
  transpiledByText.set(code, result);
  if (transpiledByText.size > TRANSPILE_CACHE_ENTRIES) {
    transpiledByText.delete(transpiledByText.keys().next().value as string);
  }
  return result;
}

function transpileUncached(code: string, fileName: string): TranspileResult {
  const ts = loadTypeScript();
  const source = looksLikeObjectLiteral(ts, code) ? `(${code.trim()})` : code;
  const output = emitCell(source, fileName);
  const syntax = (output.diagnostics ?? []).filter(
    (d) => d.category === ts.DiagnosticCategory.Error,
  );
  if (syntax.length > 0) {
    const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ESNext);
    return {
      ok: false,
      errors: syntax.map((d) => {
        const pos = sf.getLineAndCharacterOfPosition(d.start ?? 0);
        return {
          message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
          line: pos.line + 1,
          col: pos.character + 1,
        };
      }),
    };
  }
  // The compiler marks a file that had imports as a module with `export {};`: a script can't have it.
  const script = output.outputText
    .replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n')
    .replace(/^export \{\};$/m, '');
  const scriptLines = script.trimEnd().split('\n').length;
  const map = output.sourceMapText
    ? new SourceMap(JSON.parse(output.sourceMapText) as never)
    : undefined;
  return {
    ok: true,
    cell: {
      script,
      declaredNames: output.declaredNames,
      scriptLines,
      mapPosition(line, col) {
        if (!map) return undefined;
        const entry = map.findEntry(line - 1, col - 1) as {
          generatedLine?: number;
          generatedColumn?: number;
          originalLine?: number;
          originalColumn?: number;
        };
        if (entry.originalLine === undefined || entry.originalColumn === undefined)
          return undefined;
        // A mapping marks the start of a token run; keep the offset into it (same-line tokens
        // are emitted with their original spacing).
        const delta =
          entry.generatedLine === line - 1 ? col - 1 - (entry.generatedColumn ?? col - 1) : 0;
        return { line: entry.originalLine + 1, col: entry.originalColumn + 1 + Math.max(0, delta) };
      },
    },
  };
}
