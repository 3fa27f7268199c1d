import { AgentDefinitionError } from '../../../runtime/agents/errors.js';
import { parseAgent } from '../../../runtime/agents/load.js';
import { AgentRegistry } from '../../../runtime/agents/registry.js';

const VALID = `schema_version: v1
prompts:
  - {id: analyst, version: v1, text: "old"}
  - {id: analyst, version: v2, text: "You are a research analyst."}
agent:
  id: researcher
  version: 1
  system: prompts.analyst
  strategy: {type: react, max_iterations: 3, stop_conditions: ['state.main.text.contains("DONE")']}
  output_key: findings
  tools: [tools.echo]
  temperature: 0
  params: {seed: 7}
  pipeline:
    - id: main
      type: model
      prompt: "Topic: {{ inputs.topic }}"
    - id: note
      type: tool
      tool: tools.echo
      inputs: {message: main.text}
`;

function problems(
  text: string,
): { code: string; line: number; col: number; suggestion?: string }[] {
  try {
    parseAgent(text, 'agents/x.yaml');
  } catch (error) {
    if (error instanceof AgentDefinitionError)
      return error.diagnostics.map((d) => ({
        code: d.code,
        line: d.line,
        col: d.col,
        ...(d.suggestion ? { suggestion: d.suggestion } : {}),
      }));
    throw error;
  }
  return [];
}

describe('agent definition loader', () => {
  it('reads every field, normalises the version and resolves the latest prompts.<id>', () => {
    const agent = parseAgent(VALID, 'agents/researcher.yaml');
    expect(agent).toMatchObject({
      id: 'researcher',
      version: 'v1',
      system: 'You are a research analyst.',
      strategy: { type: 'react', maxIterations: 3 },
      outputKey: 'findings',
      tools: ['tools.echo'],
      temperature: 0,
      maxTokens: 4096,
      params: { seed: 7 },
    });
    expect(agent.strategy.stopConditions.map((c) => c.text)).toEqual([
      'state.main.text.contains("DONE")',
    ]);
    expect(agent.pipeline.map((s) => s.type)).toEqual(['model', 'tool']);
    expect(
      parseAgent(VALID.replace('prompts.analyst', 'prompts.analyst@v1'), 'a.yaml').system,
    ).toBe('old');
  });

  it('reports each problem with its code and line:col, not just the first', () => {
    const broken = `schema_version: v1
agent:
  id: a
  version: v1
  strategy: {type: reakt}
  tols: [tools.echo]
  system: prompts.nope
  pipeline:
    - id: s
      type: tool
      tool: tools.http
`;
    expect(problems(broken)).toEqual([
      { code: 'INVALID_VALUE', line: 5, col: 20, suggestion: 'react' },
      { code: 'UNKNOWN_KEY', line: 6, col: 3, suggestion: 'tools' },
      { code: 'UNKNOWN_PROMPT_REF', line: 7, col: 11 },
      { code: 'TOOL_NOT_IN_ALLOWLIST', line: 11, col: 13 },
    ]);
  });

  it('requires a pipeline, an id and a version', () => {
    const codes = problems('schema_version: v1\nagent:\n  model: openai/gpt-4o\n').map(
      (p) => p.code,
    );
    expect(codes).toEqual(['MISSING_KEY', 'MISSING_KEY', 'MISSING_KEY']);
  });

  it('registry pins @vN and otherwise serves the highest version', () => {
    const v1 = parseAgent(VALID, 'a1.yaml');
    const v2 = parseAgent(VALID.replace('version: 1', 'version: v2'), 'a2.yaml');
    const registry = AgentRegistry.of([v2, v1]);
    expect(registry.get('researcher').version).toBe('v2');
    expect(registry.get('researcher@v1').version).toBe('v1');
    expect(() => registry.get('researcher@v9')).toThrow(/Agent not found: researcher@v9/);
    expect(() => registry.add(parseAgent(VALID, 'dup.yaml'))).toThrow(/defined twice/);
  });
});
