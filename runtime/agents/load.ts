/**
 * Agent file loader: YAML text → AgentDefinition, or an AgentDefinitionError listing every problem
 * with its file:line:col (the same collector and typed reads as the workflow loader).
 */
import { readFileSync } from 'node:fs';
import { isScalar, type YAMLMap } from 'yaml';
import { parseExpression } from '../definition/expressions.js';
import { normalizeVersion } from '../definition/load.js';
import { compareVersions } from '../definition/registry.js';
import { checkSchemaVersion, parseYamlFile } from '../definition/yaml-document.js';
import type { Entry, YamlReader } from '../definition/yaml-read.js';
import type { JsonObject, JsonValue } from '../json.js';
import { isJsonObject } from '../json.js';
import { AgentDefinitionError } from './errors.js';
import {
  AGENT_DEFAULTS,
  type AgentDefinition,
  type AgentStrategy,
  type PipelineStep,
  type PromptEntry,
  type StopCondition,
} from './types.js';

const TOP_KEYS = ['schema_version', 'agent', 'prompts'] as const;
const AGENT_KEYS = [
  'id',
  'version',
  'description',
  'model',
  'system',
  'tools',
  'strategy',
  'auto_tool_prompt',
  'output_key',
  'temperature',
  'max_tokens',
  'params',
  'memory_injection',
  'prompts',
  'pipeline',
] as const;
const STRATEGY_KEYS = ['type', 'max_iterations', 'stop_conditions'] as const;
const STEP_KEYS = ['id', 'type', 'prompt', 'model', 'system', 'tool', 'inputs'] as const;
const PROMPT_KEYS = ['id', 'version', 'text', 'description'] as const;
const PROMPT_REF = /^prompts\.([A-Za-z0-9_\-]+)(?:@(v\d+(?:\.\d+)?))?$/;

export function loadAgentFile(file: string): AgentDefinition {
  return parseAgent(readFileSync(file, 'utf8'), file);
}

/** Parses one agent file; throws AgentDefinitionError with every problem found. */
export function parseAgent(text: string, file: string): AgentDefinition {
  const { out, reader: r } = parseYamlFile(text, file);
  if (!r) throw new AgentDefinitionError(out.sorted());
  const root = r.deref(r.doc.contents);
  const rootMap = r.map(root, 0, 'an agent file');
  if (!rootMap) throw new AgentDefinitionError(out.sorted());
  const top = r.checkKeys(r.entries(rootMap), TOP_KEYS, 'the agent file');
  const get = (entries: Entry[], key: string) => entries.find((e) => e.key === key);

  const schema = get(top, 'schema_version');
  if (!schema)
    out.error('MISSING_KEY', rootMap, `missing 'schema_version' (add schema_version: v1)`);
  else checkSchemaVersion(r, schema);
  const agentEntry = get(top, 'agent');
  if (!agentEntry) {
    out.error('MISSING_KEY', rootMap, `missing 'agent' (the agent's id, version, pipeline…)`);
    throw new AgentDefinitionError(out.sorted());
  }
  const agentMap = r.map(agentEntry.value, agentEntry.at, 'agent');
  if (!agentMap) throw new AgentDefinitionError(out.sorted());
  const a = r.checkKeys(r.entries(agentMap), AGENT_KEYS, 'agent');

  const id = required(r, a, 'id', agentMap, (e) => r.name(e.value, e.at, 'agent.id'));
  const versionEntry = get(a, 'version');
  let version: string | undefined;
  if (!versionEntry)
    out.error('MISSING_KEY', agentMap, `missing 'agent.version' (e.g. version: v1)`);
  else {
    const raw = isScalar(versionEntry.value) ? versionEntry.value.value : undefined;
    version =
      typeof raw === 'string' || typeof raw === 'number' ? normalizeVersion(raw) : undefined;
    if (!version)
      out.error(
        'INVALID_VALUE',
        versionEntry.at,
        `agent.version must look like v1 or v1.2, not ${r.describe(versionEntry.value)}`,
      );
  }

  const prompts = [...readPrompts(r, get(top, 'prompts')), ...readPrompts(r, get(a, 'prompts'))];
  const resolvePrompt = (value: string, at: Entry['at']): string | undefined => {
    const m = PROMPT_REF.exec(value.trim());
    if (!m) return value;
    const candidates = prompts.filter(
      (p) => p.id === m[1] && (m[2] === undefined || p.version === m[2]),
    );
    candidates.sort((x, y) => compareVersions(y.version, x.version));
    const found = candidates[0];
    if (!found) {
      out.error(
        'UNKNOWN_PROMPT_REF',
        at,
        `'${value}' names no prompt defined in this file (prompts: [{id, version, text}])`,
      );
      return undefined;
    }
    return found.text;
  };

  const opt = <T>(key: string, read: (e: Entry) => T | undefined): T | undefined => {
    const e = get(a, key);
    return e && !r.isEmpty(e.value) ? read(e) : undefined;
  };
  const description = opt('description', (e) => r.string(e.value, e.at, 'agent.description'));
  const model = opt('model', (e) => r.name(e.value, e.at, 'agent.model'));
  const systemRaw = opt('system', (e) => {
    const s = r.string(e.value, e.at, 'agent.system');
    return s === undefined ? undefined : resolvePrompt(s, e.at);
  });
  const tools = opt('tools', (e) => readTools(r, e)) ?? [];
  const strategy = opt('strategy', (e) => readStrategy(r, e)) ?? {
    type: 'single',
    maxIterations: 1,
    stopConditions: [],
  };
  const outputKey =
    opt('output_key', (e) => r.name(e.value, e.at, 'agent.output_key')) ?? AGENT_DEFAULTS.outputKey;
  const temperature =
    opt('temperature', (e) => r.number(e.value, e.at, 'agent.temperature', { min: 0, max: 2 })) ??
    AGENT_DEFAULTS.temperature;
  const maxTokens =
    opt('max_tokens', (e) =>
      r.number(e.value, e.at, 'agent.max_tokens', { integer: true, min: 1 }),
    ) ?? AGENT_DEFAULTS.maxTokens;
  const params =
    opt('params', (e) => {
      const m = r.map(e.value, e.at, 'agent.params');
      const v = m ? r.json(m) : undefined;
      return isJsonObject(v ?? null) ? (v as JsonObject) : undefined;
    }) ?? {};
  const autoToolPrompt =
    opt('auto_tool_prompt', (e) => r.boolean(e.value, e.at, 'agent.auto_tool_prompt')) ?? true;
  opt('memory_injection', (e) => r.seq(e.value, e.at, 'agent.memory_injection'));

  const pipelineEntry = get(a, 'pipeline');
  let pipeline: PipelineStep[] = [];
  if (!pipelineEntry || r.isEmpty(pipelineEntry.value))
    out.error(
      'MISSING_KEY',
      pipelineEntry?.at ?? agentMap,
      `agent.pipeline needs at least one step (e.g. - {id: main, type: model, prompt: "…"})`,
    );
  else pipeline = readPipeline(r, pipelineEntry, tools, resolvePrompt);

  if (out.hasErrors() || id === undefined || version === undefined)
    throw new AgentDefinitionError(out.sorted());
  return {
    schemaVersion: 'v1',
    id,
    version,
    ...(description !== undefined && { description }),
    ...(model !== undefined && { model }),
    ...(systemRaw !== undefined && { system: systemRaw }),
    tools,
    strategy,
    outputKey,
    temperature,
    maxTokens,
    params,
    autoToolPrompt,
    prompts,
    pipeline,
    source: { file },
  };
}

function required<T>(
  r: YamlReader,
  entries: Entry[],
  key: string,
  map: YAMLMap,
  read: (e: Entry) => T | undefined,
): T | undefined {
  const e = entries.find((x) => x.key === key);
  if (!e) {
    r.out.error('MISSING_KEY', map, `missing 'agent.${key}'`);
    return undefined;
  }
  return read(e);
}

function readTools(r: YamlReader, e: Entry): string[] {
  if (isScalar(e.value)) {
    const one = r.name(e.value, e.at, 'agent.tools');
    return one === undefined ? [] : [one];
  }
  const seq = r.seq(e.value, e.at, 'agent.tools');
  if (!seq) return [];
  return r.items(seq).flatMap((item) => {
    const name = r.name(item, item, 'an entry of agent.tools');
    return name === undefined ? [] : [name];
  });
}

function readStrategy(r: YamlReader, e: Entry): AgentStrategy | undefined {
  const types = ['single', 'react'] as const;
  if (isScalar(e.value)) {
    const type = r.choice(e.value, e.at, 'agent.strategy', types);
    if (type === undefined) return undefined;
    return {
      type,
      maxIterations: type === 'react' ? AGENT_DEFAULTS.maxIterations : 1,
      stopConditions: [],
    };
  }
  const map = r.map(e.value, e.at, 'agent.strategy');
  if (!map) return undefined;
  const s = r.checkKeys(r.entries(map), STRATEGY_KEYS, 'agent.strategy');
  const typeEntry = s.find((x) => x.key === 'type');
  const type = typeEntry
    ? r.choice(typeEntry.value, typeEntry.at, 'agent.strategy.type', types)
    : 'single';
  if (!typeEntry) r.out.error('MISSING_KEY', map, `agent.strategy needs a type (single or react)`);
  const maxEntry = s.find((x) => x.key === 'max_iterations');
  const maxIterations = maxEntry
    ? r.number(maxEntry.value, maxEntry.at, 'agent.strategy.max_iterations', {
        integer: true,
        min: 1,
      })
    : undefined;
  const stopConditions: StopCondition[] = [];
  const stopEntry = s.find((x) => x.key === 'stop_conditions');
  if (stopEntry && !r.isEmpty(stopEntry.value)) {
    const seq = r.seq(stopEntry.value, stopEntry.at, 'agent.strategy.stop_conditions');
    for (const item of seq ? r.items(seq) : []) {
      const text = r.name(item, item, 'a stop condition');
      if (text === undefined) continue;
      try {
        stopConditions.push({ text, expr: parseExpression(text) });
      } catch (error) {
        r.out.error(
          'INVALID_EXPRESSION',
          item,
          `stop condition does not parse: ${(error as Error).message}`,
        );
      }
    }
  }
  if (type === undefined) return undefined;
  return {
    type,
    maxIterations: type === 'single' ? 1 : (maxIterations ?? AGENT_DEFAULTS.maxIterations),
    stopConditions,
  };
}

function readPrompts(r: YamlReader, e: Entry | undefined): PromptEntry[] {
  if (!e || r.isEmpty(e.value)) return [];
  const seq = r.seq(e.value, e.at, 'prompts');
  if (!seq) return [];
  const out: PromptEntry[] = [];
  for (const item of r.items(seq)) {
    const map = r.map(item, item, 'a prompt');
    if (!map) continue;
    const entries = r.checkKeys(r.entries(map), PROMPT_KEYS, 'a prompt');
    const field = (k: string) => entries.find((x) => x.key === k);
    const id = field('id') ? r.name(field('id')!.value, field('id')!.at, 'prompt id') : undefined;
    const text = field('text')
      ? r.string(field('text')!.value, field('text')!.at, 'prompt text')
      : undefined;
    const vRaw =
      field('version') && isScalar(field('version')!.value)
        ? (field('version')!.value as { value: unknown }).value
        : 'v1';
    const version =
      typeof vRaw === 'string' || typeof vRaw === 'number' ? normalizeVersion(vRaw) : undefined;
    if (!field('id') || !field('text'))
      r.out.error('MISSING_KEY', map, 'a prompt needs id and text');
    const description = field('description')
      ? r.string(field('description')!.value, field('description')!.at, 'prompt description')
      : undefined;
    if (id !== undefined && text !== undefined && version !== undefined)
      out.push({ id, version, text, ...(description !== undefined && { description }) });
  }
  return out;
}

function readPipeline(
  r: YamlReader,
  e: Entry,
  tools: string[],
  resolvePrompt: (value: string, at: Entry['at']) => string | undefined,
): PipelineStep[] {
  const seq = r.seq(e.value, e.at, 'agent.pipeline');
  if (!seq) return [];
  const steps: PipelineStep[] = [];
  const seen = new Set<string>();
  for (const item of r.items(seq)) {
    const map = r.map(item, item, 'a pipeline step');
    if (!map) continue;
    const entries = r.checkKeys(r.entries(map), STEP_KEYS, 'a pipeline step');
    const field = (k: string) => entries.find((x) => x.key === k);
    const idE = field('id');
    const id = idE ? r.name(idE.value, idE.at, 'pipeline step id') : undefined;
    if (!idE) r.out.error('MISSING_KEY', map, `a pipeline step needs an id`);
    if (id !== undefined) {
      if (seen.has(id) || id === 'inputs')
        r.out.error(
          'DUPLICATE_STEP_ID',
          idE!.value,
          `pipeline step id '${id}' is used twice (or is the reserved 'inputs')`,
        );
      seen.add(id);
    }
    const typeE = field('type');
    const type = typeE
      ? r.choice(typeE.value, typeE.at, 'pipeline step type', ['model', 'tool'] as const)
      : undefined;
    if (!typeE)
      r.out.error(
        'MISSING_KEY',
        map,
        `pipeline step '${id ?? '?'}' needs type: model or type: tool`,
      );
    if (type === 'model') {
      const promptE = field('prompt');
      if (!promptE) r.out.error('MISSING_KEY', map, `model step '${id ?? '?'}' needs a prompt`);
      const prompt = promptE ? r.string(promptE.value, promptE.at, 'prompt') : undefined;
      const model = field('model')
        ? r.name(field('model')!.value, field('model')!.at, 'model')
        : undefined;
      const sysE = field('system');
      const sysRaw = sysE ? r.string(sysE.value, sysE.at, 'system') : undefined;
      const system = sysRaw !== undefined && sysE ? resolvePrompt(sysRaw, sysE.at) : undefined;
      const resolvedPrompt =
        prompt !== undefined && promptE ? resolvePrompt(prompt, promptE.at) : undefined;
      for (const k of ['tool', 'inputs'])
        if (field(k))
          r.out.error(
            'CONFLICTING_KEY',
            field(k)!.keyNode,
            `'${k}' belongs to tool steps, not model steps`,
          );
      if (id !== undefined && resolvedPrompt !== undefined)
        steps.push({
          id,
          type: 'model',
          prompt: resolvedPrompt,
          ...(model !== undefined && { model }),
          ...(system !== undefined && { system }),
        });
    } else if (type === 'tool') {
      const toolE = field('tool');
      if (!toolE) r.out.error('MISSING_KEY', map, `tool step '${id ?? '?'}' needs a tool`);
      const tool = toolE ? r.name(toolE.value, toolE.at, 'tool') : undefined;
      if (tool !== undefined && !tools.includes(tool))
        r.out.error(
          'TOOL_NOT_IN_ALLOWLIST',
          toolE!.value,
          `tool '${tool}' is not in the agent's tools allowlist (${tools.join(', ') || 'empty'})`,
        );
      const inputsE = field('inputs');
      let inputs: Record<string, JsonValue> = {};
      if (inputsE && !r.isEmpty(inputsE.value)) {
        const m = r.map(inputsE.value, inputsE.at, 'inputs');
        const v = m ? r.json(m) : null;
        if (isJsonObject(v)) inputs = v;
      }
      for (const k of ['prompt', 'model', 'system'])
        if (field(k))
          r.out.error(
            'CONFLICTING_KEY',
            field(k)!.keyNode,
            `'${k}' belongs to model steps, not tool steps`,
          );
      if (id !== undefined && tool !== undefined) steps.push({ id, type: 'tool', tool, inputs });
    }
  }
  return steps;
}
