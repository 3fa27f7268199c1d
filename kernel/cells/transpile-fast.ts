/**
 * `ts.transpileModule` without the type checker, for the cells that never ask it anything.
 *
 * Why: transpileModule builds a Program and a full type checker for every call, only so the emit
 * can ask the checker a handful of questions (enum member values, whether an import alias is used,
 * …). On this machine that is 1.5–4 ms per cell, mostly allocation and GC for a checker that most
 * cells never consult, against ~0.1 ms for parsing. The cell rewrite (transpile.ts) removes every
 * import and export before the compiler's own transformers run, so a typical cell (expressions,
 * variables, functions, classes, type annotations, interfaces) is emitted without a single checker
 * question.
 *
 * How: the same steps as the compiler's emitter (transformNodes with getTransformers, then the
 * printer with a source map generator), with an emit resolver and host that throw
 * `NeedsTypeChecker` on any question. A throw, a syntax error, or a compiler build without these
 * functions returns `undefined`, and the caller uses transpileModule: a cell is never emitted
 * differently, only faster. tests/kernel/cells/transpile-fast.test.ts holds a corpus for which
 * this path's script and source map must equal transpileModule's byte for byte.
 *
 * These functions are the compiler's internals (exported by the typescript.js that ts-morph
 * bundles, pinned by package-lock): the startup check below and the equivalence test catch a
 * version that changes them.
 */
import type * as TypeScript from 'typescript';
import type { TS } from './typescript.js';

/** Thrown by the stub resolver and host: this cell needs the real checker. */
class NeedsTypeChecker extends Error {
  constructor(what: string) {
    super(`needs the type checker: ${what}`);
  }
}

interface TransformationResult {
  transformed: TypeScript.SourceFile[];
  substituteNode(hint: TypeScript.EmitHint, node: TypeScript.Node): TypeScript.Node;
  emitNodeWithNotification(
    hint: TypeScript.EmitHint,
    node: TypeScript.Node,
    emitCallback: (hint: TypeScript.EmitHint, node: TypeScript.Node) => void,
  ): void;
  isEmitNotificationEnabled?(node: TypeScript.Node): boolean;
  diagnostics?: readonly TypeScript.Diagnostic[];
  dispose(): void;
}

interface TextWriter {
  getText(): string;
  isAtStartOfLine(): boolean;
}

interface SourceMapGenerator {
  toString(): string;
}

/** The compiler internals this module drives (present in TypeScript 5.x and 6.0). */
interface CompilerInternals {
  transformNodes(
    resolver: unknown,
    host: unknown,
    factory: TypeScript.NodeFactory,
    options: TypeScript.CompilerOptions,
    nodes: TypeScript.SourceFile[],
    transformers: TypeScript.TransformerFactory<TypeScript.SourceFile>[],
    allowDtsFiles: boolean,
  ): TransformationResult;
  getTransformers(
    options: TypeScript.CompilerOptions,
    custom: TypeScript.CustomTransformers,
    emitOnly?: boolean,
  ): { scriptTransformers: TypeScript.TransformerFactory<TypeScript.SourceFile>[] };
  createTextWriter(newLine: string): TextWriter;
  createSourceMapGenerator(
    host: unknown,
    file: string,
    sourceRoot: string,
    sourcesDirectoryPath: string,
    options: TypeScript.CompilerOptions,
  ): SourceMapGenerator;
  getNewLineCharacter(options: TypeScript.CompilerOptions): string;
  getSetExternalModuleIndicator(
    options: TypeScript.CompilerOptions,
  ): (file: TypeScript.SourceFile) => void;
  getEmitModuleKind(options: TypeScript.CompilerOptions): TypeScript.ModuleKind;
  getEmitModuleResolutionKind(options: TypeScript.CompilerOptions): TypeScript.ModuleResolutionKind;
  getEmitScriptTarget(options: TypeScript.CompilerOptions): TypeScript.ScriptTarget;
  getEmitModuleFormatOfFileWorker(
    file: TypeScript.SourceFile,
    options: TypeScript.CompilerOptions,
  ): TypeScript.ModuleKind;
}

function internals(ts: TS): CompilerInternals | undefined {
  const candidate = ts as unknown as Partial<Record<keyof CompilerInternals, unknown>>;
  const names: (keyof CompilerInternals)[] = [
    'transformNodes',
    'getTransformers',
    'createTextWriter',
    'createSourceMapGenerator',
    'getNewLineCharacter',
    'getSetExternalModuleIndicator',
    'getEmitModuleKind',
    'getEmitModuleResolutionKind',
    'getEmitScriptTarget',
    'getEmitModuleFormatOfFileWorker',
  ];
  return names.every((n) => typeof candidate[n] === 'function')
    ? (ts as unknown as CompilerInternals)
    : undefined;
}

/** True if any identifier under `node` other than `except` is spelled `name`. */
function mentions(ts: TS, node: TypeScript.Node, name: string, except: TypeScript.Node): boolean {
  let found = false;
  const visit = (n: TypeScript.Node): void => {
    if (found) return;
    if (n !== except && ts.isIdentifier(n) && n.text === name) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function insideLoop(ts: TS, node: TypeScript.Node): boolean {
  for (let n = node.parent as TypeScript.Node | undefined; n; n = n.parent) {
    if (ts.isIterationStatement(n, false)) return true;
  }
  return false;
}

/**
 * The emit resolver: every question throws NeedsTypeChecker, except the two node-flag questions
 * the class-fields transformer asks of every class, which syntax answers when the answer is "no"
 * (a class that never names itself holds no reference to its own constructor; a node outside any
 * loop is no block-scoped binding in a loop); a possible "yes" goes to the checker.
 */
function refusingResolver(ts: TS): unknown {
  const flags = (ts as unknown as { NodeCheckFlags?: Record<string, number> }).NodeCheckFlags;
  const hasNodeCheckFlag = (node: TypeScript.Node, flag: number): boolean => {
    if (flag === flags?.['ContainsConstructorReference']) {
      const cls = ts.isClassLike(node) ? node : node.parent;
      if (cls && ts.isClassLike(cls) && !(cls.name && mentions(ts, cls, cls.name.text, cls.name)))
        return false;
    } else if (flag === flags?.['BlockScopedBindingInLoop']) {
      if (!insideLoop(ts, node)) return false;
    }
    throw new NeedsTypeChecker(`resolver.hasNodeCheckFlag(${flag})`);
  };
  return new Proxy(
    { hasNodeCheckFlag },
    {
      get: (target, property) =>
        property === 'hasNodeCheckFlag'
          ? target.hasNodeCheckFlag
          : () => {
              throw new NeedsTypeChecker(`resolver.${String(property)}`);
            },
    },
  );
}

/** The emit host: the few answers a source map and a single-file emit need; anything else throws. */
function minimalHost(
  compiler: CompilerInternals,
  options: TypeScript.CompilerOptions,
  newLine: string,
): unknown {
  const known: Record<string, unknown> = {
    getEmitModuleFormatOfFile: (file: TypeScript.SourceFile) =>
      compiler.getEmitModuleFormatOfFileWorker(file, options),
    getCompilerOptions: () => options,
    getCurrentDirectory: () => '',
    getCanonicalFileName: (fileName: string) => fileName,
    getCommonSourceDirectory: () => '',
    getNewLine: () => newLine,
    useCaseSensitiveFileNames: () => false,
    isEmitBlocked: () => false,
  };
  return new Proxy(known, {
    get: (target, property) => {
      if (typeof property === 'string' && property in target) return target[property];
      throw new NeedsTypeChecker(`host.${String(property)}`);
    },
  });
}

export interface FastTranspileOutput {
  outputText: string;
  sourceMapText: string;
}

/**
 * Emits `source` as transpileModule would with `options` (the options transpileModule itself
 * settled on, see `settledOptions`), or returns undefined when only the real checker can.
 */
export function transpileWithoutChecker(
  ts: TS,
  source: string,
  fileName: string,
  options: TypeScript.CompilerOptions,
  before: TypeScript.TransformerFactory<TypeScript.SourceFile>[],
): FastTranspileOutput | undefined {
  const compiler = internals(ts);
  if (!compiler) return undefined;
  const sourceFile = ts.createSourceFile(
    fileName,
    source,
    {
      languageVersion: compiler.getEmitScriptTarget(options),
      setExternalModuleIndicator: compiler.getSetExternalModuleIndicator(options),
    },
    // Transformers walk up from nodes to their file; in a Program, binding sets these.
    true,
  );
  // Syntax errors are reported by the transpileModule path, with its diagnostics.
  const parseDiagnostics = (sourceFile as unknown as { parseDiagnostics?: readonly unknown[] })
    .parseDiagnostics;
  if (parseDiagnostics === undefined || parseDiagnostics.length > 0) return undefined;

  const newLine = compiler.getNewLineCharacter(options);
  const host = minimalHost(compiler, options, newLine);
  let transform: TransformationResult | undefined;
  try {
    transform = compiler.transformNodes(
      refusingResolver(ts),
      host,
      ts.factory,
      options,
      [sourceFile],
      compiler.getTransformers(options, { before }, false).scriptTransformers,
      false,
    );
    const printer = ts.createPrinter(
      {
        removeComments: options.removeComments,
        newLine: options.newLine,
        noEmitHelpers: options.noEmitHelpers,
        module: compiler.getEmitModuleKind(options),
        moduleResolution: compiler.getEmitModuleResolutionKind(options),
        target: compiler.getEmitScriptTarget(options),
        sourceMap: options.sourceMap,
        inlineSourceMap: options.inlineSourceMap,
        inlineSources: options.inlineSources,
        extendedDiagnostics: options.extendedDiagnostics,
      } as TypeScript.PrinterOptions,
      {
        // Temp names (`_a`) only have to avoid the names of this cell, which the printer checks.
        hasGlobalName: () => false,
        onEmitNode: transform.emitNodeWithNotification,
        isEmitNotificationEnabled: transform.isEmitNotificationEnabled,
        substituteNode: transform.substituteNode,
      } as TypeScript.PrintHandlers,
    );
    const jsFile = fileName.replace(/\.[cm]?tsx?$/, '') + '.js';
    const writer = compiler.createTextWriter(newLine);
    const sourceMap = compiler.createSourceMapGenerator(host, jsFile, '', '', options);
    const transformed = transform.transformed[0];
    if (!transformed || (transform.diagnostics?.length ?? 0) > 0) return undefined;
    (
      printer as unknown as {
        writeFile(file: TypeScript.SourceFile, w: TextWriter, map: SourceMapGenerator): void;
      }
    ).writeFile(transformed, writer, sourceMap);
    // transpileModule ends the text with a sourceMappingURL comment on a line of its own, which
    // the caller strips back to the newline before it; end the same way.
    const text = writer.getText();
    return {
      outputText: writer.isAtStartOfLine() ? text : text + newLine,
      sourceMapText: sourceMap.toString(),
    };
  } catch (error) {
    if (error instanceof NeedsTypeChecker) return undefined;
    throw error;
  } finally {
    transform?.dispose();
  }
}

/**
 * The compiler options transpileModule really emits with (it fills in defaults and forces
 * isolatedModules, noLib, noResolve, …): read once from inside a transpileModule run.
 */
export function settledOptions(
  ts: TS,
  options: TypeScript.CompilerOptions,
): TypeScript.CompilerOptions {
  let settled: TypeScript.CompilerOptions | undefined;
  ts.transpileModule('', {
    compilerOptions: options,
    fileName: 'probe.ts',
    transformers: {
      before: [
        (context) => {
          settled = context.getCompilerOptions();
          return (sf) => sf;
        },
      ],
    },
  });
  if (!settled) throw new Error('transpileModule ran no transformer');
  return settled;
}
