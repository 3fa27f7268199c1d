/** Pure renderers of a recorded run; the CLI writes them out and the notebook displays them inline. */
export {
  buildRunView,
  loadRunViewInput,
  type BranchDecision,
  type BranchRuleOutcome,
  type ExecutedNode,
  type GraphEdge,
  type RunView,
  type RunViewInput,
  type SkippedNode,
  type StateTimelineEntry,
} from './model.js';
export { renderAscii } from './ascii.js';
export { renderTimeline, formatDiffEntry, formatTimelineEntry } from './timeline.js';
export { renderHtml, escapeHtml, type HtmlOptions } from './html.js';
