/**
 * The read-only CLI over the run store: `runs`, `inspect`, `replay`, `state-diff`, `visualize`.
 * None of them executes a step: they read records (replay rebuilds state from them), so they are
 * safe to point at the database of a run that is still going.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CONFIG_FILE, loadRuntimeConfig } from '../config.js';
import { parseWorkflow } from '../definition/load.js';
import type { WorkflowDefinition } from '../definition/types.js';
import { resumePoint } from '../engine/plan.js';
import {
  RunNotFoundError,
  StoreError,
  isAgentkernelError,
  type SerializedError,
} from '../errors.js';
import type { JsonValue } from '../json.js';
import type { ParseArgsConfig } from 'node:util';
import { runUsageTotals } from '../llm/usage.js';
import { formatReplaySummary, formatReplayedStep } from '../replay/format.js';
import { replayRun } from '../replay/replay.js';
import {
  RESUMABLE_RUN_STATUSES,
  type RunRecord,
  type RunStatus,
  type RunStore,
  type StepExecutionRecord,
} from '../store/run-store.js';
import { SqliteRunStore } from '../store/sqlite-store.js';
import { buildRunView, type RunViewInput } from '../visualize/model.js';
import { renderAscii } from '../visualize/ascii.js';
import { renderHtml } from '../visualize/html.js';
import { formatDiffEntry, formatTimelineEntry, renderTimeline } from '../visualize/timeline.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  parseCommandArgs as parse,
  reportUsageError,
} from './args.js';
import type { CliCommand, CliIO } from './command.js';

export const DEFAULT_DB_FILE = 'runtime.db';
const RUN_STATUSES: readonly RunStatus[] = [
  'RUNNING',
  'COMPLETED',
  'COMPLETED_WITH_ERRORS',
  'FAILED',
  'CANCELLED',
];
const DB_OPTION = { db: { type: 'string' } } as const;

/**
 * The database a command reads: `--db` (relative to the cwd), else the `db_path` of the project
 * holding the cwd (the nearest ancestor with a runtime.yaml; default `runtime.db` there), else
 * `runtime.db` in the cwd.
 */
export function resolveDbPath(
  io: Pick<CliIO, 'cwd'> & Partial<Pick<CliIO, 'env'>>,
  dbFlag: string | undefined,
): string {
  if (dbFlag !== undefined) return dbFlag === ':memory:' ? dbFlag : path.resolve(io.cwd, dbFlag);
  let dir = path.resolve(io.cwd);
  for (;;) {
    if (existsSync(path.join(dir, CONFIG_FILE))) {
      return loadRuntimeConfig(dir, io.env ? { env: io.env } : {}).dbPath;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(path.resolve(io.cwd), DEFAULT_DB_FILE);
    dir = parent;
  }
}

/** Opens an existing store; a missing file is an error here rather than a new empty database. */
function openExistingStore(file: string): SqliteRunStore {
  if (file !== ':memory:' && !existsSync(file)) {
    throw new StoreError(
      `No run store at ${file}; run a workflow first, or pass --db <path> to the database to read`,
      {
        details: { path: file },
      },
    );
  }
  return new SqliteRunStore(file);
}

/** Runs `body` with the store open, turning errors into messages and exit codes. */
async function withStore(
  command: CliCommand,
  io: CliIO,
  dbFlag: string | undefined,
  body: (store: RunStore) => Promise<number>,
): Promise<number> {
  let store: SqliteRunStore | undefined;
  try {
    store = openExistingStore(resolveDbPath(io, dbFlag));
    return await body(store);
  } catch (e) {
    return reportError(command, io, e);
  } finally {
    await store?.close();
  }
}

function reportError(command: CliCommand, io: CliIO, e: unknown): number {
  if (e instanceof UsageError) return reportUsageError(command, io, e);
  const code = isAgentkernelError(e) ? `${e.code} ` : '';
  io.stderr(`Error: ${code}${e instanceof Error ? e.message : String(e)}\n`);
  return EXIT_FAILURE;
}

/** `latest` is the newest run in the store. */
async function findRun(store: RunStore, runRef: string): Promise<RunRecord> {
  if (runRef === 'latest') {
    const [latest] = await store.listRuns({ limit: 1 });
    if (!latest) throw new StoreError('The run store holds no runs yet, so there is no latest run');
    return latest;
  }
  const run = await store.getRun(runRef);
  if (!run) throw new RunNotFoundError(runRef);
  return run;
}

/**
 * The frame of a command that takes one `<run-id|latest>` and options: parse (a mistake prints
 * the usage), open the store, find the run, then `body`.
 */
async function withRunArg<T extends NonNullable<ParseArgsConfig['options']> & typeof DB_OPTION>(
  command: CliCommand,
  io: CliIO,
  args: string[],
  options: T,
  body: (
    values: ReturnType<typeof parse<T>>['values'],
    store: RunStore,
    run: RunRecord,
  ) => Promise<number>,
): Promise<number> {
  let parsed: ReturnType<typeof parse<T>>;
  let runRef: string;
  try {
    parsed = parse(args, options);
    runRef = oneRunArg(parsed.positionals, '<run-id|latest>');
  } catch (e) {
    return reportError(command, io, e);
  }
  const { values } = parsed;
  // T includes DB_OPTION, but TypeScript cannot see `db` through the generic parse result.
  const db = (values as { db?: string }).db;
  return withStore(command, io, db, async (store) =>
    body(values, store, await findRun(store, runRef)),
  );
}

function oneRunArg(positionals: string[], what = '<run-id>'): string {
  const [runRef, ...rest] = positionals;
  if (runRef === undefined) throw new UsageError(`missing ${what}`);
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  return runRef;
}

/** The run's own workflow text, parsed; null when it no longer parses (the view then has less detail). */
function definitionOf(run: RunRecord): WorkflowDefinition | undefined {
  try {
    return parseWorkflow(run.workflowYaml, run.workflowFile ? { file: run.workflowFile } : {});
  } catch {
    return undefined;
  }
}

async function viewInput(store: RunStore, run: RunRecord): Promise<RunViewInput> {
  const [steps, versions] = await Promise.all([
    store.getSteps(run.runId),
    store.getStateVersions(run.runId),
  ]);
  const definition = definitionOf(run);
  return definition ? { run, steps, versions, definition } : { run, steps, versions };
}

function compact(value: JsonValue, max = 120): string {
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function errorLine(e: SerializedError): string {
  return `${e.code ? `${e.code} ` : ''}${e.message}`;
}

const STATUS_ICONS: Record<RunStatus, string> = {
  COMPLETED: '✓',
  COMPLETED_WITH_ERRORS: '!',
  FAILED: '✗',
  CANCELLED: '⊘',
  RUNNING: '⧗',
};

// ---------------------------------------------------------------------------------------------

const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'List recorded runs, newest first',
  usage: `Usage: agentkernel runs [--workflow ID] [--status STATUS] [--limit N] [--db PATH]

  --workflow ID    only runs of this workflow id
  --status STATUS  only runs with this status (${RUN_STATUSES.join(', ')})
  --limit N        at most N runs (default 20)
  --db PATH        run store file (default: runtime.db in the project)`,
  async run(args, io) {
    let values;
    try {
      ({ values } = parse(args, {
        ...DB_OPTION,
        workflow: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string' },
      }));
      if (values.status !== undefined && !RUN_STATUSES.includes(values.status as RunStatus)) {
        throw new UsageError(
          `unknown status '${values.status}' (one of ${RUN_STATUSES.join(', ')})`,
        );
      }
      if (values.limit !== undefined && !/^\d+$/.test(values.limit))
        throw new UsageError(`--limit must be a whole number, got '${values.limit}'`);
    } catch (e) {
      return reportError(this, io, e);
    }
    const filter = {
      ...(values.workflow !== undefined ? { workflowId: values.workflow } : {}),
      ...(values.status !== undefined ? { status: values.status as RunStatus } : {}),
      ...(values.limit !== undefined ? { limit: Number(values.limit) } : {}),
    };
    return withStore(this, io, values.db, async (store) => {
      const runs = await store.listRuns(filter);
      if (runs.length === 0) {
        io.stdout('No runs found.\n');
        return EXIT_OK;
      }
      for (const run of runs) {
        const resumed = run.resumeCount > 0 ? ` resumed=${run.resumeCount}` : '';
        io.stdout(
          `${STATUS_ICONS[run.status]} ${run.runId}  ${run.workflowId}@${run.workflowVersion}  ${run.status}  ${run.createdAt}${resumed}\n`,
        );
      }
      return EXIT_OK;
    });
  },
};

const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'Show a run: status, steps, errors, resume point',
  usage: `Usage: agentkernel inspect <run-id|latest> [--steps] [--state-history] [--db PATH]

  --steps          full detail per step execution (input, output, errors)
  --state-history  the state change made by each step
  --db PATH        run store file (default: runtime.db in the project)`,
  async run(args, io) {
    const options = {
      ...DB_OPTION,
      steps: { type: 'boolean' },
      'state-history': { type: 'boolean' },
    } as const;
    return withRunArg(this, io, args, options, async (values, store, run) => {
      const input = await viewInput(store, run);
      const lines = [
        `Run ${run.runId} | workflow=${run.workflowId}@${run.workflowVersion} | status=${run.status}`,
      ];
      lines.push(
        `Created: ${run.createdAt}  Updated: ${run.updatedAt}${run.completedAt ? `  Completed: ${run.completedAt}` : ''}`,
      );
      if (run.resumeCount > 0)
        lines.push(`Resumed: ${run.resumeCount} time${run.resumeCount === 1 ? '' : 's'}`);
      if (run.owner && run.status === 'RUNNING')
        lines.push(`Owner: pid ${run.owner.pid} on ${run.owner.hostname}`);
      lines.push(`Inputs: ${compact(run.inputs)}`);
      // LLM usage and cost (added by G2): the run's `llm` totals, summed from the steps while
      // the run is still going (the executor writes them to the run metadata when it ends).
      const llm = llmUsageLine(run, input.steps);
      if (llm) lines.push(llm);
      if (run.error) lines.push(`Error: ${errorLine(run.error)}`);
      lines.push(
        '',
        `Steps (${input.steps.length} execution${input.steps.length === 1 ? '' : 's'}):`,
      );
      for (const step of input.steps) lines.push(...stepLines(step, values.steps === true));
      if (input.steps.length === 0) lines.push('  (none)');
      const point = describeResumePoint(run, input);
      if (point) lines.push('', point);
      if (values['state-history']) {
        lines.push('', 'State history:');
        for (const entry of buildRunView(input).stateTimeline)
          lines.push(formatTimelineEntry(entry, '  '));
      }
      io.stdout(`${lines.join('\n')}\n`);
      return EXIT_OK;
    });
  },
};

/** `LLM: 3 requests, 1200 tokens (in 1000, out 200), cost $0.0042`; null when no model was called. */
function llmUsageLine(run: RunRecord, steps: readonly StepExecutionRecord[]): string | null {
  const recorded = run.metadata.llm;
  const totals =
    typeof recorded === 'object' && recorded !== null && !Array.isArray(recorded)
      ? recorded
      : runUsageTotals(steps);
  const requests = typeof totals.requests === 'number' ? totals.requests : 0;
  if (requests === 0) return null;
  const usage = totals.usage;
  const tokens = (key: string): number => {
    if (typeof usage !== 'object' || usage === null || Array.isArray(usage)) return 0;
    const n = usage[key];
    return typeof n === 'number' ? n : 0;
  };
  const cost = typeof totals.cost_usd === 'number' ? totals.cost_usd : 0;
  return `LLM: ${requests} request${requests === 1 ? '' : 's'}, ${tokens('total_tokens')} tokens (in ${tokens('input_tokens')}, out ${tokens('output_tokens')}), cost $${cost}`;
}

function stepLines(step: StepExecutionRecord, full: boolean): string[] {
  const duration = step.status === 'RUNNING' ? '' : ` ${Math.round(step.durationMs)}ms`;
  const lines = [
    `  [${step.executionIndex}] ${step.stepId} (${step.stepType}) ${step.status} attempts=${step.attempts}${duration}`,
  ];
  if (full) lines.push(`      input: ${JSON.stringify(step.input)}`);
  if (step.status === 'COMPLETED' || step.status === 'DEGRADED') {
    lines.push(`      output: ${full ? JSON.stringify(step.output) : compact(step.output)}`);
  }
  if (step.status === 'DEGRADED' || step.status === 'FAILED' || step.status === 'CANCELLED') {
    lines.push(`      error: ${errorLine(step.error)}`);
    if (full && step.error.stack)
      lines.push(...step.error.stack.split('\n').map((l) => `        ${l}`));
  } else if (step.lastError) {
    lines.push(`      last error: ${errorLine(step.lastError)}`);
  }
  if (full && Object.keys(step.metadata).length > 0)
    lines.push(`      metadata: ${JSON.stringify(step.metadata)}`);
  return lines;
}

/** "Resume point: step X" for runs `resume` would continue; null for finished runs. */
function describeResumePoint(run: RunRecord, input: RunViewInput): string | null {
  if (!RESUMABLE_RUN_STATUSES.includes(run.status)) return null;
  if (input.definition) {
    const point = resumePoint(input.definition, input.steps);
    return point.kind === 'step' ? `Resume point: step ${point.stepId}` : null;
  }
  // Without a parseable definition, the first execution that did not pass is the best guess.
  const stuck = input.steps.find((s) => s.status !== 'COMPLETED' && s.status !== 'DEGRADED');
  return stuck ? `Resume point: step ${stuck.stepId}` : null;
}

const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'Rebuild a run from its records without executing anything',
  usage: `Usage: agentkernel replay <run-id|latest> [--verify-state] [--until STEP] [--step-by-step] [--db PATH]

  --verify-state   prove the recorded state chain is consistent (AR-REPLAY-MISMATCH if not)
  --until STEP     stop after STEP (inclusive)
  --step-by-step   wait for Enter after each step
  --db PATH        run store file (default: runtime.db in the project)`,
  async run(args, io) {
    const options = {
      ...DB_OPTION,
      'verify-state': { type: 'boolean' },
      until: { type: 'string' },
      'step-by-step': { type: 'boolean' },
    } as const;
    return withRunArg(this, io, args, options, async (values, store, run) => {
      const waiter = values['step-by-step'] ? lineReader(io.stdin ?? process.stdin) : null;
      try {
        io.stdout(
          `Replaying run ${run.runId} | workflow=${run.workflowId}@${run.workflowVersion} | status=${run.status}\n`,
        );
        const result = await replayRun(store, run.runId, {
          verifyState: values['verify-state'] === true,
          ...(values.until !== undefined ? { untilStep: values.until } : {}),
          onStep: async (step) => {
            io.stdout(`${formatReplayedStep(step)}\n`);
            if (waiter) {
              io.stdout('-- press Enter for the next step --\n');
              await waiter.next();
            }
          },
        });
        io.stdout(`${formatReplaySummary(result)}\n`);
        return EXIT_OK;
      } finally {
        waiter?.close();
      }
    });
  },
};

/** Reads lines on demand; end of input counts as Enter so a closed stdin never hangs replay. */
function lineReader(stream: NodeJS.ReadableStream): {
  next: () => Promise<void>;
  close: () => void;
} {
  const rl = createInterface({ input: stream, terminal: false });
  const buffered: string[] = [];
  const waiting: Array<() => void> = [];
  let ended = false;
  rl.on('line', (line) => {
    const resolve = waiting.shift();
    if (resolve) resolve();
    else buffered.push(line);
  });
  rl.on('close', () => {
    ended = true;
    for (const resolve of waiting.splice(0)) resolve();
  });
  return {
    next: () =>
      new Promise<void>((resolve) => {
        if (buffered.shift() !== undefined || ended) resolve();
        else waiting.push(resolve);
      }),
    close: () => rl.close(),
  };
}

const stateDiffCommand: CliCommand = {
  name: 'state-diff',
  summary: 'Show the state change one step made',
  usage: `Usage: agentkernel state-diff <run-id|latest> <step> [--db PATH]

  Prints the difference between the state before and after the last execution of <step>:
  '+ path = value', '- path (was value)', '~ path: a -> b'.
  --db PATH        run store file (default: runtime.db in the project)`,
  async run(args, io) {
    let parsed;
    try {
      parsed = parse(args, { ...DB_OPTION, step: { type: 'string' } });
    } catch (e) {
      return reportError(this, io, e);
    }
    const { values, positionals } = parsed;
    const [runRef, positionalStep, extra] = positionals;
    const stepId = values.step ?? positionalStep;
    if (
      runRef === undefined ||
      stepId === undefined ||
      extra !== undefined ||
      (values.step !== undefined && positionalStep !== undefined)
    ) {
      return reportError(this, io, new UsageError('expected <run-id> and <step>'));
    }
    return withStore(this, io, values.db, async (store) => {
      const run = await findRun(store, runRef);
      const result = await replayRun(store, run.runId, { untilStep: stepId });
      const step = result.steps[result.steps.length - 1];
      if (!step) throw new StoreError(`Run ${run.runId} has no execution of step '${stepId}'`);
      io.stdout(
        `State diff of run ${run.runId} at [${step.executionIndex}] ${step.stepId} (${step.status})\n`,
      );
      if (step.diff.length === 0) io.stdout('(no state change)\n');
      for (const entry of step.diff) io.stdout(`${formatDiffEntry(entry)}\n`);
      return EXIT_OK;
    });
  },
};

const visualizeCommand: CliCommand = {
  name: 'visualize',
  summary: 'Draw a run: --ascii, --timeline, or a self-contained --html file',
  usage: `Usage: agentkernel visualize <run-id|latest> [--ascii | --timeline | --html [OUT.html]] [--db PATH]

  --ascii          execution graph, branch decisions, step and state timelines (default)
  --timeline       the state timeline only
  --html [OUT]     one self-contained HTML file (default .runs/<run-id>/visualization.html)
  --db PATH        run store file (default: runtime.db in the project)`,
  async run(args, io) {
    let parsed;
    let runRef: string;
    let htmlOut: string | null = null;
    try {
      // `--html` takes an optional value, which parseArgs cannot express: take it out first.
      const rest = [...args];
      const at = rest.indexOf('--html');
      if (at >= 0) {
        const next = rest[at + 1];
        const hasValue =
          next !== undefined && !next.startsWith('-') && next.toLowerCase().endsWith('.html');
        htmlOut = hasValue ? next : '';
        rest.splice(at, hasValue ? 2 : 1);
      }
      parsed = parse(rest, {
        ...DB_OPTION,
        ascii: { type: 'boolean' },
        timeline: { type: 'boolean' },
      });
      runRef = oneRunArg(parsed.positionals, '<run-id|latest>');
      const modes = [
        parsed.values.ascii === true,
        parsed.values.timeline === true,
        htmlOut !== null,
      ].filter(Boolean).length;
      if (modes > 1) throw new UsageError('choose one of --ascii, --timeline, --html');
    } catch (e) {
      return reportError(this, io, e);
    }
    const { values } = parsed;
    return withStore(this, io, values.db, async (store) => {
      const run = await findRun(store, runRef);
      const input = await viewInput(store, run);
      if (htmlOut !== null) {
        const dbFile = resolveDbPath(io, values.db);
        const baseDir = dbFile === ':memory:' ? io.cwd : path.dirname(dbFile);
        const out =
          htmlOut === ''
            ? path.join(baseDir, '.runs', run.runId, 'visualization.html')
            : path.resolve(io.cwd, htmlOut);
        await mkdir(path.dirname(out), { recursive: true });
        await writeFile(out, renderHtml(input));
        io.stdout(`Wrote ${out}\n`);
      } else if (values.timeline) {
        io.stdout(renderTimeline(input));
      } else {
        io.stdout(renderAscii(input));
      }
      return EXIT_OK;
    });
  },
};

export const storeCommands: CliCommand[] = [
  runsCommand,
  inspectCommand,
  replayCommand,
  stateDiffCommand,
  visualizeCommand,
];
