/**
 * The magics over recorded runs: `%runs` (recent runs), `%resume <run-id>` (continue a FAILED or
 * CANCELLED run, live), `%replay <run-id>` (rebuild a run from its records; nothing executes) and
 * `%inspect <run-id>` (the run visualization inline). A run id may be `latest` or a unique prefix.
 */
import {
  RunNotFoundError,
  StoreError,
  escapeHtml,
  formatReplaySummary,
  formatReplayedStep,
  loadRunViewInput,
  parseWorkflow,
  renderAscii,
  renderHtml,
  replayRun,
  resumeRun,
  type RunRecord,
  type RunStatus,
  type RunStore,
  type WorkflowDefinition,
} from '../../runtime/index.js';
import type { ExecuteOutcome } from '../cells/types.js';
import { MagicUsageError, type ParsedMagic } from './parse.js';
import { parseMagicArgs, textResult, type MagicContext, type MagicSpec } from './registry.js';
import { notebookInputHandler } from './input.js';
import { runLive } from './run-live.js';
import { findConfigDir, resolveStorePath } from './stores.js';
import { quoteArg } from './workflow.js';
import path from 'node:path';

const STORE_OPTION = { store: { type: 'string' } } as const;
const RUN_STATUSES: readonly RunStatus[] = [
  'RUNNING',
  'COMPLETED',
  'COMPLETED_WITH_ERRORS',
  'FAILED',
  'CANCELLED',
];
/** How far back a run-id prefix is looked up. */
const PREFIX_SEARCH_LIMIT = 1000;
const DEFAULT_RUNS_LIMIT = 20;

/** The store a read magic uses; a database that does not exist yet is an error, not a new file. */
export function openExistingStore(ctx: MagicContext, flag: string | undefined): RunStore {
  const file = resolveStorePath(ctx.cwd, flag);
  if (!ctx.stores.has(file)) {
    throw new StoreError(
      `No run store at ${file}; run a workflow first (%workflow), or pass --store <path>`,
    );
  }
  return ctx.stores.open(file, findConfigDir(ctx.cwd));
}

/** `latest`, a full run id, or a unique prefix of one. */
export async function findRun(store: RunStore, ref: string): Promise<RunRecord> {
  if (ref === 'latest') {
    const [run] = await store.listRuns({ limit: 1 });
    if (!run) throw new RunNotFoundError('latest (the store has no runs)');
    return run;
  }
  const exact = await store.getRun(ref);
  if (exact) return exact;
  const matches = (await store.listRuns({ limit: PREFIX_SEARCH_LIMIT })).filter((r) =>
    r.runId.startsWith(ref),
  );
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new MagicUsageError(
      `Run id prefix '${ref}' is ambiguous: ${matches
        .slice(0, 5)
        .map((r) => r.runId)
        .join(', ')}`,
    );
  }
  throw new RunNotFoundError(ref);
}

function oneRunArg(positionals: string[], usage: string): string {
  if (positionals.length !== 1)
    throw new MagicUsageError(
      `${positionals.length === 0 ? 'Which run?' : 'Expected one run id'}\n${usage}`,
    );
  return positionals[0]!;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

// ---- %runs ----

const RUNS_USAGE = 'Usage: %runs [-n N] [--status STATUS] [--workflow ID] [--store <path>]';

async function runsMagic(magic: ParsedMagic, ctx: MagicContext): Promise<ExecuteOutcome> {
  const { values, positionals } = parseMagicArgs(
    magic,
    {
      ...STORE_OPTION,
      limit: { type: 'string', short: 'n' },
      status: { type: 'string' },
      workflow: { type: 'string' },
    },
    RUNS_USAGE,
  );
  if (positionals.length > 0)
    throw new MagicUsageError(`Unexpected argument '${positionals[0]!}'\n${RUNS_USAGE}`);
  const limit = values.limit === undefined ? DEFAULT_RUNS_LIMIT : Number(values.limit);
  if (!Number.isInteger(limit) || limit <= 0)
    throw new MagicUsageError(`-n must be a positive integer, not '${values.limit}'`);
  const status = values.status?.toUpperCase();
  if (status !== undefined && !RUN_STATUSES.includes(status as RunStatus)) {
    throw new MagicUsageError(`--status must be one of ${RUN_STATUSES.join(', ')}`);
  }
  const store = openExistingStore(ctx, values.store);
  const runs = await store.listRuns({
    limit,
    ...(status !== undefined ? { status: status as RunStatus } : {}),
    ...(values.workflow !== undefined ? { workflowId: values.workflow } : {}),
  });
  if (runs.length === 0) return textResult('No runs recorded yet.');
  const header = ['run id', 'workflow', 'status', 'created', 'resumed', 'error'];
  const rows = runs.map((r) => [
    r.runId,
    `${r.workflowId}@${r.workflowVersion}`,
    r.status,
    r.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    String(r.resumeCount),
    r.error ? (r.error.code ?? r.error.name) : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .trimEnd();
  const text = [line(header), ...rows.map(line)].join('\n');
  const html = `<table><thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (row) =>
        `<tr>${row.map((c, i) => `<td>${i === 0 ? `<code>${escapeHtml(c)}</code>` : escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
  return textResult(text, html);
}

// ---- %resume ----

const RESUME_USAGE = 'Usage: %resume <run-id|latest> [--force] [-o <variable>] [--store <path>]';

async function resumeMagic(magic: ParsedMagic, ctx: MagicContext): Promise<ExecuteOutcome> {
  const { values, positionals } = parseMagicArgs(
    magic,
    { ...STORE_OPTION, force: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
    RESUME_USAGE,
  );
  const store = openExistingStore(ctx, values.store);
  const run = await findRun(store, oneRunArg(positionals, RESUME_USAGE));
  const projectDir = findConfigDir(ctx.cwd) ?? path.resolve(ctx.cwd);
  const earlierSteps = await store.getSteps(run.runId);
  return runLive(
    ctx,
    (onEvent, signal) =>
      resumeRun(run.runId, {
        store,
        signal,
        onEvent,
        onInput: notebookInputHandler(ctx.sink),
        cwd: ctx.cwd,
        // A run of a file finds its project from the file; an inline run uses the notebook's.
        ...(run.workflowFile === null ? { projectDir } : {}),
        ...(values.force ? { force: true } : {}),
      }),
    {
      earlierSteps,
      ...(values.output !== undefined ? { outputVariable: values.output } : {}),
      ...(values.store !== undefined ? { resumeArgs: `--store ${quoteArg(values.store)}` } : {}),
    },
  );
}

// ---- %replay ----

const REPLAY_USAGE = 'Usage: %replay <run-id|latest> [--until STEP] [--verify] [--store <path>]';

async function replayMagic(magic: ParsedMagic, ctx: MagicContext): Promise<ExecuteOutcome> {
  const { values, positionals } = parseMagicArgs(
    magic,
    { ...STORE_OPTION, until: { type: 'string' }, verify: { type: 'boolean' } },
    REPLAY_USAGE,
  );
  const store = openExistingStore(ctx, values.store);
  const run = await findRun(store, oneRunArg(positionals, REPLAY_USAGE));
  const result = await replayRun(store, run.runId, {
    verifyState: values.verify === true,
    ...(values.until !== undefined ? { untilStep: values.until } : {}),
  });
  const text = [
    `Replaying run ${run.runId} | workflow=${run.workflowId}@${run.workflowVersion} | status=${run.status}`,
    ...result.steps.map(formatReplayedStep),
    formatReplaySummary(result),
    `final state: ${JSON.stringify(result.finalState)}`,
  ].join('\n');
  return textResult(text, `<pre>${escapeHtml(text)}</pre>`);
}

// ---- %inspect ----

const INSPECT_USAGE = 'Usage: %inspect <run-id|latest> [--store <path>]';
const SCOPE_CLASS = 'agentkernel-inspect';

/** The run's own workflow text, parsed (adds skipped steps and branch rules); undefined if it no longer parses. */
function definitionOf(run: RunRecord): WorkflowDefinition | undefined {
  try {
    return parseWorkflow(run.workflowYaml, run.workflowFile ? { file: run.workflowFile } : {});
  } catch {
    return undefined;
  }
}

/**
 * renderHtml makes a standalone page; inline in a notebook its `body{…}`/`table{…}` rules would
 * restyle the whole notebook. Keep the page's body and scope every CSS rule under one class.
 */
export function scopeHtmlPage(page: string, scopeClass: string): string {
  const css = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
  const body = /<body>([\s\S]*)<\/body>/.exec(page)?.[1];
  if (body === undefined) return page;
  const scoped = css
    .split('}')
    .map((rule) => {
      const open = rule.indexOf('{');
      if (open < 0) return '';
      const selectors = rule
        .slice(0, open)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map((s) => (s === 'body' ? `.${scopeClass}` : `.${scopeClass} ${s}`))
        .join(',');
      return `${selectors}{${rule.slice(open + 1)}}`;
    })
    .join('\n');
  return `<div class="${scopeClass}"><style>${scoped}</style>${body}</div>`;
}

async function inspectMagic(magic: ParsedMagic, ctx: MagicContext): Promise<ExecuteOutcome> {
  const { values, positionals } = parseMagicArgs(magic, STORE_OPTION, INSPECT_USAGE);
  const store = openExistingStore(ctx, values.store);
  const run = await findRun(store, oneRunArg(positionals, INSPECT_USAGE));
  const input = await loadRunViewInput(store, run.runId, definitionOf(run));
  if (!input) throw new RunNotFoundError(run.runId);
  return textResult(renderAscii(input), scopeHtmlPage(renderHtml(input), SCOPE_CLASS));
}

const STORE_HELP =
  "  --store path   run store (default: db_path of the notebook's runtime.yaml, else ./runtime.db)";
const RUN_REF_HELP = 'A run id may be a full id, a unique prefix of one, or `latest`.';

export const runsSpec: MagicSpec = {
  name: 'runs',
  kinds: ['line'],
  summary: "table of recent runs in the notebook's run store",
  help: `${RUNS_USAGE}\n\nLists recent runs, newest first (default ${DEFAULT_RUNS_LIMIT}).\n  -n N           how many\n  --status S     only runs with status S (${RUN_STATUSES.join(', ')})\n  --workflow ID  only runs of workflow ID\n${STORE_HELP}`,
  run: runsMagic,
};

export const resumeSpec: MagicSpec = {
  name: 'resume',
  kinds: ['line'],
  summary: 'continue a FAILED or CANCELLED run from where it stopped, with live progress',
  help: `${RESUME_USAGE}\n\nContinues the run from its resume point; completed steps are not run again. ${RUN_REF_HELP}\n  --force        resume even though the workflow file changed since the run started\n  -o name        store the RunResult in the variable name\n${STORE_HELP}`,
  run: resumeMagic,
};

export const replaySpec: MagicSpec = {
  name: 'replay',
  kinds: ['line'],
  summary: 'rebuild a run step by step from its records (nothing is executed)',
  help: `${REPLAY_USAGE}\n\nPrints each recorded step execution with its state changes. ${RUN_REF_HELP}\n  --until STEP   stop after the last execution of STEP\n  --verify       check the recorded state chain is consistent\n${STORE_HELP}`,
  run: replayMagic,
};

export const inspectSpec: MagicSpec = {
  name: 'inspect',
  kinds: ['line'],
  summary: 'show a run as an inline visualization: graph, steps, state timeline',
  help: `${INSPECT_USAGE}\n\nShows the run's graph, step details and state timeline (HTML; text in terminals). ${RUN_REF_HELP}\n${STORE_HELP}`,
  run: inspectMagic,
};
