/**
 * Diagnostic codes for workflow (and runtime.yaml) files, documented in one place, and the
 * collector that ties each problem to a 1-based line:col with a caret excerpt. Loaders report
 * every problem they find into a collector instead of throwing at the first one.
 */
import type { LineCounter } from 'yaml';
import type { Diagnostic } from '../errors.js';

export const DIAGNOSTIC_CODES = [
  /** The file is not valid YAML (bad indentation, duplicate map keys, unclosed quotes…). */
  'YAML_SYNTAX',
  /** A key that the schema does not know; comes with a did-you-mean suggestion when one is close. */
  'UNKNOWN_KEY',
  /** A required key is absent (schema_version, workflow.id, steps, a step's id/type/function…). */
  'MISSING_KEY',
  /** A value of the wrong YAML type (a string where a list is needed, …). */
  'INVALID_TYPE',
  /** A value of the right type but not allowed (on_error: sometimes, attempts: 0, …). */
  'INVALID_VALUE',
  /** schema_version is something other than v1. */
  'UNSUPPORTED_SCHEMA_VERSION',
  /** `type: model` (removed in schema v1) or another step type that used to exist. */
  'UNSUPPORTED_STEP_TYPE',
  /** A step carries the field of another step type (`tool:` on a function step). */
  'CONFLICTING_KEY',
  'DUPLICATE_STEP_ID',
  'DUPLICATE_INPUT',
  /** A goto/default target or a `steps.X` path names no step of the workflow. */
  'UNKNOWN_STEP_REF',
  /** A `steps.X` input path names a step that is not earlier in the file. */
  'FUTURE_STEP_REF',
  /** `inputs.X` where X is not a declared input. */
  'UNKNOWN_INPUT_REF',
  /** `steps.X.k` where X declares `outputs` without k. */
  'UNKNOWN_OUTPUT_KEY',
  /** A function step whose ref is not in the project's function catalog. */
  'UNKNOWN_FUNCTION',
  /** An agent step whose ref (`id` or `id@vN`) is not in the project's agents (added by G2). */
  'UNKNOWN_AGENT',
  /** A list-form ("contract") input key that no earlier step outputs and no input provides. */
  'CONTRACT_KEY_UNAVAILABLE',
  /** Two steps (or one step twice) declare the same output key. */
  'DUPLICATE_OUTPUT_KEY',
  'DEFAULT_WITHOUT_OPTIONAL',
  /** An optional step's `default` does not have exactly the `outputs` keys. */
  'DEFAULT_CONTRACT_MISMATCH',
  /** A `when` condition outside the supported expression language. */
  'INVALID_EXPRESSION',
  'MULTIPLE_DEFAULT_BRANCHES',
  /** `{{ … }}` in a step input: workflow inputs take bare dot-paths. */
  'TEMPLATE_IN_INPUTS',
  /** An output_schema regex that does not compile. */
  'INVALID_REGEX',
  /** Warning: a branch target without `next` falls through into another target of the same rules. */
  'BRANCH_FALLTHROUGH',
  /** Warning: no branch targets a step and the step before it always branches away. */
  'UNREACHABLE_STEP',
  // Agent definitions (agents/*.yaml; added by the agent-steps layer):
  /** A pipeline tool step names a tool that is not in the agent's `tools` allowlist. */
  'TOOL_NOT_IN_ALLOWLIST',
  /** `system: prompts.<id>[@vN]` (or a pipeline prompt) names no prompt the agent file defines. */
  'UNKNOWN_PROMPT_REF',
  /** Two agent files define the same id and version. */
  'DUPLICATE_AGENT',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** Something with a position in the source: a yaml node's range, or a raw offset. */
export type At = { range?: [number, number, number] | null } | number | null | undefined;

export class DiagnosticCollector {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly lineCounter: LineCounter,
  ) {}

  error(code: DiagnosticCode, at: At, message: string, suggestion?: string): void {
    this.add('error', code, at, message, suggestion);
  }

  warning(code: DiagnosticCode, at: At, message: string, suggestion?: string): void {
    this.add('warning', code, at, message, suggestion);
  }

  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /** Diagnostics in source order, so the first one printed is the first one in the file. */
  sorted(): Diagnostic[] {
    return [...this.diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
  }

  offsetOf(at: At): number {
    if (typeof at === 'number') return at;
    return at?.range?.[0] ?? 0;
  }

  position(offset: number): { line: number; col: number } {
    const pos = this.lineCounter.linePos(offset);
    // linePos reports line 0 before the first recorded newline (e.g. an empty document).
    return pos.line === 0 ? { line: 1, col: offset + 1 } : pos;
  }

  private add(
    severity: Diagnostic['severity'],
    code: DiagnosticCode,
    at: At,
    message: string,
    suggestion?: string,
  ) {
    const offset = this.offsetOf(at);
    const { line, col } = this.position(offset);
    const d: Diagnostic = {
      code,
      severity,
      message,
      file: this.file,
      line,
      col,
      excerpt: excerpt(this.text, line, col),
    };
    if (suggestion !== undefined) d.suggestion = suggestion;
    this.diagnostics.push(d);
  }
}

/** The source line with a caret under `col`, prefixed with the line number like a compiler. */
export function excerpt(text: string, line: number, col: number): string {
  const source = (text.split(/\r?\n/)[line - 1] ?? '').replace(/\t/g, ' ');
  const gutter = `${line} | `;
  return `  ${gutter}${source}\n  ${' '.repeat(gutter.length - 2)}| ${' '.repeat(Math.max(0, col - 1))}^`;
}

/**
 * Where to point for a yaml parse error. yaml reports an unclosed quote at the end of the file;
 * the opening quote (the last unescaped one of its kind before that point) is where to fix it.
 */
export function yamlErrorOffset(
  text: string,
  error: { code: string; message: string; pos: [number, number] },
): number {
  const offset = error.pos[0];
  if (error.code !== 'MISSING_CHAR') return offset;
  const quote = /Missing closing (["'])quote/.exec(error.message)?.[1];
  if (quote === undefined) return offset;
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
    if (text[i] === quote && text[i - 1] !== '\\') return i;
  }
  return offset;
}
