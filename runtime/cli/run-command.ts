/**
 * `agentkernel run <file|id[@version]> [-i key=value]… [--json] [--project DIR] [--db PATH]` and
 * `agentkernel resume <run-id> [--force]`. Runs are recorded in the project's SQLite store
 * (runtime.db, or --db) so `runs`, `inspect`, `replay` and `resume` can find them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { resumeRun, runWorkflow, type RunOptions } from '../api.js';
import { loadRuntimeConfig, secretValues } from '../config.js';
import type { RunEventListener } from '../engine/events.js';
import { findProjectDir } from '../engine/project.js';
import type { RunResult } from '../engine/result.js';
import { isAgentkernelError } from '../errors.js';
import { MemoryRunStore } from '../store/memory-store.js';
import type { InputHandler } from '../steps/input-step.js';
import type { RunStore } from '../store/run-store.js';
import { SqliteRunStore } from '../store/sqlite-store.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  parseCommandArgs as parse,
  reportUsageError,
} from './args.js';
import type { CliCommand, CliIO } from './command.js';
import { parseInputPairs } from './coerce.js';
import { resolveDbPath } from './store-commands.js';
import { createProgressPrinter } from './progress-printer.js';
import { terminalInputHandler } from './terminal-input.js';

/** `--db :memory:` keeps nothing; `--db PATH` is relative to the cwd; default runtime.yaml's db_path. */
function openStore(io: CliIO, projectDir: string, db: string | undefined): RunStore {
  const config = loadRuntimeConfig(projectDir, { env: io.env });
  const file =
    db !== undefined ? (db === ':memory:' ? db : path.resolve(io.cwd, db)) : config.dbPath;
  // API keys (llm.providers.*.api_key_env) and `secrets` values never reach the file (added by G).
  return file === ':memory:'
    ? new MemoryRunStore()
    : new SqliteRunStore(file, { redact: secretValues(config, io.env) });
}

/** Ctrl-C cancels the run cleanly (CANCELLED, resumable); a second Ctrl-C falls back to the default kill. */
function cancelOnSigint(controller: AbortController, io: CliIO): () => void {
  const onSigint = (): void => {
    io.stderr('\nInterrupted: cancelling the run (press Ctrl-C again to force quit)\n');
    process.removeListener('SIGINT', onSigint);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return () => process.removeListener('SIGINT', onSigint);
}

function printer(io: CliIO, json: boolean): RunEventListener {
  // With --json, stdout carries only the result document; progress goes to stderr.
  const write = json ? io.stderr : io.stdout;
  // Streamed agent tokens live on a terminal, one excerpt line per step elsewhere (G2).
  return createProgressPrinter(write, { tty: (json ? io.tty?.stderr : io.tty?.stdout) === true });
}

function report(io: CliIO, result: RunResult, json: boolean): number {
  if (json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    io.stdout(`Run ${result.runId} status: ${result.status}\n`);
    if (result.error) {
      io.stdout(`Error [${result.error.code ?? result.error.name}]: ${result.error.message}\n`);
      if (result.status === 'FAILED' || result.status === 'CANCELLED') {
        io.stdout(`Hint: fix the cause, then resume with: agentkernel resume ${result.runId}\n`);
      }
    }
  }
  return result.status === 'COMPLETED' ? EXIT_OK : EXIT_FAILURE;
}

function reportError(command: CliCommand, io: CliIO, e: unknown): number {
  if (e instanceof UsageError) return reportUsageError(command, io, e);
  if (isAgentkernelError(e)) {
    io.stderr(`Error [${e.code}]: ${e.message}\n`);
    return e.code === 'AR-INPUT-VALIDATION' ? EXIT_USAGE : EXIT_FAILURE;
  }
  io.stderr(`Error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT_FAILURE;
}

/** What `run` and `resume` hand to the shared frame once their arguments are read. */
interface PreparedRun {
  store: RunStore;
  json: boolean;
  start(call: Pick<RunOptions, 'signal' | 'onEvent' | 'onInput'>): Promise<RunResult>;
}

/**
 * The frame `run` and `resume` share: read the arguments and open the store (`prepare`), let
 * Ctrl-C cancel the run, print progress, ask input steps on the terminal, report, close the store.
 */
async function executeRun(
  command: CliCommand,
  io: CliIO,
  prepare: () => PreparedRun,
): Promise<number> {
  const controller = new AbortController();
  let store: RunStore | undefined;
  let release = (): void => undefined;
  try {
    const prepared = prepare();
    store = prepared.store;
    release = cancelOnSigint(controller, io);
    const result = await prepared.start({
      signal: controller.signal,
      onEvent: printer(io, prepared.json),
      ...withTerminalInput(io),
    });
    return report(io, result, prepared.json);
  } catch (e) {
    return reportError(command, io, e);
  } finally {
    release();
    await store?.close();
  }
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'Run a workflow file or a workflow id[@version] from the project',
  usage: [
    'Usage: agentkernel run <file.yaml | workflow_id[@vN]> [-i key=value]... [--json] [--project DIR] [--db PATH]',
    '',
    '  -i, --input key=value  a workflow input; values are coerced: true/false, numbers, JSON [..]/{..}, else text',
    '  --json                 print the RunResult as JSON on stdout (progress goes to stderr)',
    '  --project DIR          project directory (functions/, tools/, workflows/); default: found from the file',
    '  --db PATH              run store (SQLite); default <project>/runtime.db; ":memory:" keeps nothing',
    '',
    'Exit status: 0 when the run COMPLETED, 1 otherwise, 2 for usage or input errors.',
  ].join('\n'),
  async run(args, io) {
    return executeRun(this, io, () => {
      const { values, positionals } = parse(args, {
        input: { type: 'string', short: 'i', multiple: true },
        json: { type: 'boolean' },
        project: { type: 'string' },
        db: { type: 'string' },
      });
      if (positionals.length !== 1)
        throw new UsageError('expected exactly one workflow file or id');
      const target = positionals[0]!;
      const inputs = parseInputPairs((values.input as string[] | undefined) ?? []);
      const asFile = path.resolve(io.cwd, target);
      const projectDir =
        typeof values.project === 'string'
          ? path.resolve(io.cwd, values.project)
          : findProjectDir(existsSync(asFile) ? asFile : null, io.cwd);
      const store = openStore(io, projectDir, values.db as string | undefined);
      return {
        store,
        json: values.json === true,
        start: (call) =>
          runWorkflow(existsSync(asFile) ? asFile : target, {
            inputs,
            store,
            projectDir,
            cwd: io.cwd,
            ...call,
          }),
      };
    });
  },
};

/** `input` steps ask on the terminal when there is one (see terminal-input.ts). */
function withTerminalInput(io: CliIO): { onInput?: InputHandler } {
  const onInput = terminalInputHandler(io);
  return onInput ? { onInput } : {};
}

export const resumeCommand: CliCommand = {
  name: 'resume',
  summary: 'Resume a FAILED, CANCELLED or crashed run from where it stopped',
  usage: [
    'Usage: agentkernel resume <run-id> [--force] [--json] [--project DIR] [--db PATH]',
    '',
    '  --force        resume even though the workflow file changed since the run started',
    '  --db PATH      run store; default <project>/runtime.db',
  ].join('\n'),
  async run(args, io) {
    return executeRun(this, io, () => {
      const { values, positionals } = parse(args, {
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        project: { type: 'string' },
        db: { type: 'string' },
      });
      if (positionals.length !== 1) throw new UsageError('expected exactly one run id');
      const projectDir =
        typeof values.project === 'string' ? path.resolve(io.cwd, values.project) : undefined;
      const dbFile =
        projectDir !== undefined && values.db === undefined
          ? loadRuntimeConfig(projectDir, { env: io.env }).dbPath
          : resolveDbPath(io, values.db as string | undefined);
      if (dbFile !== ':memory:' && !existsSync(dbFile)) {
        throw new UsageError(
          `no run store at ${dbFile}; pass --db PATH to the database holding the run`,
        );
      }
      const store = new SqliteRunStore(dbFile);
      return {
        store,
        json: values.json === true,
        start: (call) =>
          resumeRun(positionals[0]!, {
            store,
            ...(projectDir !== undefined ? { projectDir } : {}),
            cwd: io.cwd,
            force: values.force === true,
            ...call,
          }),
      };
    });
  },
};
