/**
 * Live progress of one workflow run in a notebook: RunEvents → ONE display (display_data with a
 * display_id, then update_display_data in place), as HTML with a text/plain fallback that reads
 * well in a terminal (jupyter console) and in nbconvert's text outputs.
 *
 * Updates are throttled (leading + trailing edge): the first event and the run's end render at
 * once; anything in between renders at most once per `minIntervalMs`, so a burst of llm_token
 * events (one per streamed chunk) becomes one update, and the last state is always shown.
 */
import type {
  RunEvent,
  RunStatus,
  SerializedError,
  StepExecutionRecord,
  StepStatus,
} from '../../runtime/index.js';
import { escapeHtml } from '../../runtime/index.js';
import type { MimeBundle, OutputSink } from './sink.js';

/** A row of the step table: one step execution. RETRYING = waiting for its next attempt. */
export interface StepProgressRow {
  executionIndex: number;
  stepId: string;
  stepType: string;
  status: StepStatus | 'RETRYING';
  attempt: number;
  maxAttempts: number;
  durationMs: number | null;
  /** The latest `ctx.progress(...)` message. */
  message: string | null;
  /** Streamed model text so far (the tail, at most MAX_TOKEN_CHARS). */
  tokens: string;
  error: string | null;
  /** Recorded by an earlier session of a resumed run (shown for context, not run again). */
  earlier?: boolean;
}

export interface RunProgressModel {
  runId: string;
  workflow: string;
  /** 'STARTING' until run_start arrives. */
  status: RunStatus | 'STARTING';
  resumed: boolean;
  durationMs: number | null;
  error: string | null;
  rows: StepProgressRow[];
}

/** Timers the view throttles with; tests pass a manual clock so nothing depends on real time. */
export interface ProgressClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: ProgressClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** 10 updates a second: live to the eye, cheap for the IOPub channel and the frontend. */
export const DEFAULT_MIN_INTERVAL_MS = 100;
/** Streamed text kept per step: enough to follow an answer, bounded for long generations. */
const MAX_TOKEN_CHARS = 2000;
/** Streamed text shown in the text/plain view (one screen line or two). */
const TEXT_TOKEN_CHARS = 160;

export interface RunProgressOptions {
  displayId: string;
  minIntervalMs?: number;
  clock?: ProgressClock;
  /**
   * The listener's thread is blocked between events (`runWorkflowSync` in a cell: Atomics.wait),
   * so no timer can fire until the run is over. Then every event that changes a step or the run
   * renders at once; only streamed tokens and progress messages are throttled, and those held back
   * are shown by the next event or by finish().
   */
  blocking?: boolean;
}

/** Events that come in bursts and only refine a row (the ones throttled when blocking). */
const isBurstEvent = (event: RunEvent): boolean =>
  event.type === 'llm_token' || event.type === 'step_progress';

function errorText(e: SerializedError): string {
  return `${e.code ? `${e.code}: ` : ''}${e.message}`;
}

function assertNever(x: never): never {
  throw new Error(`unexpected run event ${JSON.stringify(x)}`);
}

export class RunProgressView {
  readonly model: RunProgressModel = {
    runId: '',
    workflow: '',
    status: 'STARTING',
    resumed: false,
    durationMs: null,
    error: null,
    rows: [],
  };
  /** How many display messages were sent (the first is display_data, later ones updates). */
  renders = 0;
  private dirty = false;
  private lastRenderAt = 0;
  private timer: unknown = undefined;
  private readonly minIntervalMs: number;
  private readonly clock: ProgressClock;

  constructor(
    private readonly sink: OutputSink,
    private readonly options: RunProgressOptions,
  ) {
    this.minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
    this.clock = options.clock ?? systemClock;
  }

  /** The listener to pass as `onEvent`; bound so it can be handed around. */
  readonly onEvent = (event: RunEvent): void => {
    this.apply(event);
    this.dirty = true;
    if (
      event.type === 'run_end' ||
      this.renders === 0 ||
      (this.options.blocking === true && !isBurstEvent(event))
    ) {
      this.render();
      return;
    }
    const wait = this.lastRenderAt + this.minIntervalMs - this.clock.now();
    if (wait <= 0) this.render();
    // A timer set while the thread is blocked would only fire after the run: finish() covers it.
    else if (this.timer === undefined && this.options.blocking !== true) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        if (this.dirty) this.render();
      }, wait);
    }
  };

  /**
   * Shows the step executions an earlier session of this run recorded (a resume), before its
   * first event, so the table tells the whole story: what ran before and what runs now.
   */
  seed(records: readonly StepExecutionRecord[]): void {
    for (const r of records) {
      this.model.rows.push({
        executionIndex: r.executionIndex,
        stepId: r.stepId,
        stepType: r.stepType,
        // A RUNNING record of an earlier session was cut short (crash): it did not finish.
        status: r.status === 'RUNNING' ? 'CANCELLED' : r.status,
        attempt: r.attempts,
        maxAttempts: r.attempts,
        durationMs: r.status === 'RUNNING' ? null : r.durationMs,
        message: null,
        tokens: '',
        error:
          r.status === 'FAILED' || r.status === 'CANCELLED' || r.status === 'DEGRADED'
            ? errorText(r.error)
            : null,
        earlier: true,
      });
    }
  }

  /**
   * Shows the display now, before the first event (still STARTING), unless it is already shown.
   * A run started from a plain cell may load its workflow after the cell has ended (no `await`);
   * showing the display at the call puts it in the cell before its idle, where batch clients
   * (nbconvert) still record it, and gives the later updates their place.
   */
  show(): void {
    if (this.renders === 0) this.render();
  }

  /** Shows the latest state now (if anything changed) and stops the trailing timer. */
  finish(): void {
    if (this.dirty) this.render();
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private render(): void {
    this.cancelTimer();
    this.dirty = false;
    this.lastRenderAt = this.clock.now();
    const update = this.renders > 0;
    this.renders += 1;
    this.sink.display(renderProgressBundle(this.model), {
      displayId: this.options.displayId,
      ...(update ? { update: true } : {}),
    });
  }

  private row(executionIndex: number): StepProgressRow | undefined {
    // Rows arrive in execution order, so the wanted one is almost always the last.
    for (let i = this.model.rows.length - 1; i >= 0; i--) {
      const row = this.model.rows[i]!;
      if (row.executionIndex === executionIndex) return row;
    }
    return undefined;
  }

  private apply(e: RunEvent): void {
    const m = this.model;
    switch (e.type) {
      case 'run_start':
        m.runId = e.runId;
        m.workflow = `${e.workflowId}@${e.workflowVersion}`;
        m.status = 'RUNNING';
        m.resumed = e.resumed;
        return;
      case 'step_start': {
        const existing = this.row(e.executionIndex);
        if (existing) {
          existing.status = 'RUNNING';
          existing.attempt = e.attempt;
          existing.maxAttempts = e.maxAttempts;
          return;
        }
        m.rows.push({
          executionIndex: e.executionIndex,
          stepId: e.stepId,
          stepType: e.stepType,
          status: 'RUNNING',
          attempt: e.attempt,
          maxAttempts: e.maxAttempts,
          durationMs: null,
          message: null,
          tokens: '',
          error: null,
        });
        return;
      }
      case 'step_retry': {
        const row = this.row(e.executionIndex);
        if (!row) return;
        row.status = 'RETRYING';
        row.attempt = e.attempt;
        row.error = `${errorText(e.error)} (attempt ${e.nextAttempt} in ${Math.round(e.delayMs)} ms)`;
        return;
      }
      case 'step_progress': {
        const row = this.row(e.executionIndex);
        if (row) row.message = e.message;
        return;
      }
      case 'llm_token': {
        const row = this.row(e.executionIndex);
        if (row) row.tokens = (row.tokens + e.text).slice(-MAX_TOKEN_CHARS);
        return;
      }
      case 'step_complete':
      case 'step_degraded':
      case 'step_error': {
        const row = this.row(e.executionIndex);
        if (!row) return;
        row.attempt = e.attempts;
        row.durationMs = e.durationMs;
        if (e.type === 'step_complete') {
          row.status = 'COMPLETED';
          row.error = null;
        } else {
          row.status =
            e.type === 'step_degraded'
              ? 'DEGRADED'
              : e.error.code === 'AR-CANCELLED'
                ? 'CANCELLED'
                : 'FAILED';
          row.error = errorText(e.error);
        }
        return;
      }
      case 'run_end':
        m.status = e.status;
        m.durationMs = e.durationMs;
        m.error = e.error ? errorText(e.error) : null;
        // A step still RUNNING when the run ended was cut short (interrupt).
        for (const row of m.rows)
          if (row.status === 'RUNNING' || row.status === 'RETRYING') row.status = 'CANCELLED';
        return;
      default:
        assertNever(e);
    }
  }
}

function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const STATUS_MARK: Record<StepProgressRow['status'], string> = {
  RUNNING: '…',
  RETRYING: '↻',
  COMPLETED: '✓',
  DEGRADED: '!',
  FAILED: '✗',
  CANCELLED: '■',
};

const STATUS_COLOR: Record<StepProgressRow['status'] | RunStatus | 'STARTING', string> = {
  STARTING: '#616161',
  RUNNING: '#1565c0',
  RETRYING: '#ef6c00',
  COMPLETED: '#2e7d32',
  COMPLETED_WITH_ERRORS: '#ef6c00',
  DEGRADED: '#ef6c00',
  FAILED: '#c62828',
  CANCELLED: '#6d4c41',
};

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A long run (a loop over hundreds of items) would make every update re-send a huge table: show
 * the newest rows and sum up the older ones in one line.
 */
export const MAX_VISIBLE_ROWS = 50;

function visibleRows(m: RunProgressModel): { hidden: string | null; rows: StepProgressRow[] } {
  if (m.rows.length <= MAX_VISIBLE_ROWS) return { hidden: null, rows: m.rows };
  const older = m.rows.slice(0, m.rows.length - MAX_VISIBLE_ROWS);
  const counts = new Map<string, number>();
  for (const r of older) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  return {
    hidden: `… ${older.length} earlier step executions (${summary})`,
    rows: m.rows.slice(-MAX_VISIBLE_ROWS),
  };
}

/** The terminal view: a header line and an aligned step table. */
export function renderProgressText(m: RunProgressModel): string {
  const head = `Run ${m.runId || '(starting)'} · ${m.workflow} · ${m.status}${m.resumed ? ' (resumed)' : ''}${m.durationMs !== null ? ` · ${formatDuration(m.durationMs)}` : ''}`;
  const header = ['step', 'type', 'status', 'attempt', 'duration'];
  const { hidden, rows } = visibleRows(m);
  const cells = rows.map((r) => [
    `${STATUS_MARK[r.status]} ${r.stepId}`,
    r.stepType,
    r.earlier ? `${r.status} (earlier)` : r.status,
    `${r.attempt}/${r.maxAttempts}`,
    formatDuration(r.durationMs),
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length + (i === 0 ? 2 : 0), ...cells.map((c) => c[i]!.length)),
  );
  const line = (c: string[]) =>
    c
      .map((x, i) => pad(x, widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [head, `  ${line(['  ' + header[0]!, ...header.slice(1)])}`];
  if (hidden) lines.push(`  ${hidden}`);
  rows.forEach((r, i) => {
    lines.push(`  ${line(cells[i]!)}`);
    if (r.message) lines.push(`      ${oneLine(r.message)}`);
    if (r.tokens) {
      const t = oneLine(r.tokens);
      lines.push(`      > ${t.length > TEXT_TOKEN_CHARS ? '…' + t.slice(-TEXT_TOKEN_CHARS) : t}`);
    }
    if (r.error) lines.push(`      ${oneLine(r.error)}`);
  });
  if (m.error && !m.rows.some((r) => r.error === m.error)) lines.push(`  error: ${m.error}`);
  return lines.join('\n');
}

function badge(status: string): string {
  const color = STATUS_COLOR[status as keyof typeof STATUS_COLOR] ?? '#616161';
  return `<span style="display:inline-block;padding:0 6px;border-radius:3px;color:#fff;background:${color};font-size:12px">${escapeHtml(status)}</span>`;
}

/** The rich view: same facts as the text, as a table with status badges and streamed text. */
export function renderProgressHtml(m: RunProgressModel): string {
  const td = 'style="border:1px solid #e0e0e0;padding:2px 8px;text-align:left;vertical-align:top"';
  const { hidden, rows: shown } = visibleRows(m);
  const rows = shown
    .map((r) => {
      const extra = [
        r.message ? `<div style="color:#555">${escapeHtml(r.message)}</div>` : '',
        r.tokens
          ? `<pre style="margin:2px 0;white-space:pre-wrap;max-height:12em;overflow:auto">${escapeHtml(r.tokens)}</pre>`
          : '',
        r.error ? `<div style="color:#c62828">${escapeHtml(r.error)}</div>` : '',
      ].join('');
      const rowStyle = r.earlier
        ? ' style="opacity:0.6" title="recorded by an earlier session of this run"'
        : '';
      return `<tr${rowStyle}><td ${td}><code>${escapeHtml(r.stepId)}</code>${extra}</td><td ${td}>${escapeHtml(r.stepType)}</td><td ${td}>${badge(r.status)}${r.earlier ? ' <i>earlier</i>' : ''}</td><td ${td}>${r.attempt}/${r.maxAttempts}</td><td ${td}>${formatDuration(r.durationMs)}</td></tr>`;
    })
    .join('');
  const th = 'style="border:1px solid #e0e0e0;padding:2px 8px;text-align:left;background:#f5f5f5"';
  return [
    `<div class="agentkernel-run" data-run-id="${escapeHtml(m.runId)}">`,
    `<div><b>${escapeHtml(m.workflow || 'workflow')}</b> · run <code>${escapeHtml(m.runId || '(starting)')}</code> · ${badge(m.status)}${m.resumed ? ' (resumed)' : ''}${m.durationMs !== null ? ` · ${formatDuration(m.durationMs)}` : ''}</div>`,
    `<table style="border-collapse:collapse;margin-top:4px"><thead><tr><th ${th}>step</th><th ${th}>type</th><th ${th}>status</th><th ${th}>attempt</th><th ${th}>duration</th></tr></thead><tbody>${hidden ? `<tr><td ${td} colspan="5"><i>${escapeHtml(hidden)}</i></td></tr>` : ''}${rows}</tbody></table>`,
    m.error && !m.rows.some((r) => r.error === m.error)
      ? `<div style="color:#c62828;margin-top:4px">${escapeHtml(m.error)}</div>`
      : '',
    '</div>',
  ].join('');
}

export function renderProgressBundle(m: RunProgressModel): MimeBundle {
  return { 'text/plain': renderProgressText(m), 'text/html': renderProgressHtml(m) };
}
