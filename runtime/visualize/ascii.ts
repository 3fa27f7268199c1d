/**
 * `visualize --ascii`: the execution graph as a tree (executed steps in order, branch choices and
 * the branches not taken, SKIPPED steps), then branch decisions, step timeline and state timeline.
 */
import { formatTimelineEntry } from './timeline.js';
import { buildRunView, nodeFacts, statusLabel, type RunView, type RunViewInput } from './model.js';

export function renderAscii(input: RunViewInput): string {
  const view = buildRunView(input);
  return (
    [
      header(view),
      executionGraph(view),
      branchDecisions(view),
      stepTimeline(view),
      stateTimeline(view),
    ].join('\n\n') + '\n'
  );
}

function header(view: RunView): string {
  const { run } = view;
  const lines = [
    `Run ${run.runId} | workflow=${run.workflowId}@${run.workflowVersion} | status=${run.status}`,
  ];
  if (run.resumeCount > 0)
    lines.push(`Resumed ${run.resumeCount} time${run.resumeCount === 1 ? '' : 's'}`);
  if (run.error)
    lines.push(`Error: ${run.error.code ? `${run.error.code} ` : ''}${run.error.message}`);
  return lines.join('\n');
}

function executionGraph(view: RunView): string {
  const lines = ['Execution Graph'];
  if (view.executed.length === 0) lines.push('  (no step executed)');
  view.executed.forEach((node, i) => {
    const connector = i === 0 ? '  ' : '  └─> ';
    // Under the node's name: the first node starts at column 2, later ones after `  └─> `.
    const indent = i === 0 ? '    ' : '        ';
    const incoming = view.edges.find(
      (e) => e.kind === 'executed' && e.toIndex === node.executionIndex,
    );
    const via = incoming?.label ? `  [${incoming.label}]` : '';
    const facts = nodeFacts(node);
    lines.push(
      `${connector}${node.stepId} ${statusLabel(node.status)}${facts ? ` ${facts}` : ''}${via}`,
    );
    for (const edge of view.edges) {
      if (edge.kind === 'branch-not-taken' && edge.fromIndex === node.executionIndex) {
        lines.push(`${indent}╌ not taken: ${edge.to} [${edge.label ?? ''}]`);
      }
    }
  });
  for (const node of view.skipped) lines.push(`  ${node.stepId} SKIPPED`);
  return lines.join('\n');
}

function branchDecisions(view: RunView): string {
  const lines = ['Branch Decisions'];
  if (view.branches.length === 0) lines.push('  (none)');
  for (const decision of view.branches) {
    lines.push(
      `  [${decision.executionIndex}] ${decision.stepId} -> ${decision.nextStep ?? '(end)'}`,
    );
    for (const rule of decision.rules) {
      const result = rule.evaluationError
        ? `error: ${rule.evaluationError}`
        : rule.result === null
          ? ''
          : String(rule.result);
      lines.push(
        `      when=${rule.when === 'default' ? "'default'" : rule.when} goto=${rule.goto}${result ? ` result=${result}` : ''}${rule.selected ? ' (selected)' : ''}`,
      );
    }
  }
  return lines.join('\n');
}

function stepTimeline(view: RunView): string {
  const lines = ['Step Timeline'];
  for (const node of view.executed) {
    const target = node.target ? ` ${node.target}` : '';
    const duration = node.durationMs === null ? '' : ` ${Math.round(node.durationMs)}ms`;
    lines.push(
      `  [${node.executionIndex}] ${node.startedAt} ${node.stepId} (${node.stepType}${target}) ${node.status}${duration} attempts=${node.attempts}`,
    );
    if (node.error)
      lines.push(
        `      error: ${node.error.code ? `${node.error.code} ` : ''}${node.error.message}`,
      );
    else if (node.lastError) lines.push(`      last error: ${node.lastError.message}`);
  }
  if (view.executed.length === 0) lines.push('  (no step executed)');
  return lines.join('\n');
}

function stateTimeline(view: RunView): string {
  return ['State Timeline', ...view.stateTimeline.map((e) => formatTimelineEntry(e, '  '))].join(
    '\n',
  );
}
