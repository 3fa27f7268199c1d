/**
 * The `agents` load option for a workflow text in a project, for the engine's loaders to spread
 * into parseWorkflow/analyzeWorkflow options next to `functions` (added by G2).
 *
 * Why the text test and the dynamic import: agent files are YAML and the agent loader brings its
 * parser, which a workflow of functions and tools must not pay for (sync-bridge cold start). A
 * workflow with an agent step necessarily contains the word "agent" (`type: agent`), so any other
 * workflow skips the catalog, and a false positive only costs the load.
 */
import type { AgentCatalog } from '../definition/load.js';

export async function agentCatalogOption(
  agentsDir: string,
  workflowText: string,
): Promise<{ agents?: AgentCatalog }> {
  if (!workflowText.includes('agent')) return {};
  const { loadAgentCatalog } = await import('./catalog.js');
  const agents = loadAgentCatalog(agentsDir);
  return agents ? { agents } : {};
}
