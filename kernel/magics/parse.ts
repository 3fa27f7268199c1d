/**
 * Pure parsing of IPython-style magics (no I/O, no runtime): `%name args` line magics,
 * `%%name args\n<body>` cell magics, and the `%name?` help form. A TypeScript statement can never
 * start with `%`, so "first non-blank character is `%`" is an unambiguous test for a magic.
 */
import { AgentkernelError } from '../../runtime/index.js';

/** A mistake in how a magic was written (bad quoting, unknown option…): the cell's `error` output. */
export class MagicUsageError extends AgentkernelError {
  constructor(message: string) {
    super('AK-MAGIC-USAGE', message);
  }
}

export type MagicKind = 'line' | 'cell';

export interface ParsedMagic {
  kind: MagicKind;
  /** The magic's name without `%`/`%%` or a trailing `?`. */
  name: string;
  /** The argument text after the name on the magic's own line, trimmed. */
  argText: string;
  /** `argText` split like a shell would (quotes and backslashes), without the help `?`. */
  args: string[];
  /** For a cell magic: everything after the first line (may be empty). Empty for line magics. */
  body: string;
  /** True for `%name?` / `%name ?`: show the magic's help instead of running it. */
  help: boolean;
}

const MAGIC_NAME = /^[A-Za-z_][\w-]*/;

export { isMagic } from './detect.js';

/**
 * Splits an argument string like a POSIX shell, without expansion: whitespace separates words,
 * '…' is literal, "…" allows \" and \\ escapes, and a backslash outside quotes escapes the next
 * character. Throws MagicUsageError on an unterminated quote.
 */
export function splitArgs(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new MagicUsageError(`Unterminated ' quote in: ${text}`);
      current += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i += 1;
      let closed = false;
      while (i < text.length) {
        const c = text[i]!;
        if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          current += text[i + 1]!;
          i += 2;
        } else if (c === '"') {
          closed = true;
          i += 1;
          break;
        } else {
          current += c;
          i += 1;
        }
      }
      if (!closed) throw new MagicUsageError(`Unterminated " quote in: ${text}`);
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      current += text[i + 1]!;
      inWord = true;
      i += 2;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      i += 1;
    } else {
      current += ch;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/**
 * Parses a cell as a magic, or returns null when it is not one. A line magic must be the only
 * non-blank line of its cell (IPython allows mixing; we keep cells single-purpose so a failed
 * magic never leaves half a cell run).
 */
export function parseMagic(code: string): ParsedMagic | null {
  const start = code.search(/\S/);
  if (start < 0 || code[start] !== '%') return null;
  const text = code.slice(start);
  const newline = text.indexOf('\n');
  const firstLine = (newline < 0 ? text : text.slice(0, newline)).replace(/\r$/, '');
  const rest = newline < 0 ? '' : text.slice(newline + 1);
  const kind: MagicKind = firstLine.startsWith('%%') ? 'cell' : 'line';
  const afterPercent = firstLine.slice(kind === 'cell' ? 2 : 1);
  const name = MAGIC_NAME.exec(afterPercent)?.[0];
  if (name === undefined) {
    throw new MagicUsageError(
      `Expected a magic name after '${kind === 'cell' ? '%%' : '%'}'; %lsmagic lists them`,
    );
  }
  let argText = afterPercent.slice(name.length).trim();
  let help = false;
  if (argText === '?' || afterPercent.slice(name.length).startsWith('?')) {
    help = true;
    argText = argText.replace(/^\?/, '').trim();
  }
  if (kind === 'line' && rest.trim() !== '') {
    throw new MagicUsageError(
      `%${name} is a line magic and must be alone in its cell; put the other code in its own cell (or use %%${name} if it takes a body)`,
    );
  }
  return { kind, name, argText, args: splitArgs(argText), body: kind === 'cell' ? rest : '', help };
}
