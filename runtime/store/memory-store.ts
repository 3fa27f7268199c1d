/**
 * In-memory RunStore for ephemeral runs (notebook experiments, tests, benchmarks). It follows the
 * same rules as the SQLite store (the shared conformance suite proves it) and deep-copies what it
 * stores and returns, so a caller mutating a record afterwards cannot rewrite history.
 */
import { RunNotFoundError, StoreError, type SerializedError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type {
  FinishedStepRecord,
  RunClaim,
  RunFilter,
  RunRecord,
  RunStore,
  RunUpdate,
  RunningStepRecord,
  StateChange,
  StateVersion,
  StepExecutionRecord,
} from './run-store.js';
import { DEFAULT_RUN_LIST_LIMIT, applyRunUpdate, claimMatches } from './run-update.js';

interface RunEntry {
  run: RunRecord;
  /** Insertion order, to break ties between runs created in the same millisecond. */
  seq: number;
  steps: Map<number, StepExecutionRecord>;
  versions: StateVersion[];
}

export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, RunEntry>();
  #seq = 0;
  #closed = false;

  async createRun(run: RunRecord, initialState: JsonObject): Promise<void> {
    this.#checkOpen();
    if (this.#runs.has(run.runId))
      throw new StoreError(`Run ${run.runId} already exists in the store`);
    this.#runs.set(run.runId, {
      run: structuredClone(run),
      seq: this.#seq++,
      steps: new Map(),
      versions: [
        {
          runId: run.runId,
          version: 0,
          executionIndex: null,
          stepId: null,
          changes: [{ op: 'set', path: [], value: structuredClone(initialState) }],
          createdAt: run.createdAt,
        },
      ],
    });
  }

  async startStep(step: RunningStepRecord): Promise<void> {
    const entry = this.#entry(step.runId);
    if (entry.steps.has(step.executionIndex)) {
      throw new StoreError(
        `Run ${step.runId} already has a step execution #${step.executionIndex}`,
      );
    }
    entry.steps.set(step.executionIndex, structuredClone(step));
  }

  async recordAttempt(
    runId: string,
    executionIndex: number,
    attempts: number,
    lastError: SerializedError,
  ): Promise<void> {
    const entry = this.#entry(runId);
    const step = entry.steps.get(executionIndex);
    if (!step || step.status !== 'RUNNING') {
      throw new StoreError(
        `Run ${runId} has no running step execution #${executionIndex} to record an attempt on`,
      );
    }
    entry.steps.set(executionIndex, { ...step, attempts, lastError: structuredClone(lastError) });
  }

  async finishStep(
    step: FinishedStepRecord,
    changes: StateChange[] | null,
    run?: RunUpdate,
  ): Promise<void> {
    const entry = this.#entry(step.runId);
    const existing = entry.steps.get(step.executionIndex);
    if (existing && existing.status !== 'RUNNING') {
      throw new StoreError(
        `Run ${step.runId} step execution #${step.executionIndex} is already ${existing.status}; finished records are never rewritten`,
      );
    }
    // Everything is validated above, so the three writes below cannot half-happen.
    entry.steps.set(step.executionIndex, structuredClone(step));
    if (changes !== null) {
      entry.versions.push({
        runId: step.runId,
        version: entry.versions.length,
        executionIndex: step.executionIndex,
        stepId: step.stepId,
        changes: structuredClone(changes),
        createdAt: step.finishedAt,
      });
    }
    if (run) entry.run = applyRunUpdate(entry.run, structuredClone(run));
  }

  async updateRun(runId: string, update: RunUpdate): Promise<void> {
    const entry = this.#entry(runId);
    entry.run = applyRunUpdate(entry.run, structuredClone(update));
  }

  async claimRun(runId: string, claim: RunClaim): Promise<boolean> {
    // Compare and set with no await in between: nothing else runs on this thread meanwhile.
    const entry = this.#entry(runId);
    if (!claimMatches(entry.run, claim.expected)) return false;
    entry.run = applyRunUpdate(entry.run, structuredClone(claim.update));
    return true;
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    this.#checkOpen();
    const entry = this.#runs.get(runId);
    return entry ? structuredClone(entry.run) : null;
  }

  async getSteps(runId: string): Promise<StepExecutionRecord[]> {
    this.#checkOpen();
    const entry = this.#runs.get(runId);
    if (!entry) return [];
    return [...entry.steps.values()]
      .sort((a, b) => a.executionIndex - b.executionIndex)
      .map((s) => structuredClone(s));
  }

  async getStateVersions(runId: string): Promise<StateVersion[]> {
    this.#checkOpen();
    return structuredClone(this.#runs.get(runId)?.versions ?? []);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    this.#checkOpen();
    const limit = filter.limit ?? DEFAULT_RUN_LIST_LIMIT;
    return [...this.#runs.values()]
      .filter((e) => filter.workflowId === undefined || e.run.workflowId === filter.workflowId)
      .filter((e) => filter.status === undefined || e.run.status === filter.status)
      .sort((a, b) =>
        a.run.createdAt === b.run.createdAt
          ? b.seq - a.seq
          : a.run.createdAt < b.run.createdAt
            ? 1
            : -1,
      )
      .slice(0, Math.max(0, limit))
      .map((e) => structuredClone(e.run));
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new StoreError('The in-memory run store is closed; create a new MemoryRunStore');
  }

  #entry(runId: string): RunEntry {
    this.#checkOpen();
    const entry = this.#runs.get(runId);
    if (!entry) throw new RunNotFoundError(runId);
    return entry;
  }
}
