import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  analyzeWorkflow,
  evaluateExpression,
  loadWorkflowFile,
  normalizeVersion,
  parseWorkflow,
  type FunctionCatalog,
  type StepDefinition,
} from '../../../runtime/definition/index.js';
import { isAgentkernelError } from '../../../runtime/errors.js';
import { fixturesDir } from '../../helpers/paths.js';

const validDir = path.join(fixturesDir, 'valid');
const read = (name: string) => readFileSync(path.join(validDir, name), 'utf8');
const codes = (text: string, options = {}) =>
  analyzeWorkflow(text, options).diagnostics.map(
    (d) => `${d.severity} ${d.code} ${d.line}:${d.col}`,
  );

const minimal = (extra = '', step = '') => `schema_version: v1
workflow: {id: w, version: v1}
${extra}
steps:
  - id: a
    type: tool
    tool: tools.echo
${step}`;

function step(steps: StepDefinition[], id: string): StepDefinition {
  const found = steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
}

describe('valid workflows', () => {
  test('sample 03 loads, warning that its branch targets fall through into each other', () => {
    const file = path.join(validDir, '03_branching_triage.yaml');
    const { definition, diagnostics } = analyzeWorkflow(read('03_branching_triage.yaml'), { file });
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.col}`)).toEqual([
      'warning BRANCH_FALLTHROUGH 23:5',
      'warning BRANCH_FALLTHROUGH 28:5',
    ]);
    expect(diagnostics[0]!.message).toContain("'bug_path'");
    expect(diagnostics[0]!.message).toContain("'feature_path'");
    expect(definition).toBeDefined();
    const def = definition!;
    expect(def.steps.map((s) => s.id)).toEqual([
      'classify_issue',
      'bug_path',
      'feature_path',
      'default_path',
    ]);
    const rules = def.steps[0]!.next!;
    expect(rules.map((r) => [r.kind, r.goto])).toEqual([
      ['when', 'bug_path'],
      ['when', 'feature_path'],
      ['default', 'default_path'],
    ]);
    const first = rules[0]!;
    if (first.kind !== 'when') throw new Error('expected a when rule');
    expect(first.position).toEqual({ file, line: 18, col: 9 });
    expect(
      evaluateExpression(first.expr, { inputs: { issue: 'bug' }, steps: {}, runtime: {} }),
    ).toBe(true);
    expect(
      evaluateExpression(first.expr, { inputs: { issue: 'feature' }, steps: {}, runtime: {} }),
    ).toBe(false);
    expect(def.inputs).toEqual([
      {
        name: 'issue',
        description: 'Issue kind',
        default: 'question',
        hasDefault: true,
        required: false,
      },
    ]);
  });

  test('every field is read and normalised', () => {
    const { definition, diagnostics } = analyzeWorkflow(read('branching_triage.yaml'));
    expect(diagnostics).toEqual([]);
    const def = definition!;
    expect([def.schemaVersion, def.id, def.version, def.onError, def.latencyBudgetMs]).toEqual([
      'v1',
      'triage_exclusive',
      'v2',
      'continue',
      30000,
    ]);
    expect(def.inputsDeclared).toBe(true);
    expect(def.inputs).toEqual([
      {
        name: 'issue',
        description: 'Issue text',
        default: 'Production database is down',
        hasDefault: true,
        required: false,
        type: 'string',
      },
      { name: 'team', required: false, hasDefault: false },
    ]);
    const classify = step(def.steps, 'classify');
    expect(classify.type).toBe('function');
    expect(classify.type === 'function' && classify.function).toBe('triage.classify_issue');
    expect(classify.retry).toEqual({
      attempts: 3,
      backoff: 'exponential',
      initialDelayMs: 500,
      maxDelayMs: 4000,
      jitter: 1,
    });
    expect(classify.timeoutMs).toBe(5000);
    expect(classify.outputs).toEqual(['severity', 'summary']);
    expect(classify.outputSchema).toEqual({
      severity: { type: 'string', enum: ['critical', 'high', 'low'] },
      summary: { type: 'string', regex: '(?P<word>\\w+).*' },
    });
    expect(classify.inputs).toEqual({
      form: 'mapping',
      entries: {
        issue: { kind: 'path', path: { text: 'inputs.issue', segments: ['inputs', 'issue'] } },
      },
    });
    const critical = step(def.steps, 'handle_critical');
    expect(critical.type === 'agent' && critical.agent).toBe('responder@v2');
    // List ("contract") form: summary comes from the earlier producer, issue from the inputs.
    expect(critical.inputs).toEqual({
      form: 'contract',
      entries: {
        summary: {
          kind: 'path',
          path: { text: 'steps.classify.summary', segments: ['steps', 'classify', 'summary'] },
        },
        issue: { kind: 'path', path: { text: 'inputs.issue', segments: ['inputs', 'issue'] } },
      },
    });
    expect([critical.optional, critical.default]).toEqual([true, { action: 'none' }]);
    expect(critical.retry).toEqual({ attempts: 1, backoff: 'fixed', initialDelayMs: 0, jitter: 0 });
    const normal = step(def.steps, 'handle_normal');
    expect(normal.inputs.form === 'mapping' && normal.inputs.entries).toEqual({
      message: {
        kind: 'path',
        path: { text: 'steps.classify.summary', segments: ['steps', 'classify', 'summary'] },
      },
      priority: { kind: 'literal', value: 3 },
      tags: { kind: 'literal', value: ['a', 'b'] },
    });
    expect(step(def.steps, 'echo_result').next).toBeUndefined();
  });

  test('without an inputs section, input names are inferred from inputs.X references', () => {
    const def = parseWorkflow(read('inferred_inputs.yaml'));
    expect(def.version).toBe('v1.1');
    expect(def.inputsDeclared).toBe(false);
    expect(def.inputs).toEqual([
      { name: 'name', required: true, hasDefault: false },
      { name: 'greeting', required: true, hasDefault: false },
    ]);
    expect(step(def.steps, 'whole_state').inputs).toEqual({ form: 'none' });
  });

  test('an empty inputs: section is treated as absent (names inferred)', () => {
    const def = parseWorkflow(minimal('inputs:', '    inputs: {m: inputs.topic}'));
    expect([def.inputsDeclared, def.inputs.map((i) => i.name)]).toEqual([false, ['topic']]);
    expect(codes(minimal('inputs: []', '    inputs: {m: inputs.topic}'))).toEqual([
      'error UNKNOWN_INPUT_REF 8:17',
    ]);
  });

  test('inferred inputs also feed list-form inputs', () => {
    const text = minimal(
      '',
      '    inputs: {x: inputs.issue}\n  - id: b\n    type: tool\n    tool: tools.echo\n    inputs: [issue]\n',
    );
    const def = parseWorkflow(text);
    expect(step(def.steps, 'b').inputs).toEqual({
      form: 'contract',
      entries: {
        issue: { kind: 'path', path: { text: 'inputs.issue', segments: ['inputs', 'issue'] } },
      },
    });
  });

  test('list-form inputs prefer an earlier step output over a workflow input of the same name', () => {
    const text = `schema_version: v1
workflow: {id: w, version: v1}
inputs: [summary, issue]
steps:
  - id: summarize
    type: tool
    tool: t
    inputs: [issue]
    outputs: [summary]
  - id: use
    type: tool
    tool: t
    inputs: [summary, issue]
`;
    const def = parseWorkflow(text);
    expect(step(def.steps, 'summarize').inputs).toEqual({
      form: 'contract',
      entries: {
        issue: { kind: 'path', path: { text: 'inputs.issue', segments: ['inputs', 'issue'] } },
      },
    });
    const use = step(def.steps, 'use').inputs;
    expect(use.form === 'contract' && use.entries.summary).toEqual({
      kind: 'path',
      path: { text: 'steps.summarize.summary', segments: ['steps', 'summarize', 'summary'] },
    });
  });

  test('source records the file, its directory and the SHA-256 of the raw text', () => {
    const file = path.join(validDir, 'inferred_inputs.yaml');
    const text = read('inferred_inputs.yaml');
    const def = parseWorkflow(text, { file });
    expect(def.source).toEqual({
      file,
      baseDir: validDir,
      text,
      hash: createHash('sha256').update(text).digest('hex'),
    });
    const inline = parseWorkflow(text, { baseDir: '/tmp/project' });
    expect([inline.source.file, inline.source.baseDir]).toEqual(['<inline>', '/tmp/project']);
    // A comment change is a different workflow for the integrity lock.
    expect(parseWorkflow(`${text}# edited\n`).source.hash).not.toBe(def.source.hash);
  });

  test('loadWorkflowFile reads a file and reports a missing one as AR-FILE-NOT-FOUND', async () => {
    const def = await loadWorkflowFile(path.join(validDir, 'branching_triage.yaml'));
    expect(def.id).toBe('triage_exclusive');
    await expect(loadWorkflowFile(path.join(validDir, 'nope.yaml'))).rejects.toMatchObject({
      code: 'AR-FILE-NOT-FOUND',
    });
    await expect(
      loadWorkflowFile(path.join(fixturesDir, 'broken', 'unknown-goto.yaml')),
    ).rejects.toMatchObject({
      code: 'AR-WORKFLOW-VALIDATION',
    });
  });
});

describe('normalisation', () => {
  test.each([
    ['v1', 'v1'],
    ['1', 'v1'],
    ['v1.0', 'v1'],
    ['V3', 'v3'],
    ['2.5', 'v2.5'],
    ['v10.02', 'v10.2'],
  ])('version %s → %s', (raw, normalised) => {
    expect(normalizeVersion(raw)).toBe(normalised);
  });

  test.each(['latest', 'v', '1.2.3', 'v1-beta', ''])('%s is not a version', (raw) => {
    expect(normalizeVersion(raw)).toBeUndefined();
  });

  test.each(['v1', '1', 'v1.0', '"1"', '1.0'])('schema_version %s is accepted', (raw) => {
    expect(codes(minimal().replace('schema_version: v1', `schema_version: ${raw}`))).toEqual([]);
  });

  test.each(['v2', '2', 'v1.1', 'one'])('schema_version %s is rejected', (raw) => {
    expect(codes(minimal().replace('schema_version: v1', `schema_version: ${raw}`))).toEqual([
      'error UNSUPPORTED_SCHEMA_VERSION 1:17',
    ]);
  });

  test('a list of input names makes every input required', () => {
    const def = parseWorkflow(minimal('inputs: [issue, team]', '    inputs: {m: inputs.issue}'));
    expect(def.inputs.map((i) => [i.name, i.required])).toEqual([
      ['issue', true],
      ['team', true],
    ]);
  });

  test('required: true with a default keeps the explicit choice; a null default still counts', () => {
    const def = parseWorkflow(
      minimal('inputs:\n  a: {required: true, default: 1}\n  b: {default: null}\n  c:'),
    );
    expect(def.inputs).toEqual([
      { name: 'a', required: true, default: 1, hasDefault: true },
      { name: 'b', required: false, default: null, hasDefault: true },
      { name: 'c', required: true, hasDefault: false },
    ]);
  });

  test('retry jitter accepts a fraction; false means none', () => {
    const def = parseWorkflow(
      minimal(
        '',
        '    retry: {attempts: 2, jitter: 0.25}\n  - id: b\n    type: tool\n    tool: t\n    retry: {jitter: false}',
      ),
    );
    expect(def.steps[0]!.retry.jitter).toBe(0.25);
    expect(def.steps[1]!.retry).toEqual({
      attempts: 1,
      backoff: 'fixed',
      initialDelayMs: 0,
      jitter: 0,
    });
  });

  test('YAML anchors and aliases are followed', () => {
    const text = `schema_version: v1
workflow: {id: w, version: v1}
steps:
  - id: a
    type: tool
    tool: tools.echo
    retry: &r {attempts: 4}
  - id: b
    type: tool
    tool: tools.echo
    retry: *r
`;
    expect(parseWorkflow(text).steps[1]!.retry.attempts).toBe(4);
  });

  test('a YAML boolean condition is read as the condition it spells', () => {
    const def = parseWorkflow(minimal('', '    next:\n      - when: true\n        goto: a'));
    const rule = def.steps[0]!.next![0]!;
    expect(rule.kind === 'when' && rule.when).toBe('true');
  });
});

describe('diagnostics', () => {
  const catalog: FunctionCatalog = {
    has: (r) => r === 'stubs.generate_summary',
    list: () => ['stubs.generate_summary'],
  };
  const fnStep = (ref: string) => `schema_version: v1
workflow: {id: w, version: v1}
steps:
  - id: a
    type: function
    function: ${ref}
`;

  test('function refs are checked only when a catalog is given, with a suggestion', () => {
    expect(codes(fnStep('stubs.generate_sumary'))).toEqual([]);
    const { diagnostics } = analyzeWorkflow(fnStep('stubs.generate_sumary'), {
      functions: catalog,
    });
    expect(diagnostics).toMatchObject([
      { code: 'UNKNOWN_FUNCTION', line: 6, col: 15, suggestion: 'stubs.generate_summary' },
    ]);
    expect(codes(fnStep('stubs.generate_summary'), { functions: catalog })).toEqual([]);
  });

  test('unknown keys come with the closest known key', () => {
    const { diagnostics } = analyzeWorkflow(minimal('', '    outptus: [x]'));
    expect(diagnostics).toMatchObject([
      { code: 'UNKNOWN_KEY', suggestion: 'outputs', line: 8, col: 5 },
    ]);
    const far = analyzeWorkflow(minimal('', '    completely_unrelated: 1')).diagnostics;
    expect(far[0]!.suggestion).toBeUndefined();
  });

  test('a {{ }} step input suggests the bare path', () => {
    const { diagnostics } = analyzeWorkflow(
      minimal('inputs: [name]', '    inputs: {m: "{{ inputs.name }}"}'),
    );
    expect(diagnostics).toMatchObject([{ code: 'TEMPLATE_IN_INPUTS', suggestion: 'inputs.name' }]);
    expect(diagnostics[0]!.message).toContain('m: inputs.name');
  });

  test('the column of an invalid condition points inside the quoted string', () => {
    const text = minimal(
      '',
      `    next:\n      - when: "state.inputs.x == 1 and len()"\n        goto: a`,
    );
    expect(codes(text)).toEqual(['error INVALID_EXPRESSION 9:40']);
    const excerpt = analyzeWorkflow(text).diagnostics[0]!.excerpt.split('\n');
    expect(excerpt[1]!.indexOf('^') - excerpt[1]!.indexOf('|')).toBe(
      excerpt[0]!.indexOf('len') - excerpt[0]!.indexOf('|'),
    );
  });

  test("a step output path is checked against the producer's declared outputs in conditions too", () => {
    const text = minimal(
      '',
      '    outputs: [severity]\n    next:\n      - when: state.steps.a.severty == "x"\n        goto: a',
    );
    expect(analyzeWorkflow(text).diagnostics).toMatchObject([
      { code: 'UNKNOWN_OUTPUT_KEY', suggestion: 'severity' },
    ]);
  });

  test('no fall-through warning when the targets end their branch', () => {
    expect(codes(read('branching_triage.yaml'))).toEqual([]);
  });

  test('the fall-through warning follows a chain of plain steps into another target', () => {
    const text = `schema_version: v1
workflow: {id: w, version: v1}
steps:
  - id: a
    type: tool
    tool: t
    next: [{when: "1 == 1", goto: b}, {default: d}]
  - id: b
    type: tool
    tool: t
  - id: c
    type: tool
    tool: t
  - id: d
    type: tool
    tool: t
`;
    expect(codes(text)).toEqual(['warning BRANCH_FALLTHROUGH 8:5']);
  });

  test('a step that nothing can reach is a warning, and the workflow still loads', () => {
    const { definition, diagnostics } = analyzeWorkflow(read('unreachable_step.yaml'));
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.col}`)).toEqual([
      'warning UNREACHABLE_STEP 11:9',
    ]);
    expect(definition?.steps).toHaveLength(3);
    // Targeting it makes it reachable (and then it falls through into c, the other target).
    const targeted = read('unreachable_step.yaml').replace(
      '{default: c}',
      '{when: "1 == 2", goto: b}, {default: c}',
    );
    expect(codes(targeted)).toEqual(['warning BRANCH_FALLTHROUGH 11:5']);
  });

  test('parseWorkflow keeps going after warnings and throws with every error otherwise', () => {
    expect(parseWorkflow(read('03_branching_triage.yaml')).id).toBe('branching_triage');
    try {
      parseWorkflow(
        readFileSync(path.join(fixturesDir, 'broken', 'several-problems.yaml'), 'utf8'),
      );
      throw new Error('expected a DefinitionError');
    } catch (error) {
      expect(isAgentkernelError(error) && error.code).toBe('AR-WORKFLOW-VALIDATION');
      expect(String((error as Error).message)).toMatch(/^6 problems in <inline>/);
    }
  });
});
