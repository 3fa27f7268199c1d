/** The plain-text state timeline (`visualize --timeline`, `inspect --state-history`, `state-diff`). */
import type { StateDiffEntry } from '../store/state-chain.js';
import { buildRunView, shortJson, type RunViewInput, type StateTimelineEntry } from './model.js';

/** `+ path = value`, `- path (was value)`, `~ path: a -> b`. */
export function formatDiffEntry(entry: StateDiffEntry, maxValue = 80): string {
  switch (entry.op) {
    case '+':
      return `+ ${entry.path} = ${shortJson(entry.after, maxValue)}`;
    case '-':
      return `- ${entry.path} (was ${shortJson(entry.before, maxValue)})`;
    case '~':
      return `~ ${entry.path}: ${shortJson(entry.before, maxValue)} -> ${shortJson(entry.after, maxValue)}`;
  }
}

export function formatTimelineEntry(entry: StateTimelineEntry, indent = ''): string {
  const head =
    entry.version === 0
      ? `${indent}v0 initial state (${entry.createdAt})`
      : `${indent}v${entry.version} after [${entry.executionIndex ?? '?'}] ${entry.stepId ?? '?'} (${entry.createdAt})`;
  const lines =
    entry.diff.length === 0
      ? [`${indent}  (no change)`]
      : entry.diff.map((d) => `${indent}  ${formatDiffEntry(d)}`);
  return [head, ...lines].join('\n');
}

export function renderTimeline(input: RunViewInput): string {
  const view = buildRunView(input);
  const { run } = view;
  const lines = [
    `State timeline of run ${run.runId} | workflow=${run.workflowId}@${run.workflowVersion} | status=${run.status}`,
  ];
  for (const entry of view.stateTimeline) lines.push(formatTimelineEntry(entry));
  return `${lines.join('\n')}\n`;
}
