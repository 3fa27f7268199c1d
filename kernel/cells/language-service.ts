/**
 * A TypeScript language service over the accumulated cells. It runs in the checker worker
 * (checker-worker.ts); nothing here touches the kernel's main thread.
 *
 * Each checked cell becomes its own virtual module file next to the notebook
 * (`__agentkernel_cell_N__.ts`) and is never changed afterwards:
 *
 *     import { a, f } from "./__agentkernel_cell_2__"; import { x } from "./__agentkernel_cell_5__";
 *     <the cell's code, unchanged>
 *     ;export { y, g };
 *
 * The one-line header imports every name visible from earlier cells (each from the newest cell
 * that declared it) except the names this cell declares itself, so re-running `const x = …` is not
 * "Cannot redeclare" and later cells see the newest declaration, as at run time; the trailer
 * exports what the cell declares. Why files and not one growing text: an old cell's file keeps
 * its version, so the compiler reuses its parsed (and bound) SourceFile from the document
 * registry and only the new cell is parsed and checked. With one concatenated file every check
 * re-parsed and re-checked all earlier cells: 36 → 65 ms per cell over 200 cells and ~330 MB of
 * checker heap, most of it garbage (measured, bench/cells-engine.ts). Completion and inspection
 * use a scratch file laid out the same way, which is never committed.
 *
 * Only diagnostics inside the cell's own code are reported, in its own line:col. TS2632
 * ("Cannot assign to 'x' because it is an import") is dropped: assigning an earlier cell's
 * variable is legal at run time (cells share one global scope). Interfaces do not merge across
 * cells: a cell that declares `interface I` again replaces it, like any other name.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as TypeScript from 'typescript';
import { loadTypeScript, tsMorphCommonDir } from './typescript.js';
import type { TS } from './typescript.js';

export interface CellDiagnostic {
  code: number;
  category: 'error' | 'warning' | 'suggestion' | 'message';
  message: string;
  /** 1-based, cell-relative. */
  line: number;
  col: number;
}

export interface Completion {
  matches: string[];
  /** UTF-16 offsets into the cell's code. */
  cursorStart: number;
  cursorEnd: number;
  types: { text: string; type: string }[];
}

export interface QuickInfo {
  found: boolean;
  text: string;
}

/** Diagnostics that are wrong for cells (see the header comment). */
const IGNORED_DIAGNOSTICS = new Set([2632]);

const GLOBALS_DTS = `
declare module "tslab" {
  export interface Display {
    javascript(s: string): void;
    html(s: string): void;
    markdown(s: string): void;
    latex(s: string): void;
    svg(s: string): void;
    png(b: Uint8Array | string): void;
    jpeg(b: Uint8Array | string): void;
    gif(b: Uint8Array | string): void;
    pdf(b: Uint8Array | string): void;
    text(s: string): void;
    raw(contentType: string, b: string | Uint8Array): void;
  }
  /** Shows rich content in the cell's output (tslab compatible). */
  export const display: Display & ((value: unknown, options?: { raw?: boolean }) => void);
  /** Returns a Display that overwrites one output entry in place. */
  export function newDisplay(): Display;
  /** Clears the cell's output; \`wait\` defers the clear until new output arrives. */
  export function clear_output(wait?: boolean): void;
  export function clearOutput(wait?: boolean): void;
  export const versions: { tslab: string; typescript: string; node: string };
}
/** Shows a value (or a MIME bundle with {raw: true}) in the cell's output. */
declare const display: import("tslab").Display & ((value: unknown, options?: { raw?: boolean }) => void);
/** Returns a Display that overwrites one output entry in place. */
declare function newDisplay(): import("tslab").Display;
/** Clears the cell's output. */
declare function clear_output(wait?: boolean): void;
/** Runs a workflow (file, id or inline YAML) with live progress in this cell (display: false hides it). */
declare function runWorkflow(workflow: string, options?: import("agentkernel").RunOptions & { display?: boolean }): Promise<import("agentkernel").RunResult>;
/** Runs a workflow to its end, blocking this cell; its progress shows live meanwhile. */
declare function runWorkflowSync(workflow: string, options?: import("agentkernel").SyncRunOptions & { display?: boolean }): import("agentkernel").RunResult;
/** Resumes a FAILED/CANCELLED run from its store, with live progress in this cell. */
declare function resumeRun(runId: string, options: import("agentkernel").ResumeRunOptions & { onEvent?: import("agentkernel").RunEventListener; display?: boolean }): Promise<import("agentkernel").RunResult>;
/** Resumes a run, blocking this cell; its progress shows live meanwhile. */
declare function resumeRunSync(runId: string, options?: import("agentkernel").SyncRunOptions & { display?: boolean }): import("agentkernel").RunResult;
`;

/**
 * The kernel adds `display` to the run functions' options (kernel/cells/workflow-api.ts); a module
 * augmentation tells the checker, so `runWorkflow(wf, { display: false })` imported from
 * "agentkernel" is not an excess-property warning. A module file of its own: augmentations need
 * one, and GLOBALS_DTS must stay a script. Where "agentkernel" does not resolve, the augmentation's
 * own error stays in this .d.ts (skipLibCheck) and cells see no difference.
 */
const AUGMENT_DTS = `export {};
declare module "agentkernel" {
  interface RunOptions { /** Show the live progress display in the cell (default true in the kernel). */ display?: boolean }
  interface ResumeRunOptions { /** Show the live progress display in the cell (default true in the kernel). */ display?: boolean }
  interface SyncRunOptions { /** Show the live progress display in the cell (default true in the kernel). */ display?: boolean }
}
`;

interface CellDeclarations {
  /** Every top-level name the cell declares (values, types, imports). */
  names: Set<string>;
  /** The subset already exported by the cell itself (`export const x`): not re-exported. */
  exported: Set<string>;
  /** Every identifier text in the cell: the only earlier-cell names it can refer to. */
  identifiers: Set<string>;
}

function identifierTexts(ts: TS, sf: TypeScript.SourceFile): Set<string> {
  const out = new Set<string>();
  const visit = (node: TypeScript.Node): void => {
    if (ts.isIdentifier(node)) out.add(node.text);
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return out;
}

function topLevelDeclarations(ts: TS, code: string): CellDeclarations {
  const sf = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ESNext, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const exported = new Set<string>();
  for (const stmt of sf.statements) {
    const isExported =
      ts.canHaveModifiers(stmt) &&
      (ts.getModifiers(stmt) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const add = (id: TypeScript.Identifier | undefined) => {
      if (!id) return;
      names.add(id.text);
      if (isExported) exported.add(id.text);
    };
    const addBinding = (name: TypeScript.BindingName) => {
      if (ts.isIdentifier(name)) add(name);
      else for (const el of name.elements) if (ts.isBindingElement(el)) addBinding(el.name);
    };
    if (ts.isVariableStatement(stmt))
      stmt.declarationList.declarations.forEach((d) => addBinding(d.name));
    else if (
      ts.isFunctionDeclaration(stmt) ||
      ts.isClassDeclaration(stmt) ||
      ts.isTypeAliasDeclaration(stmt) ||
      ts.isInterfaceDeclaration(stmt) ||
      ts.isEnumDeclaration(stmt)
    )
      add(stmt.name);
    else if (ts.isModuleDeclaration(stmt) && ts.isIdentifier(stmt.name)) add(stmt.name);
    else if (ts.isImportEqualsDeclaration(stmt)) add(stmt.name);
    else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const c = stmt.importClause;
      add(c.name);
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) add(c.namedBindings.name);
      else if (c.namedBindings) c.namedBindings.elements.forEach((e) => add(e.name));
    }
  }
  return { names, exported, identifiers: identifierTexts(ts, sf) };
}

function lineCol(code: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < code.length; i++) {
    if (code.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

const CATEGORY: Record<number, CellDiagnostic['category']> = {
  0: 'warning',
  1: 'error',
  2: 'suggestion',
  3: 'message',
};

/**
 * ts-morph's bundled compiler keeps its lib .d.ts files in memory (there is no lib folder on
 * disk next to it), so the host serves them from `@ts-morph/common`'s table. That module holds the
 * compiler's whole lib set plus ts-morph's helpers; we copy the texts out and drop it from the
 * require cache, so only the strings stay alive.
 */
function libFiles(): { dir: string; files: Map<string, string> } {
  const require = createRequire(import.meta.url);
  const modulePath = require.resolve(path.join(tsMorphCommonDir(), 'dist', 'ts-morph-common.js'));
  const common = require(modulePath) as {
    getLibFiles(): { fileName: string; text: string }[];
    libFolderInMemoryPath: string;
  };
  const dir = common.libFolderInMemoryPath;
  const files = new Map(
    common.getLibFiles().map((f) => [path.posix.join(dir, f.fileName), f.text]),
  );
  delete require.cache[modulePath];
  return { dir, files };
}

interface ScriptFile {
  text: string;
  version: number;
  snapshot: TypeScript.IScriptSnapshot;
}

/** The module file holding a laid-out cell: header line, the code, trailer. */
interface LaidOutCell {
  text: string;
  /** Where the cell's code starts in `text`. */
  codeStart: number;
  declarations: CellDeclarations;
}

export class CellLanguageService {
  private readonly ts: TS;
  private readonly cwd: string;
  private readonly globalsFile: string;
  private readonly augmentFile: string;
  private readonly scratchFile: string;
  /** Committed cells' files, in order; their text never changes. */
  private readonly cellFiles: string[] = [];
  private readonly files = new Map<string, ScriptFile>();
  /** Each visible name → index of the newest committed cell that declares it. */
  private readonly visible = new Map<string, number>();
  private readonly service: TypeScript.LanguageService;

  constructor(cwd: string, typesNodeDir: string) {
    this.ts = loadTypeScript();
    const ts = this.ts;
    this.cwd = cwd;
    this.globalsFile = path.join(cwd, '__agentkernel_globals__.d.ts');
    this.scratchFile = path.join(cwd, '__agentkernel_scratch__.ts');
    this.setFile(this.globalsFile, GLOBALS_DTS);
    this.augmentFile = path.join(cwd, '__agentkernel_augment__.d.ts');
    this.setFile(this.augmentFile, AUGMENT_DTS);
    this.setFile(this.scratchFile, 'export {};\n');
    const options: TypeScript.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      // No DOM: cells run in Node, and @types/node supplies console, fetch, timers.
      lib: ['lib.es2023.d.ts'],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      esModuleInterop: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      // @types/node from the kernel's own install, so `console`/`process` are known wherever the
      // notebook lives (tslab #61/#67: "Cannot find name 'console'").
      typeRoots: [path.dirname(typesNodeDir)],
      types: ['node'],
    };
    const lib = libFiles();
    // Library and package .d.ts snapshots: read once, never change during a session.
    const external = new Map<string, TypeScript.IScriptSnapshot | undefined>();
    const host: TypeScript.LanguageServiceHost = {
      getScriptFileNames: () => [
        this.globalsFile,
        this.augmentFile,
        ...this.cellFiles,
        this.scratchFile,
      ],
      getScriptVersion: (f) => String(this.files.get(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const own = this.files.get(f);
        if (own) return own.snapshot;
        if (!external.has(f)) {
          const text = lib.files.get(f) ?? ts.sys.readFile(f);
          external.set(f, text === undefined ? undefined : ts.ScriptSnapshot.fromString(text));
        }
        return external.get(f);
      },
      getCurrentDirectory: () => cwd,
      getCompilationSettings: () => options,
      getDefaultLibFileName: (o) => path.posix.join(lib.dir, ts.getDefaultLibFileName(o)),
      fileExists: (f) => this.files.has(f) || lib.files.has(f) || ts.sys.fileExists(f),
      readFile: (f) => this.files.get(f)?.text ?? lib.files.get(f) ?? ts.sys.readFile(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  private setFile(fileName: string, text: string): void {
    const version = (this.files.get(fileName)?.version ?? 0) + 1;
    this.files.set(fileName, { text, version, snapshot: this.ts.ScriptSnapshot.fromString(text) });
  }

  private cellFile(index: number): string {
    return path.join(this.cwd, `__agentkernel_cell_${index}__.ts`);
  }

  /**
   * `code` as a module that imports what earlier cells declared and exports its own names.
   * A committed cell imports only the earlier names it mentions: importing every visible name
   * made the imports grow as n² over a session, and the compiler re-resolves all of them whenever
   * a cell is added (200 cells: 250 ms per check, measured). The scratch file used for completion
   * imports everything, since any visible name may be the one being typed.
   */
  private layout(code: string, importAll: boolean): LaidOutCell {
    const declarations = topLevelDeclarations(this.ts, code);
    const bySource = new Map<number, string[]>();
    for (const [name, index] of this.visible) {
      if (declarations.names.has(name) || (!importAll && !declarations.identifiers.has(name)))
        continue;
      const list = bySource.get(index) ?? [];
      list.push(name);
      bySource.set(index, list);
    }
    const imports = [...bySource].map(
      ([index, names]) =>
        `import { ${names.join(', ')} } from "./${path.basename(this.cellFile(index), '.ts')}";`,
    );
    const header = `${imports.join(' ')}\n`;
    const exports = [...declarations.names].filter((n) => !declarations.exported.has(n));
    return {
      text: `${header}${code}\n;export { ${exports.join(', ')} };\n`,
      codeStart: header.length,
      declarations,
    };
  }

  private toCellDiagnostics(
    code: string,
    codeStart: number,
    diagnostics: readonly TypeScript.Diagnostic[],
  ): CellDiagnostic[] {
    const ts = this.ts;
    const end = codeStart + code.length;
    return diagnostics
      .filter(
        (d) =>
          d.start !== undefined &&
          d.start >= codeStart &&
          d.start <= end &&
          !IGNORED_DIAGNOSTICS.has(d.code),
      )
      .map((d) => ({
        code: d.code,
        category: CATEGORY[d.category] ?? 'error',
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        ...lineCol(code, (d.start ?? codeStart) - codeStart),
      }));
  }

  /** Checks `code` as the newest cell and commits it (its declarations become visible). */
  check(code: string): CellDiagnostic[] {
    return this.checkMany([code])[0]!;
  }

  /**
   * Commits `codes` as the newest cells, in order, then checks each one. All of them are checked
   * against one program: checking a batch of queued cells costs about one check, not one each.
   */
  checkMany(codes: readonly string[]): CellDiagnostic[][] {
    const committed = codes.map((code) => {
      const cell = this.layout(code, false);
      const index = this.cellFiles.length;
      const file = this.cellFile(index);
      this.setFile(file, cell.text);
      this.cellFiles.push(file);
      for (const name of cell.declarations.names) this.visible.set(name, index);
      return { code, file, codeStart: cell.codeStart };
    });
    return committed.map(({ code, file, codeStart }) =>
      this.toCellDiagnostics(code, codeStart, [
        ...this.service.getSyntacticDiagnostics(file),
        ...this.service.getSemanticDiagnostics(file),
      ]),
    );
  }

  /** Lays `code` out in the scratch file (never committed); returns where the code starts. */
  private scratch(code: string): number {
    const cell = this.layout(code, true);
    this.setFile(this.scratchFile, cell.text);
    return cell.codeStart;
  }

  complete(code: string, cursor: number): Completion {
    const start = this.scratch(code);
    let wordStart = cursor;
    while (wordStart > 0 && /[\w$]/.test(code[wordStart - 1]!)) wordStart--;
    const prefix = code.slice(wordStart, cursor);
    const info = this.service.getCompletionsAtPosition(this.scratchFile, start + cursor, {
      includeCompletionsWithInsertText: true,
    });
    const entries = (info?.entries ?? [])
      .filter(
        (e) =>
          !e.name.startsWith('__akImport') &&
          !e.name.startsWith('__agentkernel') &&
          e.name.startsWith(prefix),
      )
      .sort((a, b) =>
        a.sortText === b.sortText ? a.name.localeCompare(b.name) : a.sortText < b.sortText ? -1 : 1,
      );
    const seen = new Set<string>();
    const unique = entries.filter((e) => !seen.has(e.name) && seen.add(e.name));
    return {
      matches: unique.map((e) => e.name),
      cursorStart: wordStart,
      cursorEnd: cursor,
      types: unique.map((e) => ({ text: e.name, type: e.kind })),
    };
  }

  inspect(code: string, cursor: number): QuickInfo {
    const ts = this.ts;
    const start = this.scratch(code);
    // Jupyter sends the cursor at the end of the word being inspected; look at the word itself.
    let pos = cursor;
    if (pos > 0 && !/[\w$]/.test(code[pos] ?? '') && /[\w$]/.test(code[pos - 1] ?? '')) pos--;
    const info = this.service.getQuickInfoAtPosition(this.scratchFile, start + pos);
    // An unresolved name has quick info of kind "" and type `any`: that is "not found".
    if (!info || info.kind === ts.ScriptElementKind.unknown) return { found: false, text: '' };
    // Names from earlier cells are imports here; show them as the declarations they are.
    const signature = ts
      .displayPartsToString(info.displayParts)
      .replace(/^\(alias\) /, '')
      .replace(/\nimport \w+$/, '');
    const doc = ts.displayPartsToString(info.documentation);
    const tags = (info.tags ?? []).map((t) =>
      `@${t.name} ${ts.displayPartsToString(t.text)}`.trim(),
    );
    return {
      found: true,
      text: [signature, doc, tags.join('\n')].filter((s) => s.length > 0).join('\n\n'),
    };
  }
}
