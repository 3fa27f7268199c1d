/**
 * Runs (or resumes) one workflow from a magic on the kernel's own event loop: a live progress
 * display for its events, the run's result as the cell's outcome, and `-o var` for later cells.
 * A FAILED or CANCELLED run ends the cell with an `error` output (ename = the error code) that
 * names the failing step and the exact line to resume with, so `nbconvert --execute` stops there.
 */
import { randomUUID } from 'node:crypto';
import type {
  JsonValue,
  RunEventListener,
  RunResult,
  StepExecutionRecord,
} from '../../runtime/index.js';
import { escapeHtml } from '../../runtime/index.js';
import type { ExecuteOutcome } from '../cells/types.js';
import { RunProgressView } from '../output/run-renderer.js';
import type { ErrorOutcome, MagicContext } from './registry.js';

export interface LiveRunOptions {
  /** `-o name`: the RunResult is stored there (also for failed runs, to inspect them). */
  outputVariable?: string;
  /** Extra words for the resume hint, e.g. `--store other.db`. */
  resumeArgs?: string;
  /** For a resume: what earlier sessions recorded, shown above this session's steps. */
  earlierSteps?: readonly StepExecutionRecord[];
}

/** Per-step output shown in the result view before it is cut. */
const MAX_OUTPUT_CHARS = 1200;

function shortJson(value: JsonValue, indent?: number): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  return text.length > MAX_OUTPUT_CHARS
    ? `${text.slice(0, MAX_OUTPUT_CHARS)}… (${text.length} chars)`
    : text;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** The step where the run stopped: its last FAILED or CANCELLED execution. */
export function stoppedStep(result: RunResult): StepExecutionRecord | undefined {
  for (let i = result.steps.length - 1; i >= 0; i--) {
    const s = result.steps[i]!;
    if (s.status === 'FAILED' || s.status === 'CANCELLED' || s.status === 'RUNNING') return s;
  }
  return undefined;
}

export function resumeLine(runId: string, resumeArgs?: string): string {
  return `%resume ${runId}${resumeArgs ? ` ${resumeArgs}` : ''}`;
}

/** A FAILED/CANCELLED run as the cell's error: code, step, cause and the resume line. */
export function failureOutcome(result: RunResult, resumeArgs?: string): ErrorOutcome {
  const step = stoppedStep(result);
  const cause = result.error?.message ?? 'no error recorded';
  const resume = resumeLine(result.runId, resumeArgs);
  const where = step ? ` at step '${step.stepId}'` : '';
  const cancelled = result.status === 'CANCELLED';
  const ename = result.error?.code ?? (cancelled ? 'AR-CANCELLED' : 'AR-STEP-EXECUTION');
  const evalue = cancelled
    ? `Run ${result.runId} was interrupted${where} (CANCELLED): ${cause}. Continue it with: ${resume}`
    : `Run ${result.runId} FAILED${where}: ${cause}. Fix the cause, then resume with: ${resume}`;
  return {
    status: 'error',
    ename,
    evalue,
    traceback: [
      `${ename}: run ${result.runId} (${result.workflowId}@${result.workflowVersion}) ${result.status}${where}`,
      `  ${cause}`,
      `Resume with: ${resume}`,
    ],
  };
}

/** The execute_result of a finished run: status line and each step's output. */
export function resultBundle(result: RunResult): {
  data: Record<string, string>;
  metadata: Record<string, unknown>;
} {
  const head = `Run ${result.runId} · ${result.workflowId}@${result.workflowVersion} · ${result.status} · ${formatMs(result.durationMs)}`;
  const entries = Object.entries(result.outputs);
  const text = [
    head,
    ...(entries.length ? ['outputs:'] : []),
    ...entries.map(([id, out]) => `  ${id}: ${shortJson(out)}`),
  ];
  if (result.error)
    text.push(`error: ${result.error.code ?? result.error.name}: ${result.error.message}`);
  const rows = entries
    .map(
      ([id, out]) =>
        `<tr><td style="vertical-align:top"><code>${escapeHtml(id)}</code></td><td><pre style="margin:0;white-space:pre-wrap">${escapeHtml(shortJson(out, 2))}</pre></td></tr>`,
    )
    .join('');
  const html = [
    `<div class="agentkernel-result"><b>${escapeHtml(result.workflowId)}@${escapeHtml(result.workflowVersion)}</b> · run <code>${escapeHtml(result.runId)}</code> · <b>${escapeHtml(result.status)}</b> · ${formatMs(result.durationMs)}`,
    rows
      ? `<table style="margin-top:4px"><thead><tr><th>step</th><th>output</th></tr></thead><tbody>${rows}</tbody></table>`
      : '',
    result.error
      ? `<div style="color:#c62828">${escapeHtml(`${result.error.code ?? result.error.name}: ${result.error.message}`)}</div>`
      : '',
    '</div>',
  ].join('');
  return { data: { 'text/plain': text.join('\n'), 'text/html': html }, metadata: {} };
}

/**
 * Starts the run through `start` with a progress listener and the cell's signal, then turns its
 * RunResult into the cell's outcome. Errors thrown before the run starts (broken YAML, bad inputs)
 * propagate to the registry, which reports them with their code.
 */
/** The type of an `-o name` variable, as the cell type checker sees it. */
const RUN_RESULT_TYPE = 'import("agentkernel").RunResult';

export async function runLive(
  ctx: MagicContext,
  start: (onEvent: RunEventListener, signal: AbortSignal) => Promise<RunResult>,
  options: LiveRunOptions = {},
): Promise<ExecuteOutcome> {
  const view = new RunProgressView(ctx.sink, { displayId: `agentkernel-run-${randomUUID()}` });
  if (options.earlierSteps) view.seed(options.earlierSteps);
  let result: RunResult;
  try {
    result = await start(view.onEvent, ctx.signal);
  } finally {
    view.finish();
  }
  const outcome: ExecuteOutcome =
    result.status === 'FAILED' || result.status === 'CANCELLED'
      ? failureOutcome(result, options.resumeArgs)
      : { status: 'ok', result: resultBundle(result) };
  if (options.outputVariable !== undefined) {
    ctx.variables.set(options.outputVariable, result);
    outcome.declares = [{ name: options.outputVariable, type: RUN_RESULT_TYPE }];
  }
  return outcome;
}
