/**
 * The contract between the protocol layer (handlers/) and the TypeScript cell engine (cells/).
 * The cell engine never touches a socket: it gets an OutputSink through `outputContext` and
 * returns plain result objects; handlers turn them into Jupyter messages.
 */
import type { MimeBundle } from '../output/sink.js';

/** A variable set by something other than a cell's own code (a magic's `-o name`), with its type. */
export interface DeclaredVariable {
  name: string;
  /** A TypeScript type, e.g. `import("agentkernel").RunResult`. */
  type: string;
}

export type ExecuteOutcome = (
  | {
      status: 'ok';
      /** The value of the cell's last expression as a MIME bundle; undefined when there is none. */
      result?: { data: MimeBundle; metadata: Record<string, unknown> };
    }
  | { status: 'error'; ename: string; evalue: string; traceback: string[] }
) & {
  /** Variables this execution defined besides the cell's own declarations (magics). */
  declares?: DeclaredVariable[];
};

export interface CompletionResult {
  matches: string[];
  /** In Unicode code points, as Jupyter counts (protocol ≥ 5.2), not UTF-16 units. */
  cursorStart: number;
  /** In Unicode code points. */
  cursorEnd: number;
  metadata: Record<string, unknown>;
}

export interface InspectResult {
  found: boolean;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

export type IsCompleteResult =
  | { status: 'complete' }
  | { status: 'incomplete'; indent: string }
  | { status: 'invalid' }
  | { status: 'unknown' };

export interface ExecuteOptions {
  signal: AbortSignal;
  silent: boolean;
  /**
   * False when the client cannot interact with the kernel: the execute_request's `allow_stdin`
   * (nbconvert, nbclient, papermill send false). The engine then keeps everything the cell reports
   * (type warnings included) inside the cell, before the reply and `idle`, since a batch client
   * stops listening to a cell at its idle. Omitted = interactive.
   */
  interactive?: boolean;
}

export interface CellEngine {
  /**
   * Runs one cell. `signal` aborts it (interrupt): an awaiting cell rejects with an interrupt
   * error; a synchronous busy loop is stopped by SIGINT through vm's `breakOnSigint`.
   */
  execute(code: string, options: ExecuteOptions): Promise<ExecuteOutcome>;
  /** Evaluates an expression for `user_expressions`, without output or history. */
  evaluateExpression(expression: string): Promise<ExecuteOutcome>;
  /** `cursorPos` is Jupyter's `cursor_pos`: a Unicode code-point offset into `code`. */
  complete(code: string, cursorPos: number): Promise<CompletionResult>;
  /** `cursorPos` is a Unicode code-point offset into `code`. */
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult>;
  isComplete(code: string): IsCompleteResult;
  /**
   * Tells the type checker about variables defined outside cell code (a magic's `-o name`), so
   * later cells that use them get no "Cannot find name" warning.
   */
  declareVariables?(variables: DeclaredVariable[]): void;
  /**
   * Optional (added by J): releases what the engine holds (its type-checker worker thread) before
   * the kernel process exits.
   */
  dispose?(): Promise<void>;
}
