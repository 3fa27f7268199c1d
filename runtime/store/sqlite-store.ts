/**
 * The durable RunStore on SQLite (better-sqlite3). Every RunStore method is one transaction, so a
 * process killed at any instant (even `kill -9` in the middle of a write) leaves either the old or
 * the new record, never half of one; resume starts from there. Statements are prepared once.
 */
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import {
  RunNotFoundError,
  StoreError,
  assertNever,
  isAgentkernelError,
  type SerializedError,
} from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import { migrate } from './migrations.js';
import { makeRedactor, type Redactor } from './redact.js';
import type {
  FinishedStepRecord,
  RunClaim,
  RunFilter,
  RunOwner,
  RunRecord,
  RunStatus,
  RunStore,
  RunUpdate,
  RunningStepRecord,
  StateChange,
  StateVersion,
  StepExecutionRecord,
  StepStatus,
} from './run-store.js';
import { DEFAULT_RUN_LIST_LIMIT, applyRunUpdate, claimMatches } from './run-update.js';

export interface SqliteRunStoreOptions {
  /** Secret values replaced by `***` in every string before it is written. */
  redact?: readonly string[];
  /** How long a write waits for another process's lock before failing; default 5000 ms. */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

interface RunRow {
  id: string;
  status: string;
  workflow_id: string;
  workflow_version: string;
  workflow_hash: string;
  workflow_yaml: string;
  workflow_file: string | null;
  workflow_steps_json: string;
  inputs_json: string;
  input_hash: string;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  error_json: string | null;
  owner_json: string | null;
  resume_count: number;
  metadata_json: string;
}

interface StepRow {
  run_id: string;
  execution_index: number;
  step_id: string;
  type: string;
  status: string;
  input_json: string;
  output_json: string | null;
  error_json: string | null;
  last_error_json: string | null;
  attempts: number;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  next_step_resolved: string | null;
  metadata_json: string;
}

interface StateVersionRow {
  run_id: string;
  version: number;
  execution_index: number | null;
  step_id: string | null;
  changes_json: string;
  created_at: string;
}

const RUN_COLUMNS = `id, status, workflow_id, workflow_version, workflow_hash, workflow_yaml, workflow_file,
  workflow_steps_json, inputs_json, input_hash, created_at, updated_at, completed_at, error_json, owner_json,
  resume_count, metadata_json`;
const STEP_COLUMNS = `run_id, execution_index, step_id, type, status, input_json, output_json, error_json,
  last_error_json, attempts, started_at, finished_at, duration_ms, next_step_resolved, metadata_json`;

let databaseClass: typeof Database | undefined;

/**
 * better-sqlite3 (a native addon) is loaded when the first store is opened, not when the runtime
 * is imported: most runs of the API and the sync bridge's worker use the memory store. It is
 * CommonJS, so `require` loads it synchronously and the constructor stays synchronous.
 */
function openDatabaseClass(): typeof Database {
  databaseClass ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return databaseClass;
}

export class SqliteRunStore implements RunStore {
  /** The file this store writes (or `:memory:`), for messages. */
  readonly path: string;
  readonly #db: Database.Database;
  readonly #redact: Redactor | null;
  readonly #stmt: ReturnType<SqliteRunStore['prepareStatements']>;
  #closed = false;

  constructor(path: string, options: SqliteRunStoreOptions = {}) {
    this.path = path;
    this.#redact = makeRedactor(options.redact ?? []);
    try {
      this.#db = new (openDatabaseClass())(path);
    } catch (e) {
      throw this.#wrap(e, 'open');
    }
    try {
      // WAL lets readers (inspect, replay, the notebook) run while a run writes.
      this.#db.pragma('journal_mode = WAL');
      // WAL + synchronous=NORMAL is durable against process crashes (a committed transaction is in
      // the WAL file before COMMIT returns; only an OS crash or power loss can lose the last few),
      // which is the failure `kill -9` tests. FULL would add power-loss durability at roughly 10x
      // the per-commit cost, i.e. per step.
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('foreign_keys = ON');
      this.#db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
      migrate(this.#db, path);
      this.#stmt = this.prepareStatements();
    } catch (e) {
      this.#db.close();
      throw this.#wrap(e, 'open');
    }
  }

  private prepareStatements() {
    const db = this.#db;
    return {
      insertRun:
        db.prepare(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (@id, @status, @workflow_id, @workflow_version,
        @workflow_hash, @workflow_yaml, @workflow_file, @workflow_steps_json, @inputs_json, @input_hash, @created_at,
        @updated_at, @completed_at, @error_json, @owner_json, @resume_count, @metadata_json)`),
      updateRun:
        db.prepare(`UPDATE runs SET status = @status, updated_at = @updated_at, completed_at = @completed_at,
        error_json = @error_json, owner_json = @owner_json, resume_count = @resume_count, metadata_json = @metadata_json
        WHERE id = @id`),
      getRun: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
      runExists: db.prepare('SELECT 1 FROM runs WHERE id = ?').pluck(),
      insertStep:
        db.prepare(`INSERT INTO steps (${STEP_COLUMNS}) VALUES (@run_id, @execution_index, @step_id, @type,
        @status, @input_json, @output_json, @error_json, @last_error_json, @attempts, @started_at, @finished_at,
        @duration_ms, @next_step_resolved, @metadata_json)`),
      replaceStep:
        db.prepare(`INSERT OR REPLACE INTO steps (${STEP_COLUMNS}) VALUES (@run_id, @execution_index,
        @step_id, @type, @status, @input_json, @output_json, @error_json, @last_error_json, @attempts, @started_at,
        @finished_at, @duration_ms, @next_step_resolved, @metadata_json)`),
      stepStatus: db
        .prepare('SELECT status FROM steps WHERE run_id = ? AND execution_index = ?')
        .pluck(),
      recordAttempt: db.prepare(`UPDATE steps SET attempts = ?, last_error_json = ?
        WHERE run_id = ? AND execution_index = ? AND status = 'RUNNING'`),
      getSteps: db.prepare(
        `SELECT ${STEP_COLUMNS} FROM steps WHERE run_id = ? ORDER BY execution_index`,
      ),
      insertVersion:
        db.prepare(`INSERT INTO state_versions (run_id, version, execution_index, step_id, changes_json,
        created_at) VALUES (@run_id, (SELECT COALESCE(MAX(version), -1) + 1 FROM state_versions WHERE run_id = @run_id),
        @execution_index, @step_id, @changes_json, @created_at)`),
      getVersions:
        db.prepare(`SELECT run_id, version, execution_index, step_id, changes_json, created_at
        FROM state_versions WHERE run_id = ? ORDER BY version`),
      // rowid breaks ties between runs created in the same millisecond: later insert = newer.
      listRuns: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs
        WHERE (@workflow_id IS NULL OR workflow_id = @workflow_id) AND (@status IS NULL OR status = @status)
        ORDER BY created_at DESC, rowid DESC LIMIT @limit`),
    };
  }

  async createRun(run: RunRecord, initialState: JsonObject): Promise<void> {
    this.#write('createRun', () => {
      if (this.#stmt.runExists.get(run.runId) !== undefined) {
        throw new StoreError(`Run ${run.runId} already exists in ${this.path}`, {
          details: { runId: run.runId },
        });
      }
      this.#stmt.insertRun.run(this.#runRow(run));
      this.#stmt.insertVersion.run({
        run_id: run.runId,
        execution_index: null,
        step_id: null,
        changes_json: this.#json([{ op: 'set', path: [], value: initialState }]),
        created_at: run.createdAt,
      });
    });
  }

  async startStep(step: RunningStepRecord): Promise<void> {
    this.#write('startStep', () => {
      this.#requireRun(step.runId);
      if (this.#stmt.stepStatus.get(step.runId, step.executionIndex) !== undefined) {
        throw new StoreError(
          `Run ${step.runId} already has a step execution #${step.executionIndex}`,
          {
            details: { runId: step.runId, executionIndex: step.executionIndex },
          },
        );
      }
      this.#stmt.insertStep.run(this.#stepRow(step));
    });
  }

  async recordAttempt(
    runId: string,
    executionIndex: number,
    attempts: number,
    lastError: SerializedError,
  ): Promise<void> {
    this.#write('recordAttempt', () => {
      const result = this.#stmt.recordAttempt.run(
        attempts,
        this.#json(lastError),
        runId,
        executionIndex,
      );
      if (result.changes === 0) {
        throw new StoreError(
          `Run ${runId} has no running step execution #${executionIndex} to record an attempt on`,
          {
            details: { runId, executionIndex },
          },
        );
      }
    });
  }

  async finishStep(
    step: FinishedStepRecord,
    changes: StateChange[] | null,
    run?: RunUpdate,
  ): Promise<void> {
    this.#write('finishStep', () => {
      this.#requireRun(step.runId);
      const existing = this.#stmt.stepStatus.get(step.runId, step.executionIndex) as
        string | undefined;
      if (existing !== undefined && existing !== 'RUNNING') {
        throw new StoreError(
          `Run ${step.runId} step execution #${step.executionIndex} is already ${existing}; finished records are never rewritten`,
          { details: { runId: step.runId, executionIndex: step.executionIndex, status: existing } },
        );
      }
      this.#stmt.replaceStep.run(this.#stepRow(step));
      if (changes !== null) {
        this.#stmt.insertVersion.run({
          run_id: step.runId,
          execution_index: step.executionIndex,
          step_id: step.stepId,
          changes_json: this.#json(changes),
          created_at: step.finishedAt,
        });
      }
      if (run) this.#applyRunUpdate(step.runId, run);
    });
  }

  async updateRun(runId: string, update: RunUpdate): Promise<void> {
    this.#write('updateRun', () => this.#applyRunUpdate(runId, update));
  }

  async claimRun(runId: string, claim: RunClaim): Promise<boolean> {
    let claimed = false;
    // One IMMEDIATE transaction: the compare and the set hold the write lock together, so another
    // connection (another process) claiming the same run waits and then sees the new owner.
    this.#write('claimRun', () => {
      const row = this.#stmt.getRun.get(runId) as RunRow | undefined;
      if (!row) throw new RunNotFoundError(runId);
      if (!claimMatches(runFromRow(row), claim.expected)) return;
      this.#applyRunUpdate(runId, claim.update);
      claimed = true;
    });
    return claimed;
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    return this.#read('getRun', () => {
      const row = this.#stmt.getRun.get(runId) as RunRow | undefined;
      return row ? runFromRow(row) : null;
    });
  }

  async getSteps(runId: string): Promise<StepExecutionRecord[]> {
    return this.#read('getSteps', () =>
      (this.#stmt.getSteps.all(runId) as StepRow[]).map(stepFromRow),
    );
  }

  async getStateVersions(runId: string): Promise<StateVersion[]> {
    return this.#read('getStateVersions', () =>
      (this.#stmt.getVersions.all(runId) as StateVersionRow[]).map((row) => ({
        runId: row.run_id,
        version: row.version,
        executionIndex: row.execution_index,
        stepId: row.step_id,
        changes: JSON.parse(row.changes_json) as StateChange[],
        createdAt: row.created_at,
      })),
    );
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    return this.#read('listRuns', () =>
      (
        this.#stmt.listRuns.all({
          workflow_id: filter.workflowId ?? null,
          status: filter.status ?? null,
          limit: Math.max(0, filter.limit ?? DEFAULT_RUN_LIST_LIMIT),
        }) as RunRow[]
      ).map(runFromRow),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  // -------------------------------------------------------------------------------------------

  #applyRunUpdate(runId: string, update: RunUpdate): void {
    const row = this.#stmt.getRun.get(runId) as RunRow | undefined;
    if (!row) throw new RunNotFoundError(runId);
    const next = applyRunUpdate(runFromRow(row), update);
    const full = this.#runRow(next);
    this.#stmt.updateRun.run({
      id: full.id,
      status: full.status,
      updated_at: full.updated_at,
      completed_at: full.completed_at,
      error_json: full.error_json,
      owner_json: full.owner_json,
      resume_count: full.resume_count,
      metadata_json: full.metadata_json,
    });
  }

  #requireRun(runId: string): void {
    if (this.#stmt.runExists.get(runId) === undefined) throw new RunNotFoundError(runId);
  }

  #runRow(run: RunRecord): RunRow {
    const r = this.#scrub(run);
    return {
      id: run.runId,
      status: r.status,
      workflow_id: r.workflowId,
      workflow_version: r.workflowVersion,
      workflow_hash: r.workflowHash,
      workflow_yaml: r.workflowYaml,
      workflow_file: r.workflowFile,
      workflow_steps_json: JSON.stringify(r.stepIds),
      inputs_json: JSON.stringify(r.inputs),
      input_hash: r.inputHash,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
      completed_at: r.completedAt,
      error_json: r.error === null ? null : JSON.stringify(r.error),
      owner_json: r.owner === null ? null : JSON.stringify(r.owner),
      resume_count: r.resumeCount,
      metadata_json: JSON.stringify(r.metadata),
    };
  }

  #stepRow(step: StepExecutionRecord): StepRow {
    const s = this.#scrub(step);
    const row: StepRow = {
      run_id: step.runId,
      execution_index: step.executionIndex,
      step_id: s.stepId,
      type: s.stepType,
      status: s.status,
      input_json: JSON.stringify(s.input),
      output_json: null,
      error_json: null,
      last_error_json: s.lastError === null ? null : JSON.stringify(s.lastError),
      attempts: s.attempts,
      started_at: s.startedAt,
      finished_at: null,
      duration_ms: null,
      next_step_resolved: null,
      metadata_json: JSON.stringify(s.metadata),
    };
    switch (s.status) {
      case 'RUNNING':
        return row;
      case 'COMPLETED':
        return {
          ...row,
          ...finished(s),
          output_json: JSON.stringify(s.output),
          next_step_resolved: s.nextStep,
        };
      case 'DEGRADED':
        return {
          ...row,
          ...finished(s),
          output_json: JSON.stringify(s.output),
          error_json: JSON.stringify(s.error),
          next_step_resolved: s.nextStep,
        };
      case 'FAILED':
        return {
          ...row,
          ...finished(s),
          error_json: JSON.stringify(s.error),
          next_step_resolved: s.nextStep,
        };
      case 'CANCELLED':
        return { ...row, ...finished(s), error_json: JSON.stringify(s.error) };
      default:
        return assertNever(s, 'step status');
    }
  }

  #json(value: unknown): string {
    return JSON.stringify(this.#scrub(value));
  }

  #scrub<T>(value: T): T {
    return this.#redact ? this.#redact(value) : value;
  }

  #write(operation: string, body: () => void): void {
    this.#checkOpen();
    try {
      // IMMEDIATE: take the write lock up front, so a concurrent writer waits (busy_timeout)
      // instead of failing on a lock upgrade halfway through the transaction.
      this.#db.transaction(body).immediate();
    } catch (e) {
      throw this.#wrap(e, operation);
    }
  }

  #read<T>(operation: string, body: () => T): T {
    this.#checkOpen();
    try {
      return body();
    } catch (e) {
      throw this.#wrap(e, operation);
    }
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new StoreError(`Run store ${this.path} is closed; open a new SqliteRunStore`, {
        details: { path: this.path },
      });
  }

  #wrap(error: unknown, operation: string): Error {
    if (isAgentkernelError(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    const hint =
      code === 'SQLITE_BUSY'
        ? 'another process holds the database lock; retry, or give each process its own db_path'
        : code === 'SQLITE_CANTOPEN' || (operation === 'open' && code === undefined)
          ? 'check that the directory exists and is writable, or set db_path in runtime.yaml / --db'
          : code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
            ? 'the file is not a valid agentkernel run store; move it away or point --db elsewhere'
            : 'check the file permissions and free disk space';
    return new StoreError(`Run store ${this.path}: ${operation} failed: ${message} (${hint})`, {
      cause: error,
      details: {
        path: this.path,
        operation,
        ...(typeof code === 'string' ? { sqliteCode: code } : {}),
      },
    });
  }
}

function finished(s: FinishedStepRecord): Pick<StepRow, 'finished_at' | 'duration_ms'> {
  return { finished_at: s.finishedAt, duration_ms: s.durationMs };
}

function parse<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function runFromRow(row: RunRow): RunRecord {
  return {
    runId: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    workflowHash: row.workflow_hash,
    workflowYaml: row.workflow_yaml,
    workflowFile: row.workflow_file,
    stepIds: JSON.parse(row.workflow_steps_json) as string[],
    inputs: JSON.parse(row.inputs_json) as JsonObject,
    inputHash: row.input_hash,
    status: row.status as RunStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
    error: parse<SerializedError>(row.error_json),
    owner: parse<RunOwner>(row.owner_json),
    resumeCount: row.resume_count,
    metadata: JSON.parse(row.metadata_json) as JsonObject,
  };
}

function stepFromRow(row: StepRow): StepExecutionRecord {
  const base = {
    runId: row.run_id,
    executionIndex: row.execution_index,
    stepId: row.step_id,
    stepType: row.type,
    input: JSON.parse(row.input_json) as JsonValue,
    attempts: row.attempts,
    startedAt: row.started_at,
    lastError: parse<SerializedError>(row.last_error_json),
    metadata: JSON.parse(row.metadata_json) as JsonObject,
  };
  const status = row.status as StepStatus;
  if (status === 'RUNNING') return { ...base, status };
  const done = { ...base, finishedAt: row.finished_at ?? '', durationMs: row.duration_ms ?? 0 };
  const error = parse<SerializedError>(row.error_json) as SerializedError;
  switch (status) {
    case 'COMPLETED':
      return {
        ...done,
        status,
        output: parse<JsonObject>(row.output_json) ?? {},
        nextStep: row.next_step_resolved,
      };
    case 'DEGRADED':
      return {
        ...done,
        status,
        output: parse<JsonObject>(row.output_json) ?? {},
        error,
        nextStep: row.next_step_resolved,
      };
    case 'FAILED':
      return { ...done, status, error, nextStep: row.next_step_resolved };
    case 'CANCELLED':
      return { ...done, status, error };
    default:
      return assertNever(status, 'step status');
  }
}
