/**
 * Agent registry: every `*.yaml`/`*.yml` under the agents directory, by (id, version). `get`
 * takes `id` (the highest version) or `id@vN` (that version). Files are read on first use and
 * cached; `reload()` re-reads them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { excerpt } from '../definition/diagnostics.js';
import { compareVersions } from '../definition/registry.js';
import type { Diagnostic } from '../errors.js';
import { AgentDefinitionError, AgentNotFoundError } from './errors.js';
import { loadAgentFile } from './load.js';
import type { AgentDefinition } from './types.js';

export class AgentRegistry {
  private byId = new Map<string, AgentDefinition[]>();

  private constructor(readonly agentsDir: string) {}

  /** Loads every agent file; a broken file or a duplicate id@version throws with all problems. */
  static load(agentsDir: string): AgentRegistry {
    const registry = new AgentRegistry(agentsDir);
    registry.reload();
    return registry;
  }

  /** Builds a registry from definitions already in memory (API use, tests). */
  static of(agents: AgentDefinition[], agentsDir = '<api>'): AgentRegistry {
    const registry = new AgentRegistry(agentsDir);
    for (const agent of agents) registry.add(agent);
    return registry;
  }

  reload(): void {
    this.byId.clear();
    const problems: Diagnostic[] = [];
    for (const file of listYaml(this.agentsDir)) {
      try {
        this.add(loadAgentFile(file));
      } catch (error) {
        if (error instanceof AgentDefinitionError) problems.push(...error.diagnostics);
        else throw error;
      }
    }
    if (problems.length > 0) throw new AgentDefinitionError(problems);
  }

  add(agent: AgentDefinition): void {
    const list = this.byId.get(agent.id) ?? [];
    const clash = list.find((a) => a.version === agent.version);
    if (clash)
      throw new AgentDefinitionError([
        {
          code: 'DUPLICATE_AGENT',
          severity: 'error',
          message: `agent ${agent.id}@${agent.version} is defined twice (also in ${clash.source.file})`,
          file: agent.source.file,
          line: 1,
          col: 1,
          excerpt: excerpt('', 1, 1),
        },
      ]);
    list.push(agent);
    list.sort((a, b) => compareVersions(a.version, b.version));
    this.byId.set(agent.id, list);
  }

  /** Whether `get(ref)` would find an agent. */
  has(ref: string): boolean {
    return this.find(ref) !== undefined;
  }

  get(ref: string): AgentDefinition {
    const found = this.find(ref);
    if (!found) throw new AgentNotFoundError(ref, this.refs(), this.agentsDir);
    return found;
  }

  private find(ref: string): AgentDefinition | undefined {
    const at = ref.lastIndexOf('@');
    const id = at > 0 ? ref.slice(0, at) : ref;
    const version = at > 0 ? ref.slice(at + 1) : undefined;
    const list = this.byId.get(id) ?? [];
    return version === undefined ? list[list.length - 1] : list.find((a) => a.version === version);
  }

  refs(): string[] {
    return [...this.byId.values()]
      .flat()
      .map((a) => `${a.id}@${a.version}`)
      .sort();
  }
}

function listYaml(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listYaml(full));
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}
