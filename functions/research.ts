/** Deterministic steps of the research workflow (`research.<export>`). */
type Input = Record<string, unknown>;

const ITEM = /^\s*(?:\d+[.)]|[-*•])\s+(.*\S)\s*$/;

/** Numbered (`1.`, `2)`) and bulleted (`-`, `*`, `•`) lines of `text`, without their markers. */
export function extract_action_items(input: Input): { action_items: string[]; count: number } {
  const items = String(input.text ?? '')
    .split(/\r?\n/)
    .flatMap((line) => {
      const m = ITEM.exec(line);
      return m ? [m[1]!] : [];
    });
  return { action_items: items, count: items.length };
}

/** A short Markdown brief: topic, findings and the action items as a checklist. */
export function format_brief(input: Input): { brief: string } {
  const items = Array.isArray(input.action_items) ? input.action_items.map(String) : [];
  const lines = [
    `# Brief: ${String(input.topic ?? '')}`,
    '',
    '## Findings',
    String(input.findings ?? ''),
    '',
    `## Actions (${items.length})`,
    ...items.map((item) => `- [ ] ${item}`),
  ];
  return { brief: lines.join('\n') };
}
