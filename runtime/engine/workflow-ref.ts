/**
 * `id` / `id@version` → the workflow file in the project's workflows directory (the CLI's
 * `agentkernel run code_review_agent@v1` form). Resolution rules (highest version, duplicates)
 * live in definition/registry.ts.
 */
import { WorkflowRegistry } from '../definition/registry.js';
import type { FunctionCatalog } from '../functions/catalog.js';

export async function resolveWorkflowRef(
  ref: string,
  workflowsDir: string,
  functions: FunctionCatalog,
): Promise<string> {
  const registry = await WorkflowRegistry.scan(workflowsDir, { functions });
  return registry.resolve(ref).file;
}
