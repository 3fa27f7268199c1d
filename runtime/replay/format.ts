/** Text lines for a replay, shared by the CLI and the notebook's `%replay`. */
import type { ReplayResult, ReplayedStep } from './replay.js';

/** `[2] summarize (function) status=COMPLETED attempts=2 (replayed)` plus one line per state change. */
export function formatReplayedStep(step: ReplayedStep): string {
  const lines = [
    `[${step.executionIndex}] ${step.stepId} (${step.stepType}) status=${step.status} attempts=${step.attempts} (replayed)`,
  ];
  if (step.error)
    lines.push(`    error: ${step.error.code ? `${step.error.code} ` : ''}${step.error.message}`);
  for (const d of step.diff) lines.push(`    ${d.op} ${d.path}`);
  return lines.join('\n');
}

export function formatReplaySummary(result: ReplayResult): string {
  const head = `Replayed ${result.steps.length} step execution${result.steps.length === 1 ? '' : 's'} of run ${result.run.runId}`;
  const until = result.stoppedAt ? ` (until ${result.stoppedAt})` : '';
  const verified = result.verified ? '; state chain verified' : '';
  return `${head}${until}${verified}; run status ${result.run.status}`;
}
