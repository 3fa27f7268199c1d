/**
 * The run view every renderer draws: executed nodes, never-executed (SKIPPED) steps, edges, branch
 * decisions and the state timeline, built from persisted records only. Branch decisions are not
 * stored as such (as in the Python runtime): each `when` rule is re-evaluated against the state the
 * step left behind, and the selected rule is the one whose target the executor recorded.
 */
import { evaluateExpression, isTruthy } from '../definition/expressions.js';
import type { StepDefinition, WorkflowDefinition } from '../definition/types.js';
import type { SerializedError } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import type {
  RunRecord,
  RunStore,
  StateVersion,
  StepExecutionRecord,
  StepStatus,
} from '../store/run-store.js';
import { applyChanges, diffStates, type StateDiffEntry } from '../store/state-chain.js';

/** What a renderer needs; `definition` adds skipped steps' types and branch rules. */
export interface RunViewInput {
  run: RunRecord;
  steps: StepExecutionRecord[];
  versions: StateVersion[];
  definition?: WorkflowDefinition;
}

export type NodeStatus = StepStatus | 'SKIPPED';

export interface ExecutedNode {
  kind: 'executed';
  executionIndex: number;
  stepId: string;
  stepType: string;
  status: StepStatus;
  attempts: number;
  durationMs: number | null;
  startedAt: string;
  finishedAt: string | null;
  input: JsonValue;
  output: JsonObject | null;
  error: SerializedError | null;
  lastError: SerializedError | null;
  nextStep: string | null;
  /** Tool name, function reference or agent id, from the definition. */
  target: string | null;
}

export interface SkippedNode {
  kind: 'skipped';
  stepId: string;
  stepType: string | null;
  status: 'SKIPPED';
}

export interface BranchRuleOutcome {
  /** The condition text, or `default`. */
  when: string;
  goto: string;
  /** Result of re-evaluating the condition on the step's resulting state; null for `default`. */
  result: boolean | null;
  /** Set when the condition could not be evaluated on the recorded state. */
  evaluationError: string | null;
  selected: boolean;
}

export interface BranchDecision {
  executionIndex: number;
  stepId: string;
  nextStep: string | null;
  rules: BranchRuleOutcome[];
}

export type EdgeKind = 'executed' | 'branch-not-taken';

export interface GraphEdge {
  kind: EdgeKind;
  from: string;
  to: string;
  /** For executed edges: the execution indexes joined. */
  fromIndex: number | null;
  toIndex: number | null;
  label: string | null;
}

export interface StateTimelineEntry {
  version: number;
  /** null for version 0 (the initial state). */
  executionIndex: number | null;
  stepId: string | null;
  createdAt: string;
  diff: StateDiffEntry[];
}

export interface RunView {
  run: RunRecord;
  executed: ExecutedNode[];
  skipped: SkippedNode[];
  edges: GraphEdge[];
  branches: BranchDecision[];
  initialState: JsonObject;
  stateTimeline: StateTimelineEntry[];
  finalState: JsonObject;
}

/** Reads what a view needs from the store. */
export async function loadRunViewInput(
  store: RunStore,
  runId: string,
  definition?: WorkflowDefinition,
): Promise<RunViewInput | null> {
  const run = await store.getRun(runId);
  if (!run) return null;
  const [steps, versions] = await Promise.all([
    store.getSteps(runId),
    store.getStateVersions(runId),
  ]);
  return definition ? { run, steps, versions, definition } : { run, steps, versions };
}

export function buildRunView(input: RunViewInput): RunView {
  const { run, steps, versions, definition } = input;
  const defs = new Map<string, StepDefinition>((definition?.steps ?? []).map((s) => [s.id, s]));
  const executedIds = new Set(steps.map((s) => s.stepId));
  const declaredOrder = definition ? definition.steps.map((s) => s.id) : run.stepIds;

  // Walk the state chain once: the state each execution left behind, and each version's diff.
  const versionByExecution = new Map<number, StateVersion>();
  for (const v of versions)
    if (v.executionIndex !== null) versionByExecution.set(v.executionIndex, v);
  const initialState = versions[0] ? applyChanges({}, versions[0].changes) : {};
  const stateTimeline: StateTimelineEntry[] = [];
  let state = initialState;
  if (versions[0]) {
    stateTimeline.push({
      version: 0,
      executionIndex: null,
      stepId: null,
      createdAt: versions[0].createdAt,
      diff: diffStates({}, initialState),
    });
  }
  for (const v of versions.slice(1)) {
    const next = applyChanges(state, v.changes);
    stateTimeline.push({
      version: v.version,
      executionIndex: v.executionIndex,
      stepId: v.stepId,
      createdAt: v.createdAt,
      diff: diffStates(state, next),
    });
    state = next;
  }
  const finalState = state;

  const executed = steps.map((record) => toNode(record, defs.get(record.stepId)));
  const skipped: SkippedNode[] = declaredOrder
    .filter((id) => !executedIds.has(id))
    .map((id) => ({
      kind: 'skipped',
      stepId: id,
      stepType: defs.get(id)?.type ?? null,
      status: 'SKIPPED',
    }));

  const branches: BranchDecision[] = [];
  let replayed = initialState;
  for (const record of steps) {
    const version = versionByExecution.get(record.executionIndex);
    if (version) replayed = applyChanges(replayed, version.changes);
    const rules = defs.get(record.stepId)?.next;
    if (!rules || record.status === 'RUNNING' || record.status === 'CANCELLED') continue;
    branches.push(decide(record.executionIndex, record.stepId, record.nextStep, rules, replayed));
  }

  const edges: GraphEdge[] = [];
  executed.forEach((node, i) => {
    const next = executed[i + 1];
    if (next) {
      edges.push({
        kind: 'executed',
        from: node.stepId,
        to: next.stepId,
        fromIndex: node.executionIndex,
        toIndex: next.executionIndex,
        label: null,
      });
    }
  });
  for (const decision of branches) {
    for (const rule of decision.rules) {
      if (rule.selected) {
        const edge = edges.find(
          (e) =>
            e.kind === 'executed' && e.fromIndex === decision.executionIndex && e.to === rule.goto,
        );
        if (edge) edge.label = rule.when;
      } else if (rule.goto !== decision.nextStep) {
        const duplicate = edges.some(
          (e) => e.kind === 'branch-not-taken' && e.from === decision.stepId && e.to === rule.goto,
        );
        if (!duplicate) {
          edges.push({
            kind: 'branch-not-taken',
            from: decision.stepId,
            to: rule.goto,
            fromIndex: decision.executionIndex,
            toIndex: null,
            label: rule.when,
          });
        }
      }
    }
  }
  return { run, executed, skipped, edges, branches, initialState, stateTimeline, finalState };
}

function toNode(record: StepExecutionRecord, def: StepDefinition | undefined): ExecutedNode {
  const finished = record.status !== 'RUNNING';
  return {
    kind: 'executed',
    executionIndex: record.executionIndex,
    stepId: record.stepId,
    stepType: record.stepType,
    status: record.status,
    attempts: record.attempts,
    durationMs: finished ? record.durationMs : null,
    startedAt: record.startedAt,
    finishedAt: finished ? record.finishedAt : null,
    input: record.input,
    output: record.status === 'COMPLETED' || record.status === 'DEGRADED' ? record.output : null,
    error:
      record.status === 'DEGRADED' || record.status === 'FAILED' || record.status === 'CANCELLED'
        ? record.error
        : null,
    lastError: record.lastError,
    nextStep: record.status === 'CANCELLED' || record.status === 'RUNNING' ? null : record.nextStep,
    target: def ? targetOf(def) : null,
  };
}

function targetOf(def: StepDefinition): string {
  switch (def.type) {
    case 'agent':
      return def.agent;
    case 'function':
      return def.function;
    case 'tool':
      return def.tool;
    case 'input':
      return def.prompt;
  }
}

function decide(
  executionIndex: number,
  stepId: string,
  nextStep: string | null,
  rules: NonNullable<StepDefinition['next']>,
  state: JsonObject,
): BranchDecision {
  let selectedOne = false;
  const outcomes = rules.map((rule): BranchRuleOutcome => {
    const selected = !selectedOne && rule.goto === nextStep;
    if (selected) selectedOne = true;
    if (rule.kind === 'default')
      return { when: 'default', goto: rule.goto, result: null, evaluationError: null, selected };
    try {
      return {
        when: rule.when,
        goto: rule.goto,
        result: isTruthy(evaluateExpression(rule.expr, state)),
        evaluationError: null,
        selected,
      };
    } catch (e) {
      return {
        when: rule.when,
        goto: rule.goto,
        result: null,
        evaluationError: e instanceof Error ? e.message : String(e),
        selected,
      };
    }
  });
  return { executionIndex, stepId, nextStep, rules: outcomes };
}

/** `OK`, `FAILED`…: the short label the text renderers print. */
export function statusLabel(status: NodeStatus): string {
  return status === 'COMPLETED' ? 'OK' : status;
}

/** `(12ms, retry 1)`. */
export function nodeFacts(node: ExecutedNode): string {
  const facts: string[] = [];
  if (node.durationMs !== null) facts.push(`${Math.round(node.durationMs)}ms`);
  if (node.attempts > 1) facts.push(`retry ${node.attempts - 1}`);
  return facts.length > 0 ? `(${facts.join(', ')})` : '';
}

/** Compact one-line JSON for text output, cut at `max` characters. */
export function shortJson(value: JsonValue | undefined, max = 80): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
