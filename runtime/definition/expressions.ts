/**
 * The three small languages inside a workflow file:
 *  - dot-paths into run state (`inputs.issue`, `steps.classify.severity`) used by step inputs;
 *  - `{{ path }}` placeholders in agent prompts;
 *  - the `when` condition language of `next` rules: the Python runtime's whitelisted subset of
 *    Python, tokenised and parsed here by hand into an AST and evaluated by walking it. Nothing is
 *    ever passed to eval()/new Function, so a workflow file cannot run code through a condition.
 * Everything the language rejects is rejected at parse time (load time), with a 0-based offset,
 * so a typo in a branch fails before the run starts, not halfway through it.
 */
import type { JsonObject, JsonValue } from '../json.js';
import { isJsonObject } from '../json.js';
import { AgentkernelError, BranchResolutionError, type ErrorOptions } from '../errors.js';
import type { StatePath } from './types.js';

// ---------------------------------------------------------------------------------------------
// AST

/** Offsets are 0-based into the expression text; `end` is exclusive. */
interface Span {
  start: number;
  end: number;
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export type BuiltinFunction = 'len' | 'min' | 'max' | 'abs';
export type StringMethod = 'startswith' | 'endswith' | 'lower' | 'upper' | 'strip' | 'contains';

export const BUILTIN_FUNCTIONS: readonly BuiltinFunction[] = ['len', 'min', 'max', 'abs'];
export const STRING_METHODS: readonly StringMethod[] = [
  'startswith',
  'endswith',
  'lower',
  'upper',
  'strip',
  'contains',
];
/** Namespaces that may be written without the `state.` prefix (`inputs.issue == "bug"`). */
export const STATE_NAMESPACES: readonly string[] = ['inputs', 'steps', 'runtime'];

export type Expr =
  | ({ kind: 'literal'; value: JsonValue } & Span)
  | ({ kind: 'list'; items: Expr[] } & Span)
  /** `segments` are relative to the state root: `state.steps.a.b` and `steps.a.b` → ['steps','a','b']. */
  | ({ kind: 'path'; text: string; segments: string[] } & Span)
  | ({ kind: 'not'; operand: Expr } & Span)
  | ({ kind: 'negate'; operand: Expr } & Span)
  | ({ kind: 'arithmetic'; op: ArithmeticOp; left: Expr; right: Expr } & Span)
  /** Python chains comparisons: `a < b < c` means `a < b and b < c`. */
  | ({ kind: 'compare'; first: Expr; rest: { op: CompareOp; right: Expr }[] } & Span)
  | ({ kind: 'logical'; op: 'and' | 'or'; left: Expr; right: Expr } & Span)
  | ({ kind: 'call'; fn: BuiltinFunction; args: Expr[] } & Span)
  | ({ kind: 'method'; receiver: Expr; method: StringMethod; args: Expr[] } & Span);

// ---------------------------------------------------------------------------------------------
// Errors

/** A `when` expression that is not in the supported language. `offset` is 0-based into the text. */
export class ExpressionSyntaxError extends BranchResolutionError {
  readonly offset: number;
  /** The problem alone, without the excerpt (the loader builds its own caret excerpt). */
  readonly reason: string;
  constructor(reason: string, text: string, offset: number) {
    super(
      `Invalid expression: ${reason} (column ${offset + 1})\n  ${text}\n  ${' '.repeat(offset)}^`,
      {
        details: { offset, reason, expression: text },
      },
    );
    this.offset = offset;
    this.reason = reason;
  }
}

/**
 * A dot-path (step input mapping or prompt placeholder) that does not exist in the state it is
 * resolved against. Raised at run time; the step fails and goes through retry/on_error like any
 * other step error, as in the Python runtime (`KeyError: Path not found`).
 */
export class StatePathError extends AgentkernelError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('AR-STEP-EXECUTION', message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

type TokenKind = 'number' | 'string' | 'name' | 'op' | 'eof';
interface Token extends Span {
  kind: TokenKind;
  /** Operator or name text; decoded string value; numeric source. */
  value: string;
}

const TWO_CHAR_OPS = ['==', '!=', '<=', '>=', '&&', '||'];
const ONE_CHAR_OPS = '<>+-*/%()[]{},.!';
/** Python operators we recognise only to reject them with a precise message. */
const UNSUPPORTED_OPS: Record<string, string> = {
  '**': "operator '**' is not supported",
  '//': "operator '//' is not supported; use '/'",
  '=': "'=' is assignment; use '==' to compare",
  ':': "':' is not supported (no slices, dict literals or lambdas)",
  '[': 'subscripts are not supported; use attribute access (state.steps.a.key)',
  '@': "operator '@' is not supported",
  '&': "bitwise '&' is not supported; use 'and'",
  '|': "bitwise '|' is not supported; use 'or'",
  '^': "operator '^' is not supported",
  '~': "operator '~' is not supported",
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (reason: string, at: number): never => {
    throw new ExpressionSyntaxError(reason, text, at);
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
      i += m![0].length;
      if (/[A-Za-z_0-9]/.test(text[i] ?? ''))
        fail(`invalid number '${text.slice(start, i + 1)}'`, start);
      tokens.push({ kind: 'number', value: m![0], start, end: i });
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z_0-9]*/.exec(text.slice(i));
      i += m![0].length;
      if (text[i] === '"' || text[i] === "'")
        fail(`string prefixes like ${m![0]}"..." are not supported`, start);
      tokens.push({ kind: 'name', value: m![0], start, end: i });
      continue;
    }
    if (ch === '"' || ch === "'") {
      tokens.push(readString(text, i, fail));
      i = tokens[tokens.length - 1]!.end;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '**' || two === '//') fail(UNSUPPORTED_OPS[two]!, start);
    if (TWO_CHAR_OPS.includes(two)) {
      tokens.push({ kind: 'op', value: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    // Unsupported single-character operators become tokens so the parser can name the construct
    // (keyword argument, lambda…) rather than the character.
    if (ONE_CHAR_OPS.includes(ch) || UNSUPPORTED_OPS[ch] !== undefined) {
      tokens.push({ kind: 'op', value: ch, start, end: i + 1 });
      i++;
      continue;
    }
    fail(`unexpected character '${ch}'`, start);
  }
  tokens.push({ kind: 'eof', value: '', start: text.length, end: text.length });
  return tokens;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};

function readString(
  text: string,
  start: number,
  fail: (reason: string, at: number) => never,
): Token {
  const quote = text[start]!;
  let i = start + 1;
  let value = '';
  while (i < text.length && text[i] !== quote) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) break;
      const decoded = ESCAPES[next];
      // Python keeps unknown escapes verbatim (`"\d"` is backslash-d); so do we.
      value += decoded ?? `\\${next}`;
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  if (i >= text.length) fail('unterminated string', start);
  return { kind: 'string', value, start, end: i + 1 };
}

// ---------------------------------------------------------------------------------------------
// Parser (recursive descent, Python precedence: or < and < not < comparison < +,- < *,/,% < unary)

class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  parse(): Expr {
    if (this.peek().kind === 'eof') this.fail('empty expression', 0);
    const expr = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== 'eof') this.unexpected(rest);
    return expr;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return token;
  }

  private isOp(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.value === value;
  }

  private isName(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'name' && t.value === value;
  }

  private expectOp(value: string): Token {
    const t = this.peek();
    if (t.kind !== 'op' || t.value !== value) {
      this.fail(`expected '${value}' but found ${describe(t)}`, t.start);
    }
    return this.next();
  }

  private fail(reason: string, at: number): never {
    throw new ExpressionSyntaxError(reason, this.text, at);
  }

  private unexpected(t: Token): never {
    const unsupported = t.kind === 'op' ? UNSUPPORTED_OPS[t.value] : undefined;
    if (unsupported !== undefined) this.fail(unsupported, t.start);
    if (t.kind === 'name' && (t.value === 'for' || t.value === 'if')) {
      this.fail(
        `'${t.value}' is not supported (no comprehensions or conditional expressions)`,
        t.start,
      );
    }
    this.fail(`unexpected ${describe(t)}`, t.start);
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isName('or') || this.isOp('||')) {
      this.next();
      const right = this.parseAnd();
      left = { kind: 'logical', op: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isName('and') || this.isOp('&&')) {
      this.next();
      const right = this.parseNot();
      left = { kind: 'logical', op: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isName('not') || this.isOp('!')) {
      const op = this.next();
      const operand = this.parseNot();
      return { kind: 'not', operand, start: op.start, end: operand.end };
    }
    return this.parseComparison();
  }

  private compareOp(): CompareOp | undefined {
    const t = this.peek();
    if (t.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.value))
      return t.value as CompareOp;
    if (this.isName('in')) return 'in';
    if (this.isName('not') && this.isName('in', 1)) return 'not in';
    if (this.isName('is')) this.fail("'is' is not supported; use '==' or '!='", t.start);
    return undefined;
  }

  private parseComparison(): Expr {
    const first = this.parseAdditive();
    const rest: { op: CompareOp; right: Expr }[] = [];
    for (let op = this.compareOp(); op !== undefined; op = this.compareOp()) {
      this.next();
      if (op === 'not in') this.next();
      rest.push({ op, right: this.parseAdditive() });
    }
    if (rest.length === 0) return first;
    return {
      kind: 'compare',
      first,
      rest,
      start: first.start,
      end: rest[rest.length - 1]!.right.end,
    };
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().value as ArithmeticOp;
      const right = this.parseMultiplicative();
      left = { kind: 'arithmetic', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.next().value as ArithmeticOp;
      const right = this.parseUnary();
      left = { kind: 'arithmetic', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.isOp('-') || this.isOp('+')) {
      const op = this.next();
      const operand = this.parseUnary();
      if (op.value === '+') return { ...operand, start: op.start };
      return { kind: 'negate', operand, start: op.start, end: operand.end };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  /** Method calls on any value (`"a".upper()`, `state.inputs.x.lower()`); nothing else is postfix. */
  private parsePostfix(expr: Expr): Expr {
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const name = this.expectName();
        if (!this.isOp('(')) {
          this.fail(
            `attribute access is only supported on state paths (state.<ns>.<path>)`,
            name.start,
          );
        }
        expr = this.methodCall(expr, name);
        continue;
      }
      if (this.isOp('[')) this.fail(UNSUPPORTED_OPS['[']!, this.peek().start);
      if (this.isOp('('))
        this.fail('only len, min, max, abs and string methods can be called', this.peek().start);
      return expr;
    }
  }

  private expectName(): Token {
    const t = this.peek();
    if (t.kind !== 'name') this.fail(`expected a name after '.' but found ${describe(t)}`, t.start);
    if (t.value.startsWith('_'))
      this.fail(`attributes starting with '_' are not allowed ('${t.value}')`, t.start);
    return this.next();
  }

  private methodCall(receiver: Expr, name: Token): Expr {
    if (!(STRING_METHODS as readonly string[]).includes(name.value)) {
      this.fail(
        `unknown method '${name.value}' (supported: ${STRING_METHODS.join(', ')})`,
        name.start,
      );
    }
    const { args, end } = this.parseArgs();
    const method = name.value as StringMethod;
    const [min, max] = METHOD_ARITY[method];
    if (args.length < min || args.length > max) {
      this.fail(`${method}() takes ${arityText(min, max)}, got ${args.length}`, name.start);
    }
    return { kind: 'method', receiver, method, args, start: receiver.start, end };
  }

  private parseArgs(): { args: Expr[]; end: number } {
    this.expectOp('(');
    const args: Expr[] = [];
    while (!this.isOp(')')) {
      if (this.peek().kind === 'name' && this.isOp('=', 1)) {
        this.fail('keyword arguments are not supported', this.peek().start);
      }
      if (this.isOp('*')) this.fail('argument unpacking is not supported', this.peek().start);
      args.push(this.parseOr());
      if (!this.isOp(',')) break;
      this.next();
    }
    const close = this.expectOp(')');
    return { args, end: close.end };
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return { kind: 'literal', value: Number(t.value), start: t.start, end: t.end };
      case 'string': {
        this.next();
        let value = t.value;
        let end = t.end;
        // Adjacent string literals concatenate, as in Python.
        while (this.peek().kind === 'string') {
          const more = this.next();
          value += more.value;
          end = more.end;
        }
        return { kind: 'literal', value, start: t.start, end };
      }
      case 'name':
        return this.parseName();
      case 'op':
        if (t.value === '(') return this.parseParenthesised();
        if (t.value === '[') return this.parseSequence('[', ']');
        if (t.value === '{') return this.parseSequence('{', '}');
        return this.unexpected(t);
      case 'eof':
        return this.fail('unexpected end of expression', t.start);
    }
  }

  private parseName(): Expr {
    const t = this.next();
    const literal = NAME_LITERALS.get(t.value);
    if (literal !== undefined)
      return { kind: 'literal', value: literal.value, start: t.start, end: t.end };
    if ((BUILTIN_FUNCTIONS as readonly string[]).includes(t.value)) {
      if (!this.isOp('('))
        this.fail(`'${t.value}' is a function; call it as ${t.value}(...)`, t.start);
      const fn = t.value as BuiltinFunction;
      const { args, end } = this.parseArgs();
      const [min, max] = FUNCTION_ARITY[fn];
      if (args.length < min || args.length > max) {
        this.fail(`${fn}() takes ${arityText(min, max)}, got ${args.length}`, t.start);
      }
      return { kind: 'call', fn, args, start: t.start, end };
    }
    if (t.value === 'state' || STATE_NAMESPACES.includes(t.value)) return this.parsePath(t);
    if (KEYWORDS.has(t.value)) this.fail(`'${t.value}' is not supported here`, t.start);
    if (this.isOp('(')) {
      this.fail(
        `unknown function '${t.value}' (supported: ${BUILTIN_FUNCTIONS.join(', ')})`,
        t.start,
      );
    }
    return this.fail(
      `unknown name '${t.value}'; refer to run state as state.inputs.<name> or state.steps.<step>.<key>`,
      t.start,
    );
  }

  /** `state.a.b.c` (or bare `inputs.a`), stopping before a trailing `.method(`. */
  private parsePath(root: Token): Expr {
    const segments: string[] = root.value === 'state' ? [] : [root.value];
    let end = root.end;
    while (this.isOp('.') && !(this.peek(1).kind === 'name' && this.isOp('(', 2))) {
      this.next();
      const name = this.expectName();
      segments.push(name.value);
      end = name.end;
    }
    return {
      kind: 'path',
      text: this.text.slice(root.start, end),
      segments,
      start: root.start,
      end,
    };
  }

  private parseParenthesised(): Expr {
    const open = this.expectOp('(');
    if (this.isOp(')')) {
      const close = this.next();
      return { kind: 'list', items: [], start: open.start, end: close.end };
    }
    const first = this.parseOr();
    if (!this.isOp(',')) {
      this.expectOp(')');
      return first;
    }
    // A tuple: only its elements matter to `in` and equality, so it becomes a list.
    const items = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp(')')) break;
      items.push(this.parseOr());
    }
    const close = this.expectOp(')');
    return { kind: 'list', items, start: open.start, end: close.end };
  }

  /** `[a, b]` lists and `{a, b}` sets (sets only serve `in`, so they are lists too). */
  private parseSequence(open: '[' | '{', close: ']' | '}'): Expr {
    const first = this.expectOp(open);
    const items: Expr[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseOr());
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      const t = this.peek();
      if (t.kind === 'op' && t.value === close) break;
      if ((t.kind === 'name' && t.value === 'for') || (t.kind === 'op' && UNSUPPORTED_OPS[t.value]))
        this.unexpected(t);
      this.fail(`expected ',' or '${close}' but found ${describe(t)}`, t.start);
    }
    if (open === '{' && items.length === 0)
      this.fail('dict literals are not supported', first.start);
    const last = this.expectOp(close);
    return { kind: 'list', items, start: first.start, end: last.end };
  }
}

const NAME_LITERALS = new Map<string, { value: JsonValue }>([
  ['true', { value: true }],
  ['True', { value: true }],
  ['false', { value: false }],
  ['False', { value: false }],
  ['null', { value: null }],
  ['None', { value: null }],
]);

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'is',
  'lambda',
  'if',
  'else',
  'for',
  'import',
  'await',
  'yield',
]);

const FUNCTION_ARITY: Record<BuiltinFunction, [number, number]> = {
  len: [1, 1],
  abs: [1, 1],
  min: [1, Infinity],
  max: [1, Infinity],
};

const METHOD_ARITY: Record<StringMethod, [number, number]> = {
  startswith: [1, 2],
  endswith: [1, 2],
  lower: [0, 0],
  upper: [0, 0],
  strip: [0, 1],
  contains: [1, 1],
};

function arityText(min: number, max: number): string {
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  if (min === max) return plural(min);
  if (max === Infinity) return `at least ${plural(min)}`;
  return `${min} to ${max} arguments`;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of expression';
    case 'string':
      return 'a string';
    case 'number':
      return `number ${t.value}`;
    case 'name':
      return `'${t.value}'`;
    case 'op':
      return `'${t.value}'`;
  }
}

/** Parses a `when` condition. Throws ExpressionSyntaxError (with a 0-based `offset`) on anything unsupported. */
export function parseExpression(text: string): Expr {
  return new Parser(text).parse();
}

// ---------------------------------------------------------------------------------------------
// Evaluation (Python semantics where they matter: truthiness, `and`/`or` return operands,
// `%` takes the divisor's sign, chained comparisons, `in` on strings/lists/dicts)

/** Evaluates a parsed `when` condition against run state `{inputs, steps, runtime}`. */
export function evaluateExpression(expr: Expr, state: JsonValue): JsonValue {
  return new Evaluator(state).eval(expr);
}

/** Python truthiness: false, null, 0, "", [] and {} are false. */
export function isTruthy(value: JsonValue): boolean {
  if (value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isJsonObject(value)) return Object.keys(value).length > 0;
  return true;
}

class Evaluator {
  constructor(private readonly state: JsonValue) {}

  private fail(message: string, expr: Expr): never {
    throw new BranchResolutionError(message, { details: { start: expr.start, end: expr.end } });
  }

  eval(expr: Expr): JsonValue {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'list':
        return expr.items.map((item) => this.eval(item));
      case 'path': {
        const found = lookupPath(this.state, expr.segments);
        if (found.ok) return found.value;
        return this.fail(pathErrorMessage(expr.text, 'state', expr.segments, found), expr);
      }
      case 'not':
        return !isTruthy(this.eval(expr.operand));
      case 'negate': {
        const value = this.eval(expr.operand);
        if (typeof value !== 'number')
          this.fail(`cannot negate ${typeName(value)} (unary '-' needs a number)`, expr);
        return -value;
      }
      case 'arithmetic':
        return this.arithmetic(expr.op, this.eval(expr.left), this.eval(expr.right), expr);
      case 'compare': {
        let left = this.eval(expr.first);
        for (const { op, right } of expr.rest) {
          const rightValue = this.eval(right);
          if (!this.compare(op, left, rightValue, expr)) return false;
          left = rightValue;
        }
        return true;
      }
      case 'logical': {
        const left = this.eval(expr.left);
        if (expr.op === 'and') return isTruthy(left) ? this.eval(expr.right) : left;
        return isTruthy(left) ? left : this.eval(expr.right);
      }
      case 'call':
        return this.call(
          expr.fn,
          expr.args.map((a) => this.eval(a)),
          expr,
        );
      case 'method':
        return this.method(
          expr.method,
          this.eval(expr.receiver),
          expr.args.map((a) => this.eval(a)),
          expr,
        );
    }
  }

  private arithmetic(op: ArithmeticOp, a: JsonValue, b: JsonValue, expr: Expr): JsonValue {
    if (typeof a === 'number' && typeof b === 'number') {
      switch (op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          if (b === 0) this.fail('division by zero', expr);
          return a / b;
        case '%':
          if (b === 0) this.fail('modulo by zero', expr);
          return ((a % b) + b) % b;
      }
    }
    if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
    if (op === '+' && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    if (op === '*' && typeof a === 'string' && Number.isInteger(b))
      return a.repeat(Math.max(0, b as number));
    return this.fail(
      `unsupported operand types for ${op}: ${typeName(a)} and ${typeName(b)}`,
      expr,
    );
  }

  private compare(op: CompareOp, a: JsonValue, b: JsonValue, expr: Expr): boolean {
    switch (op) {
      case '==':
        return jsonEqual(a, b);
      case '!=':
        return !jsonEqual(a, b);
      case 'in':
        return this.contains(b, a, expr);
      case 'not in':
        return !this.contains(b, a, expr);
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const c = this.order(a, b, op, expr);
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      }
    }
  }

  /** Python ordering: numbers with numbers, strings with strings, lists element-wise. */
  private order(a: JsonValue, b: JsonValue, op: string, expr: Expr): number {
    if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        if (jsonEqual(a[i]!, b[i]!)) continue;
        return this.order(a[i]!, b[i]!, op, expr);
      }
      return a.length - b.length;
    }
    return this.fail(`'${op}' not supported between ${typeName(a)} and ${typeName(b)}`, expr);
  }

  private contains(container: JsonValue, item: JsonValue, expr: Expr): boolean {
    if (typeof container === 'string') {
      if (typeof item !== 'string')
        this.fail(`'in <string>' requires a string on the left, not ${typeName(item)}`, expr);
      return container.includes(item);
    }
    if (Array.isArray(container)) return container.some((x) => jsonEqual(x, item));
    if (isJsonObject(container)) {
      if (typeof item !== 'string') return false;
      return Object.prototype.hasOwnProperty.call(container, item);
    }
    return this.fail(
      `'in' needs a string, list or dict on the right, not ${typeName(container)}`,
      expr,
    );
  }

  private call(fn: BuiltinFunction, args: JsonValue[], expr: Expr): JsonValue {
    switch (fn) {
      case 'len': {
        const v = args[0]!;
        if (typeof v === 'string') return [...v].length;
        if (Array.isArray(v)) return v.length;
        if (isJsonObject(v)) return Object.keys(v).length;
        return this.fail(`len() of ${typeName(v)} is undefined`, expr);
      }
      case 'abs': {
        const v = args[0]!;
        if (typeof v !== 'number') this.fail(`abs() needs a number, not ${typeName(v)}`, expr);
        return Math.abs(v);
      }
      case 'min':
      case 'max': {
        const items = args.length === 1 ? args[0]! : args;
        if (!Array.isArray(items))
          this.fail(`${fn}() of a single ${typeName(items)}; pass a list or several values`, expr);
        if (items.length === 0) this.fail(`${fn}() of an empty list`, expr);
        let best: JsonValue = items[0] as JsonValue;
        for (const item of items.slice(1)) {
          const c = this.order(item, best, fn, expr);
          if (fn === 'min' ? c < 0 : c > 0) best = item;
        }
        return best;
      }
    }
  }

  private method(
    method: StringMethod,
    receiver: JsonValue,
    args: JsonValue[],
    expr: Expr,
  ): JsonValue {
    if (method === 'contains') {
      if (typeof receiver !== 'string' && !Array.isArray(receiver)) {
        this.fail(`contains() needs a string or list receiver, not ${typeName(receiver)}`, expr);
      }
      return this.contains(receiver, args[0]!, expr);
    }
    if (typeof receiver !== 'string')
      this.fail(`${method}() needs a string receiver, not ${typeName(receiver)}`, expr);
    switch (method) {
      case 'lower':
        return receiver.toLowerCase();
      case 'upper':
        return receiver.toUpperCase();
      case 'strip': {
        const chars = args[0];
        if (chars === undefined || chars === null) return receiver.trim();
        if (typeof chars !== 'string')
          this.fail(`strip() argument must be a string, not ${typeName(chars)}`, expr);
        let s = 0;
        let e = receiver.length;
        while (s < e && chars.includes(receiver[s]!)) s++;
        while (e > s && chars.includes(receiver[e - 1]!)) e--;
        return receiver.slice(s, e);
      }
      case 'startswith':
      case 'endswith': {
        const [affix, startArg] = args;
        if (startArg !== undefined && !Number.isInteger(startArg)) {
          this.fail(`${method}() start must be an integer, not ${typeName(startArg)}`, expr);
        }
        const from = startArg === undefined ? 0 : (startArg as number);
        const subject = receiver.slice(from < 0 ? Math.max(0, receiver.length + from) : from);
        const options = Array.isArray(affix) ? affix : [affix!];
        return options.some((o) => {
          if (typeof o !== 'string')
            this.fail(
              `${method}() prefix must be a string or list of strings, not ${typeName(o)}`,
              expr,
            );
          return method === 'startswith' ? subject.startsWith(o) : subject.endsWith(o);
        });
      }
    }
  }
}

export function typeName(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'dict';
  if (typeof value === 'boolean') return 'boolean';
  return typeof value;
}

export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]!));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k]!, b[k]!))
    );
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Dot-paths

type Lookup =
  { ok: true; value: JsonValue } | { ok: false; missingIndex: number; parent: JsonValue };

function lookupPath(root: JsonValue, segments: readonly string[]): Lookup {
  let current = root;
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i]!;
    if (!isJsonObject(current) || !Object.prototype.hasOwnProperty.call(current, key)) {
      return { ok: false, missingIndex: i, parent: current };
    }
    current = current[key]!;
  }
  return { ok: true, value: current };
}

/** "`state.steps.classify.severity` not found: state.steps.classify has no key 'severity' (keys: summary)". */
function pathErrorMessage(
  text: string,
  rootLabel: string,
  segments: readonly string[],
  miss: Lookup & { ok: false },
): string {
  const parentPath =
    [rootLabel, ...segments.slice(0, miss.missingIndex)].filter((s) => s !== '').join('.') ||
    'state';
  const key = segments[miss.missingIndex]!;
  if (!isJsonObject(miss.parent)) {
    return `'${text}' not found: ${parentPath} is ${typeName(miss.parent)}, not a mapping, so it has no key '${key}'`;
  }
  const keys = Object.keys(miss.parent);
  const available = keys.length === 0 ? 'it is empty' : `available: ${keys.join(', ')}`;
  return `'${text}' not found: ${parentPath} has no key '${key}' (${available})`;
}

/**
 * Parses a dot-path as written in a step input (`inputs.issue`, `steps.a.summary`). Segments must
 * be non-empty; the namespace check (inputs/steps) is the loader's business.
 */
export function parseStatePath(text: string): StatePath {
  const trimmed = text.trim();
  const segments = trimmed.split('.');
  const empty = segments.findIndex((s) => s.trim() === '');
  if (trimmed === '' || empty !== -1) {
    throw new StatePathError(
      `Invalid path '${text}': empty segment in a dot-path (write it as inputs.name or steps.id.key)`,
    );
  }
  return { text: trimmed, segments: segments.map((s) => s.trim()) };
}

/** Resolves a dot-path against run state; throws StatePathError naming the missing segment. */
export function resolveStatePath(state: JsonValue, path: StatePath): JsonValue {
  const found = lookupPath(state, path.segments);
  if (found.ok) return found.value;
  throw new StatePathError(
    `Path not found: ${pathErrorMessage(path.text, '', path.segments, found)}`,
    {
      details: { path: path.text, missing: path.segments[found.missingIndex] ?? '' },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// {{ path }} templates (agent prompts)

/** Same pattern as the Python runtime: `{{ inputs.issue }}`, whitespace around the path optional. */
const PLACEHOLDER = /\{\{\s*([^}]+?)\s*\}\}/g;

export interface TemplatePlaceholder {
  path: string;
  /** 0-based offsets of the whole `{{ … }}`. */
  start: number;
  end: number;
}

export function findTemplatePlaceholders(template: string): TemplatePlaceholder[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => {
    const start = m.index ?? 0;
    return { path: m[1]!, start, end: start + m[0].length };
  });
}

/**
 * Replaces every `{{ path }}` with the value at that dot-path in `scope`; strings are inserted
 * as-is, other values as JSON. A missing path throws StatePathError (as the Python runtime raises).
 */
export function renderTemplate(template: string, scope: JsonObject): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    const value = resolveStatePath(scope, parseStatePath(path));
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
