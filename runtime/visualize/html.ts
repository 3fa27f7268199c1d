/**
 * `visualize --html`: ONE self-contained HTML page (inline CSS, inline SVG, no script, no external
 * URL) so it opens offline, can be mailed, and can be shown inline in a notebook output. Every value
 * from the run goes through `escapeHtml`: step outputs are model text and must never become markup.
 */
import type { JsonValue } from '../json.js';
import { formatDiffEntry } from './timeline.js';
import {
  buildRunView,
  nodeFacts,
  statusLabel,
  type ExecutedNode,
  type NodeStatus,
  type RunView,
  type RunViewInput,
} from './model.js';

export interface HtmlOptions {
  /** Page title; defaults to `Run <id>`. */
  title?: string;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STATUS_COLORS: Record<NodeStatus, string> = {
  COMPLETED: '#2e7d32',
  DEGRADED: '#ef6c00',
  FAILED: '#c62828',
  CANCELLED: '#6d4c41',
  RUNNING: '#1565c0',
  SKIPPED: '#9e9e9e',
};

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#212121;background:#fafafa}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555} .err{color:#c62828} code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
pre{background:#fff;border:1px solid #e0e0e0;padding:8px;overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-word}
table{border-collapse:collapse;background:#fff} th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0} .badge{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
details{background:#fff;border:1px solid #e0e0e0;margin:6px 0;padding:4px 8px} summary{cursor:pointer}
.graph{background:#fff;border:1px solid #e0e0e0;overflow:auto;max-height:640px}
.plus{color:#2e7d32} .minus{color:#c62828} .tilde{color:#ef6c00}
`;

export function renderHtml(input: RunViewInput, options: HtmlOptions = {}): string {
  const view = buildRunView(input);
  const { run } = view;
  const title = options.title ?? `Run ${run.runId}`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<div class="meta">workflow <code>${escapeHtml(run.workflowId)}@${escapeHtml(run.workflowVersion)}</code> · status ${badge(run.status === 'COMPLETED' ? 'COMPLETED' : run.status === 'COMPLETED_WITH_ERRORS' ? 'DEGRADED' : run.status, run.status)} · created ${escapeHtml(run.createdAt)}${run.completedAt ? ` · finished ${escapeHtml(run.completedAt)}` : ''}${run.resumeCount > 0 ? ` · resumed ${run.resumeCount}×` : ''}</div>`,
    run.error ? `<p class="err">${escapeHtml(errorText(run.error))}</p>` : '',
    '<h2>Execution graph</h2>',
    `<div class="graph">${graphSvg(view)}</div>`,
    '<h2>Branch decisions</h2>',
    branchTable(view),
    '<h2>Step timeline</h2>',
    stepTable(view),
    '<h2>Steps</h2>',
    view.executed.map(stepDetails).join('\n') || '<p>No step executed.</p>',
    '<h2>State timeline</h2>',
    stateTimeline(view),
    '<h2>Final state</h2>',
    `<pre>${escapeHtml(pretty(view.finalState))}</pre>`,
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.filter((part) => part !== '').join('\n')}
</body>
</html>
`;
}

function badge(status: NodeStatus, text: string): string {
  return `<span class="badge" style="background:${STATUS_COLORS[status]}">${escapeHtml(text)}</span>`;
}

function errorText(e: { code?: string; message: string }): string {
  return `${e.code ? `${e.code} ` : ''}${e.message}`;
}

function pretty(value: JsonValue | null): string {
  return JSON.stringify(value, null, 2);
}

// Layout: executed nodes top to bottom in execution order (left column), skipped steps in a right
// column; solid arrows join consecutive executions, dashed ones show branches not taken.
const NODE_W = 260;
const NODE_H = 40;
const ROW = 60;
const LEFT_X = 20;
const RIGHT_X = 380;
const TOP = 20;

function graphSvg(view: RunView): string {
  const executedPos = new Map<number, { x: number; y: number }>();
  view.executed.forEach((n, i) =>
    executedPos.set(n.executionIndex, { x: LEFT_X, y: TOP + i * ROW }),
  );
  const skippedPos = new Map<string, { x: number; y: number }>();
  view.skipped.forEach((n, i) => skippedPos.set(n.stepId, { x: RIGHT_X, y: TOP + i * ROW }));
  const rows = Math.max(view.executed.length, view.skipped.length, 1);
  const width = RIGHT_X + NODE_W + 20;
  const height = TOP * 2 + rows * ROW;

  const parts: string[] = [
    `<svg role="img" aria-label="execution graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
  ];
  for (const edge of view.edges) {
    const from = edge.fromIndex === null ? undefined : executedPos.get(edge.fromIndex);
    if (!from) continue;
    if (edge.kind === 'executed') {
      const to = edge.toIndex === null ? undefined : executedPos.get(edge.toIndex);
      if (!to) continue;
      const x = from.x + NODE_W / 2;
      parts.push(
        `<line x1="${x}" y1="${from.y + NODE_H}" x2="${x}" y2="${to.y}" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>`,
      );
      if (edge.label)
        parts.push(
          `<text x="${x + 6}" y="${to.y - 6}" font-size="10" fill="#555">${escapeHtml(edge.label)}</text>`,
        );
    } else {
      const skippedTarget = skippedPos.get(edge.to);
      const executedTarget = view.executed.find((n) => n.stepId === edge.to);
      const to = skippedTarget
        ? { x: skippedTarget.x, y: skippedTarget.y + NODE_H / 2 }
        : executedTarget
          ? {
              x: LEFT_X + NODE_W,
              y: (executedPos.get(executedTarget.executionIndex)?.y ?? 0) + NODE_H / 2,
            }
          : undefined;
      if (!to) continue;
      const x1 = from.x + NODE_W;
      const y1 = from.y + NODE_H / 2;
      const cx = Math.max(x1, to.x) + 40;
      parts.push(
        `<path d="M${x1},${y1} C${cx},${y1} ${cx},${to.y} ${to.x},${to.y}" fill="none" stroke="#9e9e9e" stroke-dasharray="5,4" marker-end="url(#arrow)"><title>${escapeHtml(`not taken: ${edge.label ?? ''} -> ${edge.to}`)}</title></path>`,
      );
    }
  }
  for (const node of view.executed) {
    const pos = executedPos.get(node.executionIndex) ?? { x: LEFT_X, y: TOP };
    parts.push(
      nodeBox(
        pos.x,
        pos.y,
        node.status,
        `[${node.executionIndex}] ${node.stepId}`,
        `${statusLabel(node.status)} ${nodeFacts(node)}`.trim(),
      ),
    );
  }
  for (const node of view.skipped) {
    const pos = skippedPos.get(node.stepId) ?? { x: RIGHT_X, y: TOP };
    parts.push(nodeBox(pos.x, pos.y, 'SKIPPED', node.stepId, 'SKIPPED'));
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function nodeBox(
  x: number,
  y: number,
  status: NodeStatus,
  title: string,
  subtitle: string,
): string {
  const color = STATUS_COLORS[status];
  const dash = status === 'SKIPPED' ? ' stroke-dasharray="4,3"' : '';
  return [
    `<g class="node node-${status.toLowerCase()}">`,
    `<rect x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="6" fill="#fff" stroke="${color}" stroke-width="2"${dash}/>`,
    `<text x="${x + 10}" y="${y + 17}" font-size="13" font-weight="600" fill="#212121">${escapeHtml(title)}</text>`,
    `<text x="${x + 10}" y="${y + 32}" font-size="11" fill="${color}">${escapeHtml(subtitle)}</text>`,
    '</g>',
  ].join('');
}

function branchTable(view: RunView): string {
  if (view.branches.length === 0) return '<p>No branch rules were evaluated.</p>';
  const rows = view.branches.flatMap((d) =>
    d.rules.map(
      (r) =>
        `<tr><td>[${d.executionIndex}] ${escapeHtml(d.stepId)}</td><td><code>${escapeHtml(r.when)}</code></td><td>${escapeHtml(r.goto)}</td><td>${escapeHtml(r.evaluationError ? `error: ${r.evaluationError}` : r.result === null ? '' : String(r.result))}</td><td>${r.selected ? '✓ selected' : ''}</td></tr>`,
    ),
  );
  return `<table><tr><th>Step</th><th>When</th><th>Goto</th><th>Result</th><th></th></tr>${rows.join('')}</table>`;
}

function stepTable(view: RunView): string {
  const rows = view.executed.map(
    (n) =>
      `<tr><td>${n.executionIndex}</td><td>${escapeHtml(n.stepId)}</td><td>${escapeHtml(n.stepType)}${n.target ? ` <code>${escapeHtml(n.target)}</code>` : ''}</td><td>${badge(n.status, n.status)}</td><td>${n.attempts}</td><td>${escapeHtml(n.startedAt)}</td><td>${n.durationMs === null ? '' : `${Math.round(n.durationMs)} ms`}</td><td>${escapeHtml(n.nextStep ?? '')}</td></tr>`,
  );
  const skipped = view.skipped.map(
    (s) =>
      `<tr><td></td><td>${escapeHtml(s.stepId)}</td><td>${escapeHtml(s.stepType ?? '')}</td><td>${badge('SKIPPED', 'SKIPPED')}</td><td colspan="4"></td></tr>`,
  );
  return `<table><tr><th>#</th><th>Step</th><th>Type</th><th>Status</th><th>Attempts</th><th>Started</th><th>Duration</th><th>Next</th></tr>${[...rows, ...skipped].join('')}</table>`;
}

function stepDetails(n: ExecutedNode): string {
  const sections = [
    `<h4>Input</h4><pre>${escapeHtml(pretty(n.input))}</pre>`,
    n.output ? `<h4>Output</h4><pre>${escapeHtml(pretty(n.output))}</pre>` : '',
    n.error
      ? `<h4>Error</h4><pre class="err">${escapeHtml(n.error.stack ?? errorText(n.error))}</pre>`
      : '',
    n.lastError && !n.error
      ? `<h4>Last failed attempt</h4><pre>${escapeHtml(errorText(n.lastError))}</pre>`
      : '',
  ];
  return `<details><summary>[${n.executionIndex}] ${escapeHtml(n.stepId)} ${badge(n.status, statusLabel(n.status))} ${escapeHtml(nodeFacts(n))}</summary>${sections.join('')}</details>`;
}

function stateTimeline(view: RunView): string {
  const items = view.stateTimeline.map((e) => {
    const head =
      e.version === 0
        ? 'v0 initial state'
        : `v${e.version} after [${e.executionIndex ?? '?'}] ${e.stepId ?? '?'}`;
    const diffs = e.diff.map((d) => {
      const cls = d.op === '+' ? 'plus' : d.op === '-' ? 'minus' : 'tilde';
      return `<div class="${cls}"><code>${escapeHtml(formatDiffEntry(d))}</code></div>`;
    });
    return `<li><b>${escapeHtml(head)}</b> <span class="meta">${escapeHtml(e.createdAt)}</span>${diffs.join('') || '<div class="meta">(no change)</div>'}</li>`;
  });
  return `<ol start="0">${items.join('')}</ol>`;
}
