/**
 * Pure planning: which step runs next, where a resumed run continues, what a run's final status
 * is. No I/O and no clocks, so every branch rule of the Python runtime is unit-tested here.
 */
import type { BranchRule, StepDefinition, WorkflowDefinition } from '../definition/types.js';
import { AgentkernelError, BranchResolutionError, isAgentkernelError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { RunStatus, StepExecutionRecord } from '../store/run-store.js';

export type WhenRule = Extract<BranchRule, { kind: 'when' }>;

/** Evaluates one `when` rule against post-step state; throws on a bad expression or missing path. */
export type ConditionEvaluator = (rule: WhenRule, state: JsonObject) => boolean;

export function firstStepId(def: WorkflowDefinition): string | null {
  return def.steps[0]?.id ?? null;
}

/** Step id → file position, built once per definition (lookups stay O(1) on 1,000-step workflows). */
const indexCache = new WeakMap<WorkflowDefinition, Map<string, number>>();

export function stepIndex(def: WorkflowDefinition, stepId: string): number {
  let index = indexCache.get(def);
  if (!index) {
    index = new Map(def.steps.map((s, i) => [s.id, i]));
    indexCache.set(def, index);
  }
  return index.get(stepId) ?? -1;
}

export function findStep(def: WorkflowDefinition, stepId: string): StepDefinition {
  const step = def.steps[stepIndex(def, stepId)];
  if (!step) {
    throw new BranchResolutionError(
      `Unknown step '${stepId}' in workflow ${def.id}@${def.version}`,
      {
        details: { stepId },
      },
    );
  }
  return step;
}

/**
 * The step after `stepId`, with the Python runtime's semantics:
 * - no `next`: the following step in FILE order (so a branch target without its own `next` falls
 *   through into the steps after it, even other branch targets — see sample 03), or null at the end;
 * - with `next`: the first rule whose `when` is true, else the `default`, else BranchResolutionError.
 * `state` is the state after the step ran, so a rule may test the step's own output.
 */
export function resolveNextStep(
  def: WorkflowDefinition,
  stepId: string,
  state: JsonObject,
  evaluate: ConditionEvaluator,
): string | null {
  const index = stepIndex(def, stepId);
  const step = def.steps[index];
  if (!step) throw new BranchResolutionError(`Unknown step '${stepId}'`, { details: { stepId } });
  if (step.next === undefined) return def.steps[index + 1]?.id ?? null;
  let fallback: string | undefined;
  for (const rule of step.next) {
    if (rule.kind === 'default') {
      fallback ??= rule.goto;
      continue;
    }
    let matched: boolean;
    try {
      matched = evaluate(rule, state);
    } catch (error) {
      // A missing path or a type error in a condition is a branch problem of this step, not a crash
      // (the Python runtime let AttributeError escape; reference §9 item 20).
      if (isAgentkernelError(error) && error.code === 'AR-BRANCH-RESOLUTION') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new BranchResolutionError(
        `Cannot evaluate branch condition of step '${stepId}': ${rule.when} (${reason}) at ${rule.position.file}:${rule.position.line}:${rule.position.col}`,
        { cause: error, details: { stepId, when: rule.when } },
      );
    }
    if (matched) return rule.goto;
  }
  if (fallback !== undefined) return fallback;
  throw new BranchResolutionError(
    `No branch matched for step '${stepId}' and it has no default rule`,
    {
      details: { stepId },
    },
  );
}

/**
 * The no-revisit guard: a workflow is a forward path, so reaching a step that already ran in this
 * run means the `goto`s form a loop.
 */
export function assertNotVisited(
  stepId: string,
  visited: ReadonlySet<string>,
  fromStep: string | null,
): void {
  if (visited.has(stepId)) {
    const from = fromStep === null ? '' : ` (reached again from '${fromStep}')`;
    throw new BranchResolutionError(
      `Circular branch detected: step '${stepId}' already ran in this run${from}`,
      {
        details: { stepId, fromStep },
      },
    );
  }
}

/** True for a record the run moved past: it completed, degraded, or failed under `on_error: continue`. */
export function isPassedRecord(record: StepExecutionRecord): boolean {
  switch (record.status) {
    case 'COMPLETED':
    case 'DEGRADED':
      return true;
    case 'FAILED':
      return record.nextStep !== null;
    case 'RUNNING':
    case 'CANCELLED':
      return false;
    default: {
      const never: never = record;
      throw new AgentkernelError(
        'AR-UNEXPECTED',
        `Unexpected step record ${JSON.stringify(never)}`,
      );
    }
  }
}

/** Step ids the run has moved past: these may not run again (resume skips them, `goto` may not reach them). */
export function visitedSteps(records: readonly StepExecutionRecord[]): Set<string> {
  return new Set(records.filter(isPassedRecord).map((r) => r.stepId));
}

export type ResumePoint =
  { kind: 'step'; stepId: string; after: string | null } | { kind: 'finished' };

/**
 * Where a resumed run continues: the step after the LAST execution the run moved past, using the
 * next step recorded with it; the first step when nothing completed.
 *
 * The Python runtime instead targets the FIRST FAILED record, so a run that failed at B, was
 * resumed past B and then failed at C re-targets B on the second resume and dies with
 * "Duplicate step execution" (reference §2.6). Following the last passed record resumes at C.
 */
export function resumePoint(
  def: WorkflowDefinition,
  records: readonly StepExecutionRecord[],
): ResumePoint {
  const passed = records.filter(isPassedRecord);
  const last = passed[passed.length - 1];
  if (!last) {
    const first = firstStepId(def);
    return first === null ? { kind: 'finished' } : { kind: 'step', stepId: first, after: null };
  }
  if (last.status === 'COMPLETED' || last.status === 'DEGRADED' || last.status === 'FAILED') {
    return last.nextStep === null
      ? { kind: 'finished' }
      : { kind: 'step', stepId: last.nextStep, after: last.stepId };
  }
  return { kind: 'finished' };
}

/** Failures the run moved past under `on_error: continue` (they make the run COMPLETED_WITH_ERRORS). */
export function continuedFailures(records: readonly StepExecutionRecord[]): number {
  return records.filter((r) => r.status === 'FAILED' && r.nextStep !== null).length;
}

/** The status of a run whose loop reached the end without a fatal failure. */
export function finishedStatus(swallowedFailures: number): RunStatus {
  return swallowedFailures > 0 ? 'COMPLETED_WITH_ERRORS' : 'COMPLETED';
}
