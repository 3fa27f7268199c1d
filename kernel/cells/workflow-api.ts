/**
 * The runtime's run functions as notebook cells see them (`import { runWorkflow } from
 * "agentkernel"`, and the ready globals `runWorkflow`, `runWorkflowSync`, `resumeRun`,
 * `resumeRunSync`): the same functions, plus the live progress display `%workflow` shows, on by
 * default in the kernel (`display: false` turns it off; `display: true` is accepted for symmetry
 * with code written for other hosts).
 *
 * The display belongs to the cell that STARTED the run: its sink is taken when the call is made,
 * so a run started without `await` keeps updating that cell's display after the cell has ended,
 * while other cells run (its events fire in the run's async context, which descends from the
 * cell's anyway; capturing the sink makes it explicit).
 *
 * An awaited run stops with its cell: without a `signal` of its own, `runWorkflow`/`resumeRun` use
 * the cell's (interrupt → the run ends CANCELLED, resumable). A run left running after its cell
 * ended is not stopped by interrupting a later cell; pass a signal to control it.
 *
 * `runWorkflowSync` blocks this thread until the run ends; its events are delivered
 * synchronously by the sync bridge between waits, the view renders each one at once (no timer can
 * fire while blocked) and IOPub is sent by the socket worker, so progress and printed output
 * appear live while the cell is blocked. Interrupting the kernel raises SIGINT, which the bridge
 * turns into a CANCELLED run and a CancelledError in the cell.
 */
import { randomUUID } from 'node:crypto';
import type * as Runtime from '../../runtime/index.js';
import { RunProgressView } from '../output/run-renderer.js';
import { currentSink, whileBlocking } from '../output/sink.js';

/** The part of the runtime this module wraps. */
export type RunFunctions = Pick<
  typeof Runtime,
  'runWorkflow' | 'resumeRun' | 'runWorkflowSync' | 'resumeRunSync'
>;

/** What the kernel adds to every run function's options. */
export interface NotebookDisplayOption {
  /** Show the live progress display in the cell (default: true inside a cell). */
  display?: boolean;
}

type Listener = Runtime.RunEventListener;

/** The wrapped functions, typed like the runtime's with `display` added to their options. */
export interface NotebookRunFunctions {
  runWorkflow(
    workflow: string,
    options?: Runtime.RunOptions & NotebookDisplayOption,
  ): Promise<Runtime.RunResult>;
  resumeRun(
    runId: string,
    options: Runtime.ResumeRunOptions & { onEvent?: Listener } & NotebookDisplayOption,
  ): Promise<Runtime.RunResult>;
  runWorkflowSync<R = Runtime.RunResult>(
    workflow: string,
    options?: Runtime.SyncRunOptions & NotebookDisplayOption,
  ): R;
  resumeRunSync<R = Runtime.RunResult>(
    runId: string,
    options?: Runtime.SyncRunOptions & NotebookDisplayOption,
  ): R;
}

/** A progress view for the current cell, or undefined (display off, or no cell to show it in). */
function progressView(
  display: boolean | undefined,
  blocking: boolean,
): RunProgressView | undefined {
  if (display === false) return undefined;
  const sink = currentSink();
  if (!sink) return undefined;
  const view = new RunProgressView(sink, {
    displayId: `agentkernel-run-${randomUUID()}`,
    ...(blocking ? { blocking: true } : {}),
  });
  view.show();
  return view;
}

/** The caller's own listener after the view's, so both see every event. */
function withView(
  view: RunProgressView | undefined,
  own: Listener | undefined,
): Listener | undefined {
  if (!view) return own;
  if (!own) return view.onEvent;
  return (event) => {
    view.onEvent(event);
    own(event);
  };
}

/** `options` without `display` (the runtime's option objects have no such key) and with `onEvent`. */
function runtimeOptions<O extends { onEvent?: Listener; display?: boolean }>(
  options: O,
  onEvent: Listener | undefined,
): Omit<O, 'display'> {
  const { display: _display, onEvent: _own, ...rest } = options;
  return (onEvent ? { ...rest, onEvent } : rest) as Omit<O, 'display'>;
}

async function withAsyncView<
  O extends { onEvent?: Listener; display?: boolean; signal?: AbortSignal },
>(
  options: O,
  start: (options: Omit<O, 'display'>) => Promise<Runtime.RunResult>,
): Promise<Runtime.RunResult> {
  const view = progressView(options.display, false);
  const cellSignal = options.signal === undefined ? currentSink()?.signal : undefined;
  const withSignal = cellSignal ? { ...options, signal: cellSignal } : options;
  try {
    return await start(runtimeOptions(withSignal, withView(view, options.onEvent)));
  } finally {
    view?.finish();
  }
}

function withBlockingView<R, O extends { onEvent?: Listener; display?: boolean }>(
  options: O,
  start: (options: Omit<O, 'display'>) => R,
): R {
  const view = progressView(options.display, true);
  try {
    return whileBlocking(() => start(runtimeOptions(options, withView(view, options.onEvent))));
  } finally {
    view?.finish();
  }
}

export function notebookRunFunctions(runtime: RunFunctions): NotebookRunFunctions {
  return {
    runWorkflow: (workflow, options = {}) =>
      withAsyncView(options, (o) => runtime.runWorkflow(workflow, o)),
    resumeRun: (runId, options) => withAsyncView(options, (o) => runtime.resumeRun(runId, o)),
    runWorkflowSync: <R>(workflow: string, options = {}) =>
      withBlockingView(options, (o) => runtime.runWorkflowSync<R>(workflow, o)),
    resumeRunSync: <R>(runId: string, options = {}) =>
      withBlockingView(options, (o) => runtime.resumeRunSync<R>(runId, o)),
  };
}
