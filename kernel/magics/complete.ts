/**
 * Completion inside magics, asked before the TypeScript language service: magic names (`%wor` →
 * `%workflow`), workflow ids and files after `%workflow `, and run ids after `%resume `/`%replay `/
 * `%inspect `. Returns null when the cursor is not in a magic, so the caller falls back to the
 * cell engine.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadRuntimeConfig } from '../../runtime/index.js';
import type { CompletionResult } from '../cells/types.js';
import type { StoreCache } from './stores.js';
import { findConfigDir, resolveStorePath } from './stores.js';

export interface MagicCompletionContext {
  cwd: string;
  stores: StoreCache;
  /** Every magic as typed: `%workflow`, `%%workflow`, … */
  spellings: readonly string[];
}

const RUN_ID_MAGICS = new Set(['resume', 'replay', 'inspect']);
/** Options whose next word is a value, not the workflow (so it is not completed as a file). */
const VALUE_OPTIONS = new Set([
  '-i',
  '--input',
  '-o',
  '--output',
  '--store',
  '--inputs-from',
  '--name',
  '-n',
  '--status',
  '--workflow',
  '--until',
]);
const RUN_ID_COMPLETION_LIMIT = 50;

function codePointsToUtf16(text: string, cursor: number): number {
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (points >= cursor) break;
    units += ch.length;
    points += 1;
  }
  return units;
}

function utf16ToCodePoints(text: string, units: number): number {
  return [...text.slice(0, units)].length;
}

function result(
  code: string,
  startUnits: number,
  endUnits: number,
  matches: string[],
): CompletionResult {
  return {
    matches,
    cursorStart: utf16ToCodePoints(code, startUnits),
    cursorEnd: utf16ToCodePoints(code, endUnits),
    metadata: {},
  };
}

/** Workflow files (and directories, to descend into) matching the word typed so far. */
export function workflowFileCandidates(cwd: string, word: string): string[] {
  const slash = word.lastIndexOf('/');
  const dirPart = slash >= 0 ? word.slice(0, slash + 1) : '';
  const namePart = slash >= 0 ? word.slice(slash + 1) : word;
  const dir = path.resolve(cwd, dirPart || '.');
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries.sort()) {
    if (!name.startsWith(namePart) || (name.startsWith('.') && !namePart.startsWith('.'))) continue;
    let isDir = false;
    try {
      isDir = statSync(path.join(dir, name)).isDirectory();
    } catch {
      continue;
    }
    if (isDir) {
      if (name !== 'node_modules') out.push(`${dirPart}${name}/`);
    } else if (/\.ya?ml$/i.test(name) && name !== 'runtime.yaml') out.push(`${dirPart}${name}`);
  }
  return out;
}

/** `workflow:\n  id: <id>` at the top level of a workflow file. */
const WORKFLOW_ID = /^workflow:[^\S\n]*\n(?:[^\S\n]+.*\n)*?[^\S\n]+id:[^\S\n]*["']?([\w.-]+)/m;

/** Ids of the workflows in the project's workflows dir (what `%workflow <id>` runs), by prefix. */
export function workflowIdCandidates(cwd: string, prefix: string): string[] {
  const configDir = findConfigDir(cwd);
  const dir = configDir ? loadRuntimeConfig(configDir).workflowsDir : path.join(cwd, 'workflows');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n));
  } catch {
    return [];
  }
  const ids = new Set<string>();
  for (const name of names) {
    try {
      const id = WORKFLOW_ID.exec(readFileSync(path.join(dir, name), 'utf8'))?.[1];
      if (id?.startsWith(prefix)) ids.add(id);
    } catch {
      // Unreadable file: nothing to offer.
    }
  }
  return [...ids].sort();
}

async function runIdCandidates(
  ctx: MagicCompletionContext,
  prefix: string,
  storeFlag: string | undefined,
): Promise<string[]> {
  const file = resolveStorePath(ctx.cwd, storeFlag);
  if (!ctx.stores.has(file)) return [];
  const store = ctx.stores.open(file, findConfigDir(ctx.cwd));
  const runs = await store.listRuns({ limit: RUN_ID_COMPLETION_LIMIT });
  return ['latest', ...runs.map((r) => r.runId)].filter((id) => id.startsWith(prefix));
}

export async function completeMagic(
  code: string,
  cursorPos: number,
  ctx: MagicCompletionContext,
): Promise<CompletionResult | null> {
  const cursor = codePointsToUtf16(code, cursorPos);
  const before = code.slice(0, cursor);
  const lineStart = before.lastIndexOf('\n') + 1;
  // Only the magic's own line: the first non-blank line of the cell.
  if (code.slice(0, lineStart).trim() !== '') return null;
  const line = before.slice(lineStart);
  const name = /^(\s*)(%%?[\w-]*)$/.exec(line);
  if (name) {
    const typed = name[2]!;
    const start = lineStart + name[1]!.length;
    return result(
      code,
      start,
      cursor,
      ctx.spellings.filter((s) => s.startsWith(typed)),
    );
  }
  const magic = /^\s*(%%?)([\w-]+)\s+(.*)$/.exec(line);
  if (!magic) return null;
  const words = magic[3]!.split(/\s+/);
  const word = words[words.length - 1]!;
  const previous = words.length >= 2 ? words[words.length - 2]! : undefined;
  const wordStart = cursor - word.length;
  const storeIndex = words.indexOf('--store');
  const storeFlag =
    storeIndex >= 0 && storeIndex < words.length - 2 ? words[storeIndex + 1] : undefined;
  if (word.startsWith('-') || (previous !== undefined && VALUE_OPTIONS.has(previous)))
    return result(code, wordStart, cursor, []);
  const positionalsBefore = words
    .slice(0, -1)
    .filter((w, i, all) => !w.startsWith('-') && !VALUE_OPTIONS.has(all[i - 1] ?? ''));
  if (magic[1] === '%' && magic[2] === 'workflow' && positionalsBefore.length === 0) {
    // Ids first (the short form), then files and directories relative to the notebook.
    const ids = word.includes('/') ? [] : workflowIdCandidates(ctx.cwd, word);
    return result(code, wordStart, cursor, [...ids, ...workflowFileCandidates(ctx.cwd, word)]);
  }
  if (magic[1] === '%' && RUN_ID_MAGICS.has(magic[2]!) && positionalsBefore.length === 0) {
    return result(code, wordStart, cursor, await runIdCandidates(ctx, word, storeFlag));
  }
  return result(code, wordStart, cursor, []);
}
