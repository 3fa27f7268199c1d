/**
 * The runtime's error taxonomy. Every error the runtime raises on purpose is an AgentkernelError
 * with a stable `code`. Cells run in `vm` contexts and sync runs cross worker threads, so
 * `instanceof` is not reliable: errors carry a `Symbol.for` brand, `isAgentkernelError` checks it,
 * and `serializeError`/`deserializeError` rebuild the same class (with stack and cause chain) on
 * the other side of a thread boundary.
 */
import type { JsonObject, JsonValue } from './json.js';

export type ErrorCode =
  | 'AR-WORKFLOW-VALIDATION'
  | 'AR-STEP-EXECUTION'
  | 'AR-STEP-TIMEOUT'
  | 'AR-TOOL-NOT-FOUND'
  | 'AR-FUNCTION-RESOLUTION'
  | 'AR-AGENT-VALIDATION'
  | 'AR-NO-PROVIDER'
  | 'AR-BRANCH-RESOLUTION'
  | 'AR-OUTPUT-CONTRACT'
  | 'AR-INPUT-VALIDATION'
  | 'AR-LATENCY-BUDGET'
  | 'AR-CANCELLED'
  | 'AR-RUN-NOT-FOUND'
  | 'AR-RUN-COMPLETED'
  | 'AR-RUN-ACTIVE'
  | 'AR-WORKFLOW-INTEGRITY'
  | 'AR-REPLAY-DATA-MISSING'
  | 'AR-REPLAY-MISMATCH'
  | 'AR-CONFIG-VALIDATION'
  | 'AR-STORAGE'
  | 'AR-SYNC-BRIDGE'
  | 'AR-FILE-NOT-FOUND'
  // Added by the agent-steps layer (G): provider HTTP failures, per-run LLM limits, tool refusals.
  | 'AR-PROVIDER'
  | 'AR-LLM-LIMIT'
  | 'AR-TOOL-DENIED'
  // Added by the notebook magics (H): a %magic written wrongly (bad option, quoting, variable).
  | 'AK-MAGIC-USAGE'
  // Added by the engine (B2): an `input` step had nobody to ask and no default.
  | 'AR-INPUT-REQUIRED'
  | 'AR-UNEXPECTED';

const BRAND = Symbol.for('agentkernel.error');

export interface ErrorOptions {
  cause?: unknown;
  details?: JsonObject;
}

export class AgentkernelError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable facts (step id, attempts, position…); always JSON. */
  readonly details: JsonObject;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  override get name(): string {
    return this.constructor.name;
  }

  toJSON(): SerializedError {
    return serializeError(this);
  }
}

export function isAgentkernelError(value: unknown): value is AgentkernelError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}

/** One problem found in a workflow (or agent, or runtime.yaml) file, tied to its position. */
export interface Diagnostic {
  /** Stable, specific code such as `UNKNOWN_KEY` or `UNKNOWN_STEP_REF`; tests assert on it. */
  code: string;
  severity: 'error' | 'warning';
  message: string;
  file: string;
  /** 1-based line and column of the offending YAML node. */
  line: number;
  col: number;
  /** The source line with a caret under the offending node. */
  excerpt: string;
  suggestion?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const hint = d.suggestion ? ` (did you mean '${d.suggestion}'?)` : '';
  return `${d.severity} ${d.code}: ${d.message}${hint}\n  at ${d.file}:${d.line}:${d.col}\n${d.excerpt}`;
}

/** A workflow file that cannot be loaded: carries every problem found, not just the first. */
export class DefinitionError extends AgentkernelError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[], options: ErrorOptions = {}) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0] ?? diagnostics[0];
    const head = first
      ? `${errors.length} problem${errors.length === 1 ? '' : 's'} in ${first.file}`
      : 'invalid workflow definition';
    super('AR-WORKFLOW-VALIDATION', `${head}\n${diagnostics.map(formatDiagnostic).join('\n')}`, {
      ...options,
      details: { ...options.details, diagnostics: diagnostics as unknown as JsonValue },
    });
    this.diagnostics = diagnostics;
  }
}

/** A step failed after its retries; `cause` is the last attempt's error. */
export class StepError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? 'AR-STEP-EXECUTION', message, options);
  }
}

export class StepTimeoutError extends AgentkernelError {
  constructor(stepId: string, timeoutMs: number) {
    super('AR-STEP-TIMEOUT', `Step '${stepId}' timed out after ${timeoutMs}ms`, {
      details: { stepId, timeoutMs },
    });
  }
}

export class ToolNotFoundError extends AgentkernelError {
  constructor(tool: string, known: string[]) {
    super(
      'AR-TOOL-NOT-FOUND',
      `Tool not found: ${tool} (registered: ${known.join(', ') || 'none'})`,
      {
        details: { tool },
      },
    );
  }
}

export class FunctionResolutionError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-FUNCTION-RESOLUTION', message, options);
  }
}

export class BranchResolutionError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-BRANCH-RESOLUTION', message, options);
  }
}

export class OutputContractError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-OUTPUT-CONTRACT', message, options);
  }
}

export class InputValidationError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-INPUT-VALIDATION', message, options);
  }
}

export class LatencyBudgetError extends AgentkernelError {
  constructor(budgetMs: number, elapsedMs: number, nextStep: string) {
    super(
      'AR-LATENCY-BUDGET',
      `Latency budget of ${budgetMs}ms exceeded after ${Math.round(elapsedMs)}ms, before step '${nextStep}'`,
      { details: { budgetMs, elapsedMs, nextStep } },
    );
  }
}

export class NoProviderError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-NO-PROVIDER', message, options);
  }
}

/** The run (or a step) was cancelled through its AbortSignal; the run stays resumable. */
export class CancelledError extends AgentkernelError {
  constructor(message = 'Run cancelled', options: ErrorOptions = {}) {
    super('AR-CANCELLED', message, options);
  }
}

export class RunNotFoundError extends AgentkernelError {
  constructor(runId: string) {
    super('AR-RUN-NOT-FOUND', `Run not found: ${runId}`, { details: { runId } });
  }
}

export class RunAlreadyCompletedError extends AgentkernelError {
  constructor(runId: string, status: string) {
    super(
      'AR-RUN-COMPLETED',
      `Run ${runId} already finished with status ${status}; nothing to resume`,
      {
        details: { runId, status },
      },
    );
  }
}

/** A RUNNING run whose owner process is still alive: resuming it would run it twice. */
export class RunActiveError extends AgentkernelError {
  /** `message` (optional, added for exclusive resume) replaces the default wording. */
  constructor(runId: string, owner: { pid: number; hostname: string } | null, message?: string) {
    super(
      'AR-RUN-ACTIVE',
      message ??
        (owner
          ? `Run ${runId} is still running in process ${owner.pid} on ${owner.hostname}; cancel it or wait for it to end before resuming`
          : `Run ${runId} is being resumed by another caller; wait for it to end before resuming`),
      { details: owner ? { runId, pid: owner.pid, hostname: owner.hostname } : { runId } },
    );
  }
}

/** An `input` step cannot ask anyone (batch run, no TTY, no onInput) and has no default answer. */
export class InputRequiredError extends AgentkernelError {
  constructor(stepId: string, prompt: string) {
    super(
      'AR-INPUT-REQUIRED',
      `Step '${stepId}' needs an answer from a person ("${prompt}") but this run cannot ask: it has no interactive input (batch mode, no TTY, no onInput handler). Run it interactively (a terminal, or a notebook), pass onInput to runWorkflow, or give the step a default: answer`,
      { details: { stepId, prompt } },
    );
  }
}

export class WorkflowIntegrityError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-WORKFLOW-INTEGRITY', message, options);
  }
}

export class ReplayError extends AgentkernelError {
  constructor(
    code: 'AR-REPLAY-DATA-MISSING' | 'AR-REPLAY-MISMATCH',
    message: string,
    options: ErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

export class ConfigError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-CONFIG-VALIDATION', message, options);
  }
}

export class StoreError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-STORAGE', message, options);
  }
}

/**
 * An LLM provider answered with an error (or could not be reached). Carries the provider's own
 * message and the HTTP status (0 when no response arrived) so a user sees what the API said.
 */
export class ProviderError extends AgentkernelError {
  readonly provider: string;
  readonly status: number;
  /** Whether the request may succeed if sent again (429, 5xx, network failures). */
  readonly retryable: boolean;
  constructor(
    provider: string,
    status: number,
    message: string,
    options: ErrorOptions & { retryable?: boolean } = {},
  ) {
    super('AR-PROVIDER', message, {
      ...options,
      details: { ...options.details, provider, status },
    });
    this.provider = provider;
    this.status = status;
    this.retryable = options.retryable ?? (status === 429 || status >= 500 || status === 0);
  }
}

/** A per-run LLM limit (requests, tokens, cost) from runtime.yaml was reached. */
export class LlmLimitError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-LLM-LIMIT', message, options);
  }
}

/** A built-in tool refused a request (path outside its root, private address, command not allowed…). */
export class ToolDeniedError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-TOOL-DENIED', message, options);
  }
}

export class SyncBridgeError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-SYNC-BRIDGE', message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Serialisation across threads, processes and the run store.

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  details?: JsonObject;
  cause?: SerializedError;
  /** Own enumerable JSON-safe properties of a user error (e.g. `statusCode`). */
  props?: JsonObject;
}

/** An AgentkernelError subclass, whatever its constructor's parameters. */
export type AgentkernelErrorClass = abstract new (...args: never[]) => AgentkernelError;

const errorClasses = new Map<string, AgentkernelErrorClass>();

/**
 * Makes `deserializeError` rebuild `Cls` (by its class name) as its own class. Every class in this
 * file is registered; a module that defines its own AgentkernelError subclass registers it too so
 * it survives a thread or process boundary. The constructor is NOT called on rebuild (its
 * parameters differ per class), so a class must keep its state in own enumerable JSON-safe
 * properties or in `details`.
 */
export function registerErrorClass(Cls: AgentkernelErrorClass): void {
  errorClasses.set(Cls.name, Cls);
}

[
  AgentkernelError,
  DefinitionError,
  StepError,
  StepTimeoutError,
  ToolNotFoundError,
  FunctionResolutionError,
  BranchResolutionError,
  OutputContractError,
  InputValidationError,
  LatencyBudgetError,
  NoProviderError,
  CancelledError,
  RunNotFoundError,
  RunAlreadyCompletedError,
  WorkflowIntegrityError,
  InputRequiredError,
  ReplayError,
  ConfigError,
  StoreError,
  SyncBridgeError,
  ProviderError,
  LlmLimitError,
  ToolDeniedError,
].forEach(registerErrorClass);

/** The language's own error classes come back as themselves (a TypeError stays a TypeError). */
const STANDARD_ERRORS = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
} as const;

/** JSON-safe (and therefore structured-clone-safe) values only, bounded in depth. */
function isJsonSafe(value: unknown, depth = 0): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth > 16 || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.every((v) => isJsonSafe(v, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => isJsonSafe(v, depth + 1));
}

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (
    !(error instanceof Error) &&
    !(typeof error === 'object' && error !== null && 'message' in error)
  ) {
    return { name: 'Error', message: String(error) };
  }
  const e = error as Error & { code?: unknown; details?: unknown; cause?: unknown };
  const out: SerializedError = { name: e.name || 'Error', message: String(e.message) };
  if (typeof e.code === 'string') out.code = e.code;
  if (typeof e.stack === 'string') out.stack = e.stack;
  if (isAgentkernelError(e)) out.details = e.details;
  const props: JsonObject = {};
  for (const key of Object.keys(e)) {
    if (key === 'code' || key === 'details' || key === 'cause') continue;
    const value = (e as unknown as Record<string, unknown>)[key];
    if (isJsonSafe(value)) props[key] = value;
  }
  if (Object.keys(props).length > 0) out.props = props;
  if (e.cause !== undefined && depth < 8) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/**
 * Rebuilds an error from its serialised form. Runtime errors come back as their own class (so
 * `instanceof`, `isAgentkernelError` and `code` checks work) with the original message, stack,
 * details and class-specific properties (e.g. `DefinitionError#diagnostics`); other errors come
 * back as `Error` with the original `name`, message, stack, extra properties and cause chain.
 */
export function deserializeError(s: SerializedError): Error {
  const cause = s.cause ? deserializeError(s.cause) : undefined;
  let error: Error;
  const Cls = errorClasses.get(s.name);
  if (Cls !== undefined || (s.code !== undefined && s.code.startsWith('AR-'))) {
    // Reflect.construct(Error, …, Cls) makes a real Error object (own stack, proper inspect) whose
    // prototype is Cls.prototype, without calling Cls's constructor, whose parameters vary by class.
    const target = Cls ?? AgentkernelError;
    error = Reflect.construct(Error, [s.message], target) as AgentkernelError;
    Object.defineProperty(error, BRAND, { value: true, enumerable: false });
    Object.assign(error, { code: s.code ?? 'AR-UNEXPECTED', details: s.details ?? {} });
    if (Cls === undefined)
      Object.defineProperty(error, 'name', { value: s.name, configurable: true });
  } else if (Object.hasOwn(STANDARD_ERRORS, s.name)) {
    error = new STANDARD_ERRORS[s.name as keyof typeof STANDARD_ERRORS](s.message);
    if (s.code !== undefined) (error as Error & { code?: string }).code = s.code;
  } else {
    error = new Error(s.message);
    Object.defineProperty(error, 'name', { value: s.name, configurable: true, writable: true });
    if (s.code !== undefined) (error as Error & { code?: string }).code = s.code;
  }
  if (s.props) Object.assign(error, s.props);
  if (s.stack !== undefined) {
    Object.defineProperty(error, 'stack', { value: s.stack, configurable: true, writable: true });
  }
  if (cause !== undefined) {
    Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  }
  return error;
}

export function assertNever(value: never, what = 'value'): never {
  throw new AgentkernelError('AR-UNEXPECTED', `Unexpected ${what}: ${JSON.stringify(value)}`);
}
