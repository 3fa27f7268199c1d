/**
 * The fix for sample 04 (fail-and-resume): sample 04 calls `tools.missing_adapter`, which is not
 * registered, so the run FAILS at `failing_external_call`. Copy this file into the project's
 * `tools/` directory and resume the run: the workflow text is unchanged (integrity lock OK), the
 * tool is now discovered, and the run completes. (Modules under `tools/_*` are not discovered.)
 */
export const missingAdapter = {
  name: 'tools.missing_adapter',
  description: 'Stands in for an external system that was not configured on the first run.',
  inputSchema: { type: 'object', properties: { payload: {} } },
  execute(input: Record<string, unknown>): { delivered: boolean; payload: unknown } {
    return { delivered: true, payload: input.payload ?? null };
  },
};
