/**
 * The project's agents as the workflow loader's AgentCatalog, so an agent step naming an agent
 * that does not exist is a load-time diagnostic (UNKNOWN_AGENT, with did-you-mean) instead of a
 * failure when the run reaches the step.
 */
import { existsSync } from 'node:fs';
import type { AgentCatalog } from '../definition/load.js';
import { AgentDefinitionError } from './errors.js';
import { AgentRegistry } from './registry.js';

/**
 * The catalog of `agentsDir`: empty when the directory does not exist (no agent step can run);
 * undefined (no check) when an agent file is broken, so the step that needs the agents reports
 * the file's own diagnostics when it runs, and workflows that do not use them are not blocked.
 */
export function loadAgentCatalog(agentsDir: string): AgentCatalog | undefined {
  if (!existsSync(agentsDir)) return { has: () => false, list: () => [] };
  let registry: AgentRegistry;
  try {
    registry = AgentRegistry.load(agentsDir);
  } catch (error) {
    if (error instanceof AgentDefinitionError) return undefined;
    throw error;
  }
  return { has: (ref) => registry.has(ref), list: () => registry.refs() };
}
