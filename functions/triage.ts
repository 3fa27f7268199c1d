/** Functions of workflows/branching_triage.yaml: a keyword classifier and the two handlers. */
type Input = Record<string, unknown>;

const CRITICAL = ['down', 'outage', 'crash', '500', 'data loss'];
const HIGH = ['slow', 'timeout', 'latency', '401', 'degraded'];

export type Severity = 'critical' | 'high' | 'low';

/** `{severity, summary}` where summary is `<SEVERITY>: <issue>` (what echo_result prints). */
export function classify_issue(input: Input): { severity: Severity; summary: string } {
  const issue = String(input.issue ?? '');
  const text = issue.toLowerCase();
  const severity: Severity = CRITICAL.some((k) => text.includes(k))
    ? 'critical'
    : HIGH.some((k) => text.includes(k))
      ? 'high'
      : 'low';
  return { severity, summary: `${severity.toUpperCase()}: ${issue}` };
}

export function handle_critical(input: Input): { action: string; message: string } {
  return {
    action: 'page_oncall',
    message: `ESCALATION: ${String(input.issue)} -- Service impact detected. Paging on-call engineer.`,
  };
}

export function handle_normal(input: Input): { action: string; message: string } {
  return {
    action: 'log_ticket',
    message: `Ticket logged: ${String(input.issue)} (severity: ${String(input.severity)})`,
  };
}
