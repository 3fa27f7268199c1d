/**
 * A thrown value → the `{ename, evalue, traceback}` of an `error` reply. Stack frames in cells
 * (`<cell-N>:line:col` in the generated script) are mapped back to cell coordinates through the
 * transpiler's source map; kernel-internal frames are dropped, npm package frames kept. No ANSI
 * colours: nbconvert, VS Code and plain-text logs show escape codes raw, and Deno's coloured
 * output is a complaint we do not want to inherit.
 */
import util from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { isAgentkernelError } from '../../runtime/errors.js';
import { CellInterruptedError } from './evaluate.js';
import type { TranspiledCell } from './transpile.js';

export interface CellErrorOutcome {
  status: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

/** The generated script's filename for cell `n`; frames carrying it belong to that cell. */
export function cellFileName(n: number): string {
  return `<cell-${n}>`;
}

const CELL_FRAME = /<cell-(\d+)>:(\d+):(\d+)/g;
const KERNEL_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export interface CellSources {
  /** The transpiled cell with this number, for source mapping. */
  transpiled(n: number): TranspiledCell | undefined;
  /** The original code of cell `n`, for the excerpt under the error. */
  code(n: number): string | undefined;
}

function excerpt(code: string, line: number, col: number): string[] {
  const text = code.split('\n')[line - 1];
  if (text === undefined) return [];
  const gutter = `${line} | `;
  return [
    `${gutter}${text}`,
    `${' '.repeat(gutter.length - 2)}| ${' '.repeat(Math.max(0, col - 1))}^`,
  ];
}

function isKernelFrame(frame: string): boolean {
  return frame.includes('node:internal') || frame.includes('node:vm') || frame.includes(KERNEL_DIR);
}

/** Maps every `<cell-N>:L:C` in a stack line to cell coordinates. */
function mapFrame(
  frame: string,
  sources: CellSources,
): { text: string; first?: { n: number; line: number; col: number }; wrapper: boolean } {
  let first: { n: number; line: number; col: number } | undefined;
  let wrapper = false;
  const text = frame.replace(CELL_FRAME, (whole, n: string, line: string, col: string) => {
    const cell = sources.transpiled(Number(n));
    if (cell && Number(line) >= cell.scriptLines) wrapper = true;
    const mapped = cell?.mapPosition(Number(line), Number(col));
    if (!mapped) return whole;
    first ??= { n: Number(n), line: mapped.line, col: mapped.col };
    return `${cellFileName(Number(n))}:${mapped.line}:${mapped.col}`;
  });
  return first ? { text, first, wrapper } : { text, wrapper };
}

export function errorOutcome(error: unknown, sources: CellSources): CellErrorOutcome {
  if (error instanceof CellInterruptedError) {
    return {
      status: 'error',
      ename: 'Interrupted',
      evalue: error.message,
      traceback: [`Interrupted: ${error.message}`],
    };
  }
  if (
    !util.types.isNativeError(error) &&
    !(typeof error === 'object' && error !== null && 'stack' in error)
  ) {
    // `throw "x"` or `throw {…}`: there is no stack to show, only the value.
    const evalue = util.inspect(error, { colors: false, depth: 2 });
    return { status: 'error', ename: 'Error', evalue, traceback: [`Uncaught ${evalue}`] };
  }
  const e = error as Error & { code?: unknown };
  const ename = e.name || 'Error';
  const evalue = String(e.message ?? '');
  const header = isAgentkernelError(e) ? `${ename} [${e.code}]: ${evalue}` : `${ename}: ${evalue}`;
  const frames = String(e.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l));
  // Frames below the outermost cell frame are the engine and the handler calling the cell: cut
  // there. Frames above it (npm packages the cell called) stay.
  const lastCellFrame = frames.reduce((last, f, i) => (f.includes('<cell-') ? i : last), -1);
  const kept = lastCellFrame >= 0 ? frames.slice(0, lastCellFrame + 1) : frames;
  const out: string[] = [header];
  let where: { n: number; line: number; col: number } | undefined;
  for (const frame of kept) {
    if (isKernelFrame(frame)) continue;
    const mapped = mapFrame(frame, sources);
    if (mapped.wrapper) continue;
    where ??= mapped.first;
    out.push(mapped.text.replace(/^\s+/, '    '));
  }
  if (where) {
    const code = sources.code(where.n);
    if (code !== undefined) out.push(...excerpt(code, where.line, where.col));
  }
  return { status: 'error', ename, evalue, traceback: out };
}

/** A transpile-time syntax error, with the cell-relative position and excerpt. */
export function syntaxErrorOutcome(
  errors: { message: string; line: number; col: number }[],
  n: number,
  code: string,
): CellErrorOutcome {
  const first = errors[0] ?? { message: 'invalid syntax', line: 1, col: 1 };
  const traceback = [
    `SyntaxError: ${first.message}`,
    `    at ${cellFileName(n)}:${first.line}:${first.col}`,
    ...excerpt(code, first.line, first.col),
  ];
  for (const more of errors.slice(1, 5))
    traceback.push(`SyntaxError: ${more.message} at ${cellFileName(n)}:${more.line}:${more.col}`);
  return {
    status: 'error',
    ename: 'SyntaxError',
    evalue: `${first.message} (${first.line}:${first.col})`,
    traceback,
  };
}
