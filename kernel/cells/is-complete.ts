/**
 * is_complete_request: could this code run as typed, or does the console need another line?
 *   - an unclosed bracket, string, template or block comment, or a trailing operator → incomplete
 *     (indent: two spaces per open bracket, TypeScript's usual style);
 *   - a closing bracket without its opener, or any other syntax error before the end → invalid
 *     (tslab never answers invalid, which makes consoles wait forever for a line that can't help);
 *   - otherwise complete.
 * Uses the TypeScript scanner and parser (loaded lazily on the first request).
 */
import type { IsCompleteResult } from './types.js';
import { loadTypeScript } from './typescript.js';

const OPENERS: Record<string, string> = { '}': '{', ')': '(', ']': '[' };

export function isComplete(code: string): IsCompleteResult {
  if (code.trim() === '') return { status: 'complete' };
  const ts = loadTypeScript();
  const K = ts.SyntaxKind;
  const scanner = ts.createScanner(
    ts.ScriptTarget.ESNext,
    false,
    ts.LanguageVariant.Standard,
    code,
  );
  const stack: string[] = [];
  let unterminated = false;
  for (let token = scanner.scan(); token !== K.EndOfFileToken; token = scanner.scan()) {
    if (scanner.isUnterminated()) {
      unterminated = true;
      break;
    }
    const text = scanner.getTokenText();
    if (token === K.OpenBraceToken || token === K.OpenParenToken || token === K.OpenBracketToken)
      stack.push(text);
    else if (token === K.TemplateHead) stack.push('${');
    else if (token === K.CloseBraceToken && stack[stack.length - 1] === '${') {
      const next = scanner.reScanTemplateToken(false);
      if (scanner.isUnterminated()) {
        unterminated = true;
        break;
      }
      if (next === K.TemplateTail) stack.pop();
    } else if (
      token === K.CloseBraceToken ||
      token === K.CloseParenToken ||
      token === K.CloseBracketToken
    ) {
      if (stack.pop() !== OPENERS[text]) return { status: 'invalid' };
    } else if (token === K.SlashToken || token === K.SlashEqualsToken) {
      // Could be a regex literal; the scanner needs the parser's context to know. A rescan that
      // yields a terminated regex keeps brackets inside it from counting.
      const pos = scanner.getTokenStart();
      const regex = scanner.reScanSlashToken();
      if (regex !== K.RegularExpressionLiteral || scanner.isUnterminated())
        scanner.resetTokenState(pos + text.length);
    }
  }
  const indent = '  '.repeat(stack.length);
  if (unterminated || stack.length > 0) return { status: 'incomplete', indent };
  const sf = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ESNext, false, ts.ScriptKind.TS);
  const errors =
    (sf as unknown as { parseDiagnostics?: { start?: number }[] }).parseDiagnostics ?? [];
  if (errors.length === 0) return { status: 'complete' };
  // An error at the very end ("Expression expected" after `x =`) means the code continues.
  const end = code.trimEnd().length;
  return errors.every((e) => (e.start ?? 0) >= end)
    ? { status: 'incomplete', indent: '' }
    : { status: 'invalid' };
}
