/**
 * Magic name → handler table, plus the two magics about magics: `%lsmagic` and `%name?` help.
 * Handlers return an ExecuteOutcome (like the cell engine) and never touch a socket; live output
 * goes through the OutputSink they are given.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { escapeHtml, isAgentkernelError } from '../../runtime/index.js';
import type { ExecuteOutcome } from '../cells/types.js';
import type { OutputSink } from '../output/sink.js';
import { MagicUsageError, type MagicKind, type ParsedMagic } from './parse.js';
import type { StoreCache } from './stores.js';
import type { VariableScope } from './variables.js';

export interface MagicContext {
  /** Aborted on interrupt (Stop button, SIGINT, interrupt_request). */
  signal: AbortSignal;
  sink: OutputSink;
  /** The notebook's directory. */
  cwd: string;
  variables: VariableScope;
  stores: StoreCache;
}

export interface MagicSpec {
  name: string;
  /** `line` for `%name`, `cell` for `%%name`. */
  kinds: readonly MagicKind[];
  /** One line for %lsmagic. */
  summary: string;
  /** The full text `%name?` shows. */
  help: string;
  run(magic: ParsedMagic, ctx: MagicContext): Promise<ExecuteOutcome>;
}

export type ErrorOutcome = Extract<ExecuteOutcome, { status: 'error' }>;

/** Any error → the cell's `error` output; ename is the stable code for our own errors. */
export function errorOutcome(e: unknown): ErrorOutcome {
  if (isAgentkernelError(e)) {
    return {
      status: 'error',
      ename: e.code,
      evalue: e.message,
      traceback: [`${e.code}: ${e.message}`],
    };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    status: 'error',
    ename: err.name,
    evalue: err.message,
    traceback: (err.stack ?? `${err.name}: ${err.message}`).split('\n'),
  };
}

/** A plain-text (and optional HTML) execute_result. */
export function textResult(text: string, html?: string): ExecuteOutcome {
  return {
    status: 'ok',
    result: {
      data: html === undefined ? { 'text/plain': text } : { 'text/plain': text, 'text/html': html },
      metadata: {},
    },
  };
}

/**
 * node:util parseArgs over the magic's words, with its errors (unknown option, missing value)
 * turned into a usage error that shows the magic's usage line.
 */
type ArgOptions = NonNullable<ParseArgsConfig['options']>;
export type MagicArgs<T extends ArgOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

export function parseMagicArgs<T extends ArgOptions>(
  magic: ParsedMagic,
  options: T,
  usage: string,
): MagicArgs<T> {
  try {
    return parseArgs({ args: magic.args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new MagicUsageError(`${(e as Error).message}\n${usage}`);
  }
}

function prefix(kind: MagicKind): string {
  return kind === 'cell' ? '%%' : '%';
}

export class MagicRegistry {
  private readonly specs = new Map<string, MagicSpec>();

  register(spec: MagicSpec): this {
    this.specs.set(spec.name, spec);
    return this;
  }

  get(name: string): MagicSpec | undefined {
    return this.specs.get(name);
  }

  /** Every magic as it is typed (`%workflow`, `%%workflow`, …), for %lsmagic and completion. */
  spellings(): string[] {
    const out: string[] = ['%lsmagic'];
    for (const spec of this.specs.values())
      for (const kind of spec.kinds) out.push(`${prefix(kind)}${spec.name}`);
    return out.sort();
  }

  lsmagic(): ExecuteOutcome {
    const entries: [string, string][] = [['%lsmagic', 'list the magics']];
    for (const spec of this.specs.values()) {
      entries.push([spec.kinds.map((k) => `${prefix(k)}${spec.name}`).join(', '), spec.summary]);
    }
    const width = Math.max(...entries.map(([forms]) => forms.length));
    const text = [
      'Available magics (add ? for help, e.g. %workflow?):',
      ...entries.map(([forms, summary]) => `  ${forms.padEnd(width)}  ${summary}`),
    ].join('\n');
    const rows = entries.map(
      ([forms, summary]) =>
        `<tr><td><code>${escapeHtml(forms)}</code></td><td>${escapeHtml(summary)}</td></tr>`,
    );
    return textResult(text, `<table>${rows.join('')}</table>`);
  }

  /** Runs a parsed magic; usage mistakes and unexpected throws become error outcomes. */
  async run(magic: ParsedMagic, ctx: MagicContext): Promise<ExecuteOutcome> {
    if (magic.name === 'lsmagic') return this.lsmagic();
    const spec = this.specs.get(magic.name);
    if (!spec || !spec.kinds.includes(magic.kind)) {
      const other = spec
        ? `; it exists as ${spec.kinds.map((k) => prefix(k) + spec.name).join(', ')}`
        : '';
      return errorOutcome(
        new MagicUsageError(
          `Unknown magic ${prefix(magic.kind)}${magic.name}${other}. %lsmagic lists the magics`,
        ),
      );
    }
    if (magic.help) return textResult(spec.help);
    try {
      return await spec.run(magic, ctx);
    } catch (e) {
      return errorOutcome(e);
    }
  }
}
