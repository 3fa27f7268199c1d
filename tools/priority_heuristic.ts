/**
 * `tools.priority_heuristic`: keyword priority (P0 critical / P1 high / P2 medium), the example
 * project's tool. Any module in tools/ exporting Tool-shaped objects is discovered automatically.
 */
export const priorityHeuristic = {
  name: 'tools.priority_heuristic',
  description: 'Assigns a priority label to an issue text from keywords.',
  inputSchema: { type: 'object', properties: { issue: { type: 'string' } }, required: ['issue'] },
  execute(input: Record<string, unknown>): { priority: string } {
    const text = String(input.issue).toLowerCase();
    if (/down|outage|crash|data loss/.test(text)) return { priority: 'P0 (critical)' };
    if (/slow|timeout|error|fail/.test(text)) return { priority: 'P1 (high)' };
    return { priority: 'P2 (medium)' };
  },
};
