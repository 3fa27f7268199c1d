/**
 * Input history, persisted across kernel restarts as a JSON-lines file (one entry per stored
 * cell: session number, line number, input, text output). Each kernel process is a new session
 * numbered one above the highest in the file, as IPython numbers its history sessions. The file is
 * read lazily, on the first history request or stored cell, so it costs nothing at start-up.
 */
import { mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HistoryEntry, HistoryRequest } from './protocol/messages.js';

export interface HistoryRecord {
  session: number;
  line: number;
  input: string;
  output: string | null;
}

/** `$AGENTKERNEL_HISTORY`, else `<jupyter data dir>/agentkernel/history.jsonl`. */
export function defaultHistoryFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env['AGENTKERNEL_HISTORY']) return env['AGENTKERNEL_HISTORY'];
  const dataDir =
    env['JUPYTER_DATA_DIR'] ||
    (process.platform === 'darwin'
      ? path.join(os.homedir(), 'Library', 'Jupyter')
      : path.join(env['XDG_DATA_HOME'] || path.join(os.homedir(), '.local', 'share'), 'jupyter'));
  return path.join(dataDir, 'agentkernel', 'history.jsonl');
}

/** Glob as IPython's history search understands it: `*` any run, `?` one character. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}

export class History {
  private records: HistoryRecord[] | undefined;
  private sessionNumber = 0;
  /** Opened for appending on the first stored cell and kept: one write per cell, no open/close. */
  private fd: number | undefined;

  constructor(
    private readonly file: string,
    private readonly log: (text: string) => void = () => {},
  ) {}

  get session(): number {
    this.load();
    return this.sessionNumber;
  }

  /** Stores one executed cell; `line` is its execution_count. */
  store(line: number, input: string, output: string | null): void {
    this.load();
    const record: HistoryRecord = { session: this.sessionNumber, line, input, output };
    this.records!.push(record);
    try {
      if (this.fd === undefined) {
        mkdirSync(path.dirname(this.file), { recursive: true });
        this.fd = openSync(this.file, 'a');
      }
      writeSync(this.fd, `${JSON.stringify(record)}\n`);
    } catch (e) {
      // History is a convenience: an unwritable file must not fail the cell.
      this.log(
        `history: cannot write ${this.file}: ${e instanceof Error ? e.message : String(e)}\n`,
      );
    }
  }

  /** Attaches the text output of a cell stored earlier in this session. */
  setOutput(line: number, output: string): void {
    this.load();
    // From the end: the cell is almost always the last one stored, and the records of every
    // earlier session (the whole history file) come before it.
    const records = this.records!;
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i]!;
      if (r.session !== this.sessionNumber) break;
      if (r.line === line) {
        r.output = output;
        return;
      }
    }
  }

  query(request: HistoryRequest): HistoryEntry[] {
    this.load();
    const all = this.records!;
    let selected: HistoryRecord[];
    switch (request.hist_access_type) {
      case 'tail':
        selected = request.n === undefined ? all : all.slice(Math.max(0, all.length - request.n));
        break;
      case 'range': {
        // Session 0 or negative counts back from the current one (IPython's convention).
        const raw = request.session ?? 0;
        const session = raw <= 0 ? this.sessionNumber + raw : raw;
        const start = request.start ?? 0;
        const stop = request.stop;
        selected = all.filter(
          (r) => r.session === session && r.line >= start && (stop === undefined || r.line < stop),
        );
        break;
      }
      case 'search': {
        const re = globToRegExp(request.pattern ?? '*');
        let matches = all.filter((r) => re.test(r.input));
        if (request.unique) {
          // Keep the latest occurrence of each input, in chronological order.
          const seen = new Set<string>();
          matches = matches
            .reverse()
            .filter((r) => !seen.has(r.input) && seen.add(r.input))
            .reverse();
        }
        selected =
          request.n === undefined
            ? matches
            : matches.slice(Math.max(0, matches.length - request.n));
        break;
      }
    }
    return selected.map((r): HistoryEntry =>
      request.output ? [r.session, r.line, [r.input, r.output]] : [r.session, r.line, r.input],
    );
  }

  private load(): void {
    if (this.records) return;
    this.records = [];
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      // No file yet: the first session.
    }
    let maxSession = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as Partial<HistoryRecord>;
        if (
          typeof r.session !== 'number' ||
          typeof r.line !== 'number' ||
          typeof r.input !== 'string'
        )
          continue;
        this.records.push({
          session: r.session,
          line: r.line,
          input: r.input,
          output: r.output ?? null,
        });
        maxSession = Math.max(maxSession, r.session);
      } catch {
        // A torn last line (the kernel was killed mid-write) is skipped, not fatal.
      }
    }
    this.sessionNumber = maxSession + 1;
  }
}
