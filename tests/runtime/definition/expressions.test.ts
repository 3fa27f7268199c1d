import {
  evaluateExpression,
  ExpressionSyntaxError,
  findTemplatePlaceholders,
  isTruthy,
  parseExpression,
  parseStatePath,
  renderTemplate,
  resolveStatePath,
  StatePathError,
} from '../../../runtime/definition/index.js';
import { isAgentkernelError, serializeError } from '../../../runtime/errors.js';
import type { JsonObject, JsonValue } from '../../../runtime/json.js';

const state: JsonObject = {
  inputs: { issue: 'Login API fails', n: 3, empty: '', tags: ['a', 'b'], nothing: null },
  steps: { classify: { severity: 'critical', score: 0.75, meta: { source: 'rules' }, labels: [] } },
  runtime: { run_id: 'r1' },
};
const run = (text: string, s: JsonValue = state) => evaluateExpression(parseExpression(text), s);

function syntaxError(text: string): ExpressionSyntaxError {
  try {
    parseExpression(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected '${text}' to be rejected`);
}

function evalError(text: string): Error {
  const expr = parseExpression(text);
  try {
    evaluateExpression(expr, state);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected '${text}' to fail`);
}

describe('evaluation', () => {
  test.each<[string, JsonValue]>([
    ['state.steps.classify.severity == "critical"', true],
    ["state.steps.classify.severity != 'critical'", false],
    ['steps.classify.severity == "critical"', true],
    ['state.inputs.n > 2 and state.inputs.n <= 3', true],
    ['state.inputs.n >= 4 or state.inputs.n < 0', false],
    ['1 < state.inputs.n < 5', true],
    ['1 < state.inputs.n < 2', false],
    ['"a" in state.inputs.tags', true],
    ['"c" not in state.inputs.tags', true],
    ['"Login" in state.inputs.issue', true],
    ['"meta" in state.steps.classify', true],
    ['state.steps.classify.severity in ["critical", "high"]', true],
    ['state.steps.classify.severity in ("critical", "high")', true],
    ['state.steps.classify.severity in {"low"}', false],
    ['not state.inputs.empty', true],
    ['!state.inputs.empty && state.inputs.n == 3', true],
    ['state.inputs.empty || "fallback"', 'fallback'],
    ['state.inputs.n and "yes"', 'yes'],
    ['state.inputs.empty and "yes"', ''],
    ['True and not False', true],
    ['true == True', true],
    ['state.inputs.nothing == None', true],
    ['state.inputs.nothing == null', true],
    ['state.steps.classify.score * 100 >= 75', true],
    ['1 + 2 * 3 - 4 / 2', 5],
    ['(1 + 2) * 3', 9],
    ['-7 % 3', 2],
    ['7 % -3', -2],
    ['- state.inputs.n', -3],
    ['2e3 + .5', 2000.5],
    ['"ab" + "cd"', 'abcd'],
    ['"ab" * 2', 'abab'],
    ['[1] + [2]', [1, 2]],
    ['len(state.inputs.issue)', 15],
    ['len(state.inputs.tags) == 2', true],
    ['len(state.steps.classify.labels) == 0', true],
    ['len(state.steps.classify)', 4],
    ['min(3, 1, 2)', 1],
    ['max([3, 1, 2])', 3],
    ['max("b", "a")', 'b'],
    ['abs(-2.5)', 2.5],
    ['state.inputs.issue.lower().startswith("login")', true],
    ['state.inputs.issue.upper()', 'LOGIN API FAILS'],
    ['state.inputs.issue.endswith(("x", "fails"))', true],
    ['state.inputs.issue.startswith("API", 6)', true],
    ['"  padded ".strip()', 'padded'],
    ['"xxhixx".strip("x")', 'hi'],
    ['state.inputs.issue.contains("API")', true],
    ['state.inputs.tags.contains("b")', true],
    ["'it\\'s' == \"it's\"", true],
    ['"a\\tb"', 'a\tb'],
    ['state.steps.classify.meta.source == "rules"', true],
    ['state.runtime.run_id', 'r1'],
    ['[1, 2] == [1, 2]', true],
    ['[1, 2] < [1, 3]', true],
    ['"abc" < "abd"', true],
  ])('%s → %j', (text, expected) => {
    expect(run(text)).toEqual(expected);
  });

  test('and/or short-circuit: the right side is not evaluated', () => {
    expect(run('false and state.steps.missing.x')).toBe(false);
    expect(run('true or state.steps.missing.x')).toBe(true);
  });

  test.each<[JsonValue, boolean]>([
    [0, false],
    ['', false],
    [[], false],
    [{}, false],
    [null, false],
    [false, false],
    ['0', true],
    [[0], true],
    [{ a: 1 }, true],
    [-1, true],
  ])('truthiness of %j is %s', (value, truthy) => {
    expect(isTruthy(value)).toBe(truthy);
  });
});

describe('evaluation errors are BranchResolutionErrors with clear messages', () => {
  test('a missing step output names the missing segment and what exists', () => {
    const error = evalError('state.steps.classify.severty == "x"');
    expect(isAgentkernelError(error) && error.code).toBe('AR-BRANCH-RESOLUTION');
    expect(error.message).toContain("'state.steps.classify.severty' not found");
    expect(error.message).toContain("no key 'severty'");
    expect(error.message).toContain('severity, score, meta, labels');
  });

  test('a step that has not run', () => {
    expect(evalError('state.steps.summarize.text').message).toMatch(
      /state\.steps has no key 'summarize' \(available: classify\)/,
    );
  });

  test('attribute access into a non-mapping', () => {
    expect(evalError('state.inputs.issue.length').message).toContain(
      'state.inputs.issue is string, not a mapping',
    );
  });

  test.each([
    ['state.inputs.issue > 3', "'>' not supported between string and number"],
    ['state.inputs.n + "x"', 'unsupported operand types for +: number and string'],
    ['-state.inputs.issue', 'cannot negate string'],
    ['1 / 0', 'division by zero'],
    ['3 in state.inputs.issue', 'requires a string on the left'],
    ['"a" in state.inputs.n', "'in' needs a string, list or dict"],
    ['len(state.inputs.n)', 'len() of number'],
    ['abs("x")', 'abs() needs a number'],
    ['max([])', 'max() of an empty list'],
    ['state.inputs.n.lower()', 'lower() needs a string receiver, not number'],
    ['state.inputs.nothing < 1', "'<' not supported between null and number"],
  ])('%s', (text, message) => {
    const error = evalError(text);
    expect(error.name).toBe('BranchResolutionError');
    expect(error.message).toContain(message);
  });
});

describe('rejected at parse time, with the offending offset', () => {
  test.each<[string, number, string]>([
    ['state.steps.a.items[0] == 1', 19, 'subscripts are not supported'],
    ['state.inputs.x[1:2]', 14, 'subscripts'],
    ['state.__class__', 6, "starting with '_'"],
    ['state.inputs._private == 1', 13, "starting with '_'"],
    ['eval("1")', 0, "unknown function 'eval'"],
    ['open("f").read()', 0, "unknown function 'open'"],
    ['__import__("os")', 0, "unknown function '__import__'"],
    ['state.inputs.issue.split(",")', 19, "unknown method 'split'"],
    ['state.inputs.issue.format()', 19, "unknown method 'format'"],
    ['len(x=state.inputs.issue)', 4, 'keyword arguments'],
    ['len(*state.inputs.tags)', 4, 'unpacking'],
    ['[x for x in state.inputs.tags]', 1, "unknown name 'x'"],
    ['lambda: 1', 0, "'lambda' is not supported"],
    ['1 if true else 2', 2, "'if' is not supported"],
    ['issue == "bug"', 0, "unknown name 'issue'"],
    ['state.inputs.n ** 2', 15, "'**' is not supported"],
    ['state.inputs.n // 2', 15, "'//' is not supported"],
    ['state.inputs.n = 2', 15, "'=' is assignment"],
    ['state.inputs.n is None', 15, "'is' is not supported"],
    ['{"a": 1}', 4, 'dict literals'],
    ['{}', 0, 'dict literals'],
    ['len', 0, "'len' is a function"],
    ['len()', 0, 'len() takes 1 argument, got 0'],
    ['"x".lower(1)', 4, 'lower() takes 0 arguments'],
    ['(1 + 2', 6, "expected ')'"],
    ['1 +', 3, 'unexpected end of expression'],
    ['', 0, 'empty expression'],
    ['"unterminated', 0, 'unterminated string'],
    ['f"x{1}"', 0, 'string prefixes'],
    ['state.inputs.n $ 2', 15, "unexpected character '$'"],
    ['state.inputs.n 2', 15, 'unexpected number 2'],
    ['state.inputs.', 13, 'expected a name'],
    ['"a".b', 4, 'attribute access is only supported on state paths'],
    ['(state.inputs).issue', 15, 'attribute access is only supported'],
    ['1(2)', 1, 'only len, min, max, abs and string methods can be called'],
    ['12abc', 0, 'invalid number'],
    ['state.inputs.n ^ 1', 15, "'^' is not supported"],
  ])('%s (offset %i)', (text, offset, reason) => {
    const error = syntaxError(text);
    expect(error.reason).toContain(reason);
    expect(error.offset).toBe(offset);
    expect(error.code).toBe('AR-BRANCH-RESOLUTION');
    expect(error.details).toMatchObject({ offset });
    // The message shows the expression with a caret under the offset.
    const [, line, caret] = error.message.split('\n');
    expect(caret!.indexOf('^') - 2).toBe(offset);
    expect(line).toBe(`  ${text}`);
  });

  test('the serialised error keeps the offset for the other side of a thread', () => {
    expect(serializeError(syntaxError('state._x')).details).toMatchObject({ offset: 6 });
  });
});

describe('parse shape', () => {
  test('Python precedence: or < and < not < comparison < + < * < unary', () => {
    const expr = parseExpression('not state.a or state.b == 1 and -state.c * 2 + 1 > 0');
    expect(expr.kind).toBe('logical');
    if (expr.kind !== 'logical') return;
    expect([expr.op, expr.left.kind, expr.right.kind]).toEqual(['or', 'not', 'logical']);
    const right = expr.right;
    if (right.kind !== 'logical') return;
    expect(right.op).toBe('and');
    const cmp = right.right;
    if (cmp.kind !== 'compare') throw new Error('expected a comparison');
    expect(cmp.first).toMatchObject({
      kind: 'arithmetic',
      op: '+',
      left: { kind: 'arithmetic', op: '*', left: { kind: 'negate' } },
    });
  });

  test('paths keep their text, namespace segments and span', () => {
    expect(parseExpression('  state.steps.a.b')).toEqual({
      kind: 'path',
      text: 'state.steps.a.b',
      segments: ['steps', 'a', 'b'],
      start: 2,
      end: 17,
    });
    expect(parseExpression('inputs.x')).toMatchObject({ kind: 'path', segments: ['inputs', 'x'] });
    expect(parseExpression('state.inputs.x.lower()')).toMatchObject({
      kind: 'method',
      method: 'lower',
      receiver: { kind: 'path', segments: ['inputs', 'x'] },
    });
  });

  test('a bare state is the whole state', () => {
    expect(run('len(state)')).toBe(3);
  });
});

describe('dot-paths for step inputs', () => {
  test('parse and resolve', () => {
    const p = parseStatePath('steps.classify.meta.source');
    expect(p).toEqual({
      text: 'steps.classify.meta.source',
      segments: ['steps', 'classify', 'meta', 'source'],
    });
    expect(resolveStatePath(state, p)).toBe('rules');
    expect(resolveStatePath(state, parseStatePath('inputs.tags'))).toEqual(['a', 'b']);
    expect(resolveStatePath(state, parseStatePath('inputs.nothing'))).toBeNull();
  });

  test.each(['', 'inputs.', 'steps..x', '.inputs'])('%j is not a path', (text) => {
    expect(() => parseStatePath(text)).toThrow(StatePathError);
  });

  test('a missing segment is named, with the keys that exist', () => {
    try {
      resolveStatePath(state, parseStatePath('steps.classify.summary'));
      throw new Error('expected a StatePathError');
    } catch (error) {
      expect(error).toBeInstanceOf(StatePathError);
      const e = error as StatePathError;
      expect(e.message).toContain(
        "Path not found: 'steps.classify.summary' not found: steps.classify has no key 'summary'",
      );
      expect(e.message).toContain('available: severity, score, meta, labels');
      expect(e.details).toEqual({ path: 'steps.classify.summary', missing: 'summary' });
    }
  });

  test('inherited object properties are not state', () => {
    expect(() => resolveStatePath(state, parseStatePath('inputs.constructor'))).toThrow(
      StatePathError,
    );
    expect(() => run('state.inputs.toString')).toThrow(/no key 'toString'/);
  });
});

describe('{{ path }} templates', () => {
  test('placeholders are replaced; strings verbatim, other values as JSON', () => {
    expect(
      renderTemplate(
        'Fix: {{ inputs.issue }} ({{inputs.n}}) {{ inputs.tags }} {{  steps.classify.meta }}',
        state,
      ),
    ).toBe('Fix: Login API fails (3) ["a","b"] {"source":"rules"}');
    expect(renderTemplate('no placeholders', state)).toBe('no placeholders');
  });

  test('a missing path throws naming the segment', () => {
    expect(() => renderTemplate('{{ inputs.missing }}', state)).toThrow(
      /inputs has no key 'missing'/,
    );
  });

  test('placeholders are found with their offsets', () => {
    expect(findTemplatePlaceholders('a {{ x.y }} b {{z}}')).toEqual([
      { path: 'x.y', start: 2, end: 11 },
      { path: 'z', start: 14, end: 19 },
    ]);
  });
});
