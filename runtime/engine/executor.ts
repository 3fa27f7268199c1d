/**
 * The run loop, and the ONLY writer of the RunStore. It creates the run (state v0), walks the
 * plan step by step (plan.ts decides, step-runner.ts executes), records every transition, emits
 * RunEvents, and resumes FAILED / CANCELLED / crashed runs from where they stopped.
 *
 * Store writes happen outside any cancellable scope: when the run's signal aborts, the step in
 * flight is abandoned but its CANCELLED record and the run's CANCELLED status are still written,
 * so a cancelled run is always resumable.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { evaluateExpression, isTruthy } from '../definition/expressions.js';
import type { StepDefinition, WorkflowDefinition } from '../definition/types.js';
import {
  CancelledError,
  LatencyBudgetError,
  RunActiveError,
  RunAlreadyCompletedError,
  RunNotFoundError,
  WorkflowIntegrityError,
  serializeError,
  type SerializedError,
} from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import type { StepHandlers } from '../steps/registry.js';
import { buildStepInput } from '../steps/input.js';
import type {
  FinishedStepRecord,
  RunOwner,
  RunRecord,
  RunStatus,
  RunStore,
  RunUpdate,
  StateChange,
  StepExecutionRecord,
} from '../store/run-store.js';
import { rebuildState, stepOutputChange } from '../store/state-chain.js';
import { abortReason } from './cancellation.js';
import type { RunEvent, RunEventListener } from './events.js';
import { inputHash, prepareInputs } from './inputs.js';
import {
  assertNotVisited,
  continuedFailures,
  findStep,
  finishedStatus,
  firstStepId,
  resolveNextStep,
  resumePoint,
  visitedSteps,
  type ConditionEvaluator,
} from './plan.js';
import { runUsageTotals } from '../llm/usage.js';
import type { RunResult } from './result.js';
import { runStep, type StepOutcome } from './step-runner.js';
import { resumeRunSync, runDefinitionSync, type SyncRunOptions } from '../sync/run-sync.js';

export interface ExecutorOptions {
  store: RunStore;
  handlers: StepHandlers;
  /** Default listener for every run of this executor; per-call `onEvent` adds to it. */
  onEvent?: RunEventListener;
  /**
   * The workflow a resumed run continues with: normally the file at `run.workflowFile` as it is
   * NOW (so the integrity lock can compare it), else the YAML recorded with the run.
   */
  loadWorkflow?: (run: RunRecord) => Promise<WorkflowDefinition>;
  /** Evaluates `when` rules; defaults to the expression language of definition/expressions.ts. */
  evaluateCondition?: ConditionEvaluator;
  /** Backoff jitter source (tests make it deterministic). */
  random?: () => number;
}

export interface RunCallOptions {
  signal?: AbortSignal;
  onEvent?: RunEventListener;
}

export interface ResumeOptions extends RunCallOptions {
  /** Resume even though the workflow text changed since the run started (recorded in metadata). */
  force?: boolean;
}

const defaultEvaluator: ConditionEvaluator = (rule, state) =>
  isTruthy(evaluateExpression(rule.expr, state));

/** Everything one session of the loop needs; a resumed run starts a new session. */
interface Session {
  run: RunRecord;
  def: WorkflowDefinition;
  state: JsonObject;
  visited: Set<string>;
  nextExecutionIndex: number;
  swallowedFailures: number;
  signal: AbortSignal;
  emit: (event: RunEvent) => void;
  startedMs: number;
}

export class Executor {
  private readonly store: RunStore;
  private readonly handlers: StepHandlers;
  private readonly evaluate: ConditionEvaluator;

  constructor(private readonly options: ExecutorOptions) {
    this.store = options.store;
    this.handlers = options.handlers;
    this.evaluate = options.evaluateCondition ?? defaultEvaluator;
  }

  /** Starts a new run of `def`. Input problems throw InputValidationError before anything is recorded. */
  async run(
    def: WorkflowDefinition,
    givenInputs: JsonObject = {},
    call: RunCallOptions = {},
  ): Promise<RunResult> {
    const inputs = prepareInputs(def, givenInputs);
    const startedMs = performance.now();
    const now = isoNow();
    const runId = randomUUID();
    const run: RunRecord = {
      runId,
      workflowId: def.id,
      workflowVersion: def.version,
      workflowHash: def.source.hash,
      workflowYaml: def.source.text,
      workflowFile: def.source.file === '<inline>' ? null : def.source.file,
      stepIds: def.steps.map((s) => s.id),
      inputs,
      inputHash: inputHash(inputs),
      status: 'RUNNING',
      createdAt: now,
      updatedAt: now,
      completedAt: null,
      error: null,
      owner: currentOwner(),
      resumeCount: 0,
      metadata: {},
    };
    const state: JsonObject = {
      inputs,
      steps: {},
      runtime: { workflow_id: def.id, run_id: runId },
    };
    await this.store.createRun(run, state);
    const session: Session = {
      run,
      def,
      state,
      visited: new Set(),
      nextExecutionIndex: 0,
      swallowedFailures: 0,
      signal: call.signal ?? new AbortController().signal,
      emit: this.emitter(call.onEvent),
      startedMs,
    };
    const first = firstStepId(def);
    session.emit({
      type: 'run_start',
      runId,
      at: now,
      workflowId: def.id,
      workflowVersion: def.version,
      resumed: false,
      fromStep: first,
    });
    return this.loop(session, first, null);
  }

  /**
   * Continues a FAILED, CANCELLED or crashed (RUNNING with a dead owner) run from the step after
   * the last one it got past, with the state rebuilt from its recorded state chain.
   */
  async resume(runId: string, call: ResumeOptions = {}): Promise<RunResult> {
    const startedMs = performance.now();
    const run = await this.store.getRun(runId);
    if (!run) throw new RunNotFoundError(runId);
    if (run.status === 'COMPLETED' || run.status === 'COMPLETED_WITH_ERRORS') {
      throw new RunAlreadyCompletedError(runId, run.status);
    }
    if (run.status === 'RUNNING' && run.owner && ownerIsAlive(run.owner))
      throw new RunActiveError(runId, run.owner);

    const def = this.options.loadWorkflow ? await this.options.loadWorkflow(run) : undefined;
    if (!def)
      throw new WorkflowIntegrityError(
        `Cannot resume run ${runId}: the executor has no workflow loader`,
      );
    const metadata: JsonObject = { ...run.metadata };
    if (def.source.hash !== run.workflowHash) {
      if (!call.force) {
        throw new WorkflowIntegrityError(
          `Workflow ${run.workflowId}@${run.workflowVersion} changed since run ${runId} started (hash ${short(run.workflowHash)} → ${short(def.source.hash)}${run.workflowFile ? `, file ${run.workflowFile}` : ''}); resuming would mix two versions. Restore the file, start a new run, or resume with force.`,
          { details: { runId, recordedHash: run.workflowHash, currentHash: def.source.hash } },
        );
      }
      const forced = Array.isArray(metadata.forcedResume) ? metadata.forcedResume : [];
      metadata.forcedResume = [
        ...forced,
        { at: isoNow(), recordedHash: run.workflowHash, currentHash: def.source.hash },
      ];
    }

    // Claim the run before touching its records: of two processes resuming it at once, exactly
    // one gets past this line (a compare-and-set on status/owner/resumeCount in one transaction).
    const update: RunUpdate = {
      status: 'RUNNING',
      error: null,
      completedAt: null,
      owner: currentOwner(),
      resumeCount: run.resumeCount + 1,
      metadata,
    };
    const claimed = await this.store.claimRun(runId, {
      expected: { status: run.status, owner: run.owner, resumeCount: run.resumeCount },
      update,
    });
    if (!claimed) throw await this.lostClaim(runId);
    const records = await this.store.getSteps(runId);
    await this.closeInterruptedSteps(records);
    const state = rebuildState(await this.store.getStateVersions(runId));
    const point = resumePoint(def, records);
    const resumedRun: RunRecord = { ...run, ...update, metadata };
    const session: Session = {
      run: resumedRun,
      def,
      state,
      visited: visitedSteps(records),
      nextExecutionIndex: records.reduce((max, r) => Math.max(max, r.executionIndex + 1), 0),
      swallowedFailures: continuedFailures(records),
      signal: call.signal ?? new AbortController().signal,
      emit: this.emitter(call.onEvent),
      startedMs,
    };
    const fromStep = point.kind === 'step' ? point.stepId : null;
    session.emit({
      type: 'run_start',
      runId,
      at: isoNow(),
      workflowId: def.id,
      workflowVersion: def.version,
      resumed: true,
      fromStep,
    });
    return this.loop(session, fromStep, point.kind === 'step' ? point.after : null);
  }

  // -------------------------------------------------------------------------------------------

  private async loop(
    session: Session,
    firstStep: string | null,
    previousStep: string | null,
  ): Promise<RunResult> {
    const { def } = session;
    let current = firstStep;
    let from = previousStep;
    try {
      while (current !== null) {
        if (session.signal.aborted)
          return await this.endRun(session, 'CANCELLED', abortReason(session.signal));
        // The budget is wall time of this session: a resumed run gets a fresh budget, since the
        // time it spent failed or waiting for a fix says nothing about the workflow's speed.
        if (def.latencyBudgetMs !== undefined) {
          const elapsed = performance.now() - session.startedMs;
          if (elapsed > def.latencyBudgetMs) {
            return await this.endRun(
              session,
              'FAILED',
              new LatencyBudgetError(def.latencyBudgetMs, elapsed, current),
            );
          }
        }
        assertNotVisited(current, session.visited, from);
        const step = findStep(def, current);
        const outcome = await this.executeStep(session, step);
        if (outcome.kind === 'stop') return await this.result(session);
        session.visited.add(step.id);
        from = step.id;
        current = outcome.next;
      }
      return await this.endRun(session, finishedStatus(session.swallowedFailures), null);
    } catch (error) {
      // Anything escaping the loop (a store failure, a bug) still leaves the run FAILED, never
      // stuck in RUNNING (the Python runtime's old branch-crash defect).
      try {
        await this.endRun(session, 'FAILED', error);
      } catch {
        // The store itself is broken; the original error is the one worth reporting.
      }
      throw error;
    }
  }

  /** Runs one step and records it; returns the next step, or `stop` when the run has ended. */
  private async executeStep(
    session: Session,
    step: StepDefinition,
  ): Promise<{ kind: 'next'; next: string | null } | { kind: 'stop' }> {
    const { run, def } = session;
    const executionIndex = session.nextExecutionIndex++;
    const startedAt = isoNow();
    const startedMs = performance.now();
    let recordedInput: JsonObject | null = null;
    try {
      recordedInput = buildStepInput(step, session.state);
    } catch {
      // The runner rebuilds the input per attempt and reports the missing path as the step error.
    }
    const base = {
      runId: run.runId,
      executionIndex,
      stepId: step.id,
      stepType: step.type,
      startedAt,
      metadata: {},
    };
    await this.store.startStep({
      ...base,
      status: 'RUNNING',
      input: recordedInput,
      attempts: 0,
      lastError: null,
    });
    const stepEvent = { runId: run.runId, stepId: step.id, stepType: step.type, executionIndex };
    const stepMetadata: JsonObject = {};
    session.emit({
      ...stepEvent,
      type: 'step_start',
      at: startedAt,
      attempt: 1,
      maxAttempts: step.retry.attempts,
    });

    const outcome: StepOutcome = await runStep({
      runId: run.runId,
      step,
      state: session.state,
      handlers: this.handlers,
      signal: session.signal,
      ...(recordedInput !== null ? { input: recordedInput } : {}),
      random: this.options.random,
      hooks: {
        onRetry: async (attempt, error, delayMs) => {
          await this.store.recordAttempt(run.runId, executionIndex, attempt, error);
          session.emit({
            ...stepEvent,
            type: 'step_retry',
            at: isoNow(),
            attempt,
            nextAttempt: attempt + 1,
            maxAttempts: step.retry.attempts,
            delayMs,
            error,
          });
        },
        onProgress: (message, data) => {
          session.emit({
            ...stepEvent,
            type: 'step_progress',
            at: isoNow(),
            message,
            ...(data ? { data } : {}),
          });
        },
        // Agent steps (G): streamed tokens are events only; usage/cost/trace land in the step record.
        onToken: (text) => {
          session.emit({ ...stepEvent, type: 'llm_token', at: isoNow(), text });
        },
        onMetadata: (data) => {
          Object.assign(stepMetadata, data);
        },
        // G2: agent steps seed the run's LLM usage meter from these on resume (new process).
        earlierStepMetadata: async () =>
          (await this.store.getSteps(run.runId))
            .filter((s) => s.executionIndex < executionIndex)
            .sort((a, b) => a.executionIndex - b.executionIndex)
            .map((s) => s.metadata),
      },
    });

    const finishedAt = isoNow();
    const durationMs = Math.round((performance.now() - startedMs) * 1000) / 1000;
    const finished = {
      ...base,
      metadata: stepMetadata,
      input: outcome.input ?? recordedInput,
      attempts: outcome.attempts,
      finishedAt,
      durationMs,
    };
    const emitStepError = (error: SerializedError): void =>
      session.emit({
        ...stepEvent,
        type: 'step_error',
        at: finishedAt,
        attempts: outcome.attempts,
        durationMs,
        error,
      });

    switch (outcome.status) {
      case 'COMPLETED':
      case 'DEGRADED': {
        const changes = stepOutputChange(step.id, outcome.output);
        const nextState = withStepOutput(session.state, step.id, outcome.output);
        const degradedError = outcome.status === 'DEGRADED' ? serializeError(outcome.error) : null;
        const lastError =
          degradedError ?? (outcome.status === 'COMPLETED' ? outcome.lastError : null);
        let next: string | null;
        try {
          next = this.nextStep(def, step.id, nextState, session.visited);
        } catch (branchError) {
          // The step ran but its `next` cannot be resolved: the step fails (so a resume retries it
          // and re-evaluates the branch) and the run ends FAILED whatever `on_error` says.
          delete (nextState.steps as JsonObject)[step.id];
          const error = serializeError(branchError);
          await this.finish(
            session,
            { ...finished, status: 'FAILED', lastError, error, nextStep: null },
            null,
            'FAILED',
            error,
          );
          emitStepError(error);
          return { kind: 'stop' };
        }
        const record: FinishedStepRecord =
          outcome.status === 'COMPLETED'
            ? {
                ...finished,
                status: 'COMPLETED',
                lastError,
                output: outcome.output,
                nextStep: next,
              }
            : {
                ...finished,
                status: 'DEGRADED',
                lastError,
                output: outcome.output,
                error: degradedError!,
                nextStep: next,
              };
        await this.store.finishStep(record, changes);
        session.state = nextState;
        if (outcome.status === 'COMPLETED') {
          session.emit({
            ...stepEvent,
            type: 'step_complete',
            at: finishedAt,
            attempts: outcome.attempts,
            durationMs,
            output: outcome.output,
            nextStep: next,
          });
        } else {
          session.emit({
            ...stepEvent,
            type: 'step_degraded',
            at: finishedAt,
            attempts: outcome.attempts,
            durationMs,
            output: outcome.output,
            error: degradedError!,
            nextStep: next,
          });
        }
        return { kind: 'next', next };
      }
      case 'FAILED': {
        const error = serializeError(outcome.error);
        emitStepError(error);
        if (def.onError === 'continue') {
          let next: string | null;
          try {
            next = this.nextStep(def, step.id, session.state, session.visited);
          } catch (branchError) {
            const berr = serializeError(branchError);
            await this.finish(
              session,
              { ...finished, status: 'FAILED', lastError: error, error: berr, nextStep: null },
              null,
              'FAILED',
              berr,
            );
            return { kind: 'stop' };
          }
          session.swallowedFailures += 1;
          await this.store.finishStep(
            { ...finished, status: 'FAILED', lastError: error, error, nextStep: next },
            null,
          );
          return { kind: 'next', next };
        }
        await this.finish(
          session,
          { ...finished, status: 'FAILED', lastError: error, error, nextStep: null },
          null,
          'FAILED',
          error,
        );
        return { kind: 'stop' };
      }
      case 'CANCELLED': {
        const error = serializeError(outcome.error);
        emitStepError(error);
        await this.finish(
          session,
          { ...finished, status: 'CANCELLED', lastError: error, error },
          null,
          'CANCELLED',
          error,
        );
        return { kind: 'stop' };
      }
    }
  }

  private nextStep(
    def: WorkflowDefinition,
    stepId: string,
    state: JsonObject,
    visited: Set<string>,
  ): string | null {
    const next = resolveNextStep(def, stepId, state, this.evaluate);
    // Checked here, not only before the next step starts, so the step whose `goto` loops is the
    // one that fails (and the message names both ends of the loop).
    if (next !== null)
      assertNotVisited(next, next === stepId ? new Set([stepId]) : visited, stepId);
    return next;
  }

  /** Finishes a step AND ends the run in one store transaction. */
  private async finish(
    session: Session,
    record: FinishedStepRecord,
    changes: StateChange[] | null,
    status: RunStatus,
    error: SerializedError,
  ): Promise<void> {
    const completedAt = isoNow();
    const llm = await this.llmTotals(session, record);
    await this.store.finishStep(record, changes, {
      status,
      error,
      completedAt,
      owner: null,
      ...llm,
    });
    session.run = { ...session.run, status, error, completedAt, owner: null, ...llm };
    this.emitRunEnd(session, status, error);
  }

  /**
   * Run-level LLM usage (added by G): requests, tokens and cost summed from the recorded
   * agent-step metadata of every execution (earlier sessions of a resumed run included), stored
   * in the run's metadata as `llm`. Nothing when the run made no model calls.
   */
  private async llmTotals(
    session: Session,
    pending?: FinishedStepRecord,
  ): Promise<{ metadata?: JsonObject }> {
    const steps: { executionIndex: number; metadata: JsonObject }[] = (
      await this.store.getSteps(session.run.runId)
    ).filter((s) => s.executionIndex !== pending?.executionIndex);
    if (pending) steps.push(pending);
    const totals = runUsageTotals(steps);
    if (totals.requests === 0) return {};
    return { metadata: { ...session.run.metadata, llm: totals } };
  }

  private async endRun(session: Session, status: RunStatus, error: unknown): Promise<RunResult> {
    const serialized = error === null ? null : serializeError(error);
    const completedAt = isoNow();
    const llm = await this.llmTotals(session);
    await this.store.updateRun(session.run.runId, {
      status,
      error: serialized,
      completedAt,
      owner: null,
      ...llm,
    });
    session.run = { ...session.run, status, error: serialized, completedAt, owner: null, ...llm };
    this.emitRunEnd(session, status, serialized);
    return this.result(session);
  }

  private emitRunEnd(session: Session, status: RunStatus, error: SerializedError | null): void {
    session.emit({
      type: 'run_end',
      runId: session.run.runId,
      at: isoNow(),
      status,
      durationMs: Math.round(performance.now() - session.startedMs),
      error,
    });
  }

  private async result(session: Session): Promise<RunResult> {
    const { run } = session;
    const steps = await this.store.getSteps(run.runId);
    const outputs = session.state.steps;
    return {
      runId: run.runId,
      workflowId: run.workflowId,
      workflowVersion: run.workflowVersion,
      status: run.status,
      succeeded: run.status === 'COMPLETED',
      outputs:
        outputs !== null && typeof outputs === 'object' && !Array.isArray(outputs) ? outputs : {},
      state: session.state,
      steps,
      error: run.error,
      startedAt: run.createdAt,
      completedAt: run.completedAt,
      durationMs: Math.round((performance.now() - session.startedMs) * 1000) / 1000,
    };
  }

  /** The error for a resume that lost the claim race: says who has the run now. */
  private async lostClaim(runId: string): Promise<Error> {
    const now = await this.store.getRun(runId);
    if (now && (now.status === 'COMPLETED' || now.status === 'COMPLETED_WITH_ERRORS'))
      return new RunAlreadyCompletedError(runId, now.status);
    const owner = now?.owner ?? null;
    return new RunActiveError(
      runId,
      owner,
      `Run ${runId} was claimed by another resume while this one was starting${owner ? ` (process ${owner.pid} on ${owner.hostname})` : ''}; only one process may resume a run at a time. Wait for that resume to end, then check the run with: agentkernel inspect ${runId}`,
    );
  }

  /** A crashed run left RUNNING step records behind: close them as CANCELLED before continuing. */
  private async closeInterruptedSteps(records: readonly StepExecutionRecord[]): Promise<void> {
    for (const record of records) {
      if (record.status !== 'RUNNING') continue;
      const error = serializeError(
        new CancelledError(
          'Step interrupted: the process running it ended before the step finished',
        ),
      );
      const finishedAt = isoNow();
      await this.store.finishStep(
        {
          ...record,
          status: 'CANCELLED',
          error,
          finishedAt,
          durationMs: Date.parse(finishedAt) - Date.parse(record.startedAt),
        },
        null,
      );
    }
  }

  // Added by the sync bridge (F). The loop cannot run on a blocked thread, and this executor's
  // store and step handlers are live objects that cannot cross to a worker: the worker rebuilds
  // them from the project directory and opens the store by path (a SqliteRunStore on a file).
  /** `run`, blocking this thread; in-process closures go in `call.functions` / `call.tools`. */
  runSync(
    def: WorkflowDefinition,
    givenInputs: JsonObject = {},
    call: RunCallOptions & Pick<SyncRunOptions, 'functions' | 'tools' | 'timeoutMs'> = {},
  ): RunResult {
    return runDefinitionSync(def, {
      ...call,
      inputs: givenInputs,
      store: this.store,
      onEvent: this.syncListener(call.onEvent),
    });
  }

  /** `resume`, blocking this thread; same conditions as runSync. */
  resumeSync(
    runId: string,
    call: ResumeOptions &
      Pick<SyncRunOptions, 'functions' | 'tools' | 'timeoutMs'> & { projectDir?: string } = {},
  ): RunResult {
    return resumeRunSync(runId, {
      ...call,
      store: this.store,
      onEvent: this.syncListener(call.onEvent),
    });
  }

  /** Listeners cost the sync bridge a round trip per event, so none when nobody listens. */
  private syncListener(perCall: RunEventListener | undefined): RunEventListener | undefined {
    return this.options.onEvent || perCall ? this.emitter(perCall) : undefined;
  }

  private emitter(perCall: RunEventListener | undefined): (event: RunEvent) => void {
    const listeners = [this.options.onEvent, perCall].filter(
      (l): l is RunEventListener => l !== undefined,
    );
    return (event) => {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // A broken progress printer must not break the run (the Python runtime logs and swallows too).
        }
      }
    };
  }
}

/**
 * The state after a step: `steps.<id> = output`, the same change `stepOutputChange` records (and
 * `rebuildState` replays on resume). Done in place on the executor-owned `steps` map instead of
 * through the store's immutable `applyChanges`, which copies the whole map per step and made a
 * 1,000-step run quadratic (bench/steps-throughput.ts). Outputs are frozen, so a later step
 * cannot change an earlier step's recorded output through `ctx.state`.
 */
function withStepOutput(state: JsonObject, stepId: string, output: JsonObject): JsonObject {
  const steps = state.steps;
  if (
    steps !== null &&
    typeof steps === 'object' &&
    !Array.isArray(steps) &&
    !Object.isFrozen(steps)
  ) {
    steps[stepId] = deepFreeze(output);
    return state;
  }
  return {
    ...state,
    steps: { ...(steps as JsonObject | undefined), [stepId]: deepFreeze(output) },
  };
}

function deepFreeze<T extends JsonValue>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child as JsonValue);
  }
  return value;
}

function isoNow(): string {
  return new Date().toISOString();
}

function short(hash: string): string {
  return hash.slice(0, 12);
}

function currentOwner(): RunOwner {
  return { pid: process.pid, hostname: hostname() };
}

/** True when the recorded owner is a live process on THIS host (another host's pid means nothing here). */
export function ownerIsAlive(owner: RunOwner): boolean {
  if (owner.hostname !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process that its parent has not reaped yet is a zombie: it answers signal 0 but will
  // never write again (Linux exposes the state in /proc; elsewhere we trust signal 0).
  try {
    const stat = readFileSync(`/proc/${owner.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
