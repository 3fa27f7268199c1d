/**
 * `tools.runbook`: the on-call runbook entry for a service (a fixed table, so the notebook runs
 * offline). Any module in tools/ exporting Tool-shaped objects is discovered automatically.
 */
const RUNBOOKS: Record<string, string> = {
  checkout: 'Check the payment gateway status page, then roll back the last checkout deploy.',
  search: 'Restart the search indexer and watch the query latency dashboard.',
};

export const runbook = {
  name: 'tools.runbook',
  description: 'Returns the on-call runbook entry for a service.',
  inputSchema: {
    type: 'object',
    properties: { service: { type: 'string' } },
    required: ['service'],
  },
  execute(input: Record<string, unknown>): { service: string; steps: string } {
    const service = String(input.service).toLowerCase();
    return { service, steps: RUNBOOKS[service] ?? 'No runbook entry: escalate to the service owner.' };
  },
};
