/**
 * Reads one step of a workflow file (schema v1 step fields) into a StepDraft, reporting every
 * problem with its position. Checks that need the other steps live in validate.ts.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { toJsRegexSource } from './python-regex.js';
import { isJsonObject } from '../json.js';
import type { At, DiagnosticCollector } from './diagnostics.js';
import type { StepDraft } from './draft.js';
import {
  ExpressionSyntaxError,
  findTemplatePlaceholders,
  parseExpression,
  parseStatePath,
  type Expr,
} from './expressions.js';
import type { AgentCatalog, FunctionCatalog } from './load.js';
import { didYouMean } from './suggest.js';
import type { BranchRule, OutputRule, OutputType, RetryPolicy, StepType } from './types.js';
import type { Entry, YamlReader } from './yaml-read.js';

const STEP_KEYS = [
  'id',
  'type',
  'agent',
  'function',
  'tool',
  'inputs',
  'outputs',
  'output_schema',
  'retry',
  'timeout_ms',
  'optional',
  'default',
  'next',
  'prompt',
  'password',
] as const;
/** Keys only an `input` step takes, and keys that mean nothing on one (no code runs, nothing to retry). */
const INPUT_STEP_ONLY_KEYS = ['prompt', 'password'] as const;
const NOT_ON_INPUT_STEPS: Record<string, string> = {
  inputs: "an input step reads state through {{ }} templates in its 'prompt', not 'inputs'",
  retry: 'an input step asks once; there is nothing to retry',
  optional: "an input step is never optional; give it a 'default' answer instead",
};
const RETRY_KEYS = ['attempts', 'backoff', 'initial_delay', 'max_delay', 'jitter'] as const;
const OUTPUT_RULE_KEYS = ['type', 'enum', 'regex'] as const;
export const STEP_TYPES: readonly StepType[] = ['agent', 'function', 'tool', 'input'];
/** Step types that name an agent / function / tool in a key of the same name. */
const REF_STEP_TYPES: readonly StepType[] = ['agent', 'function', 'tool'];
/** Step types of older schemas, rejected with a pointer to what replaces them. */
const REMOVED_STEP_TYPES: Record<string, string> = {
  model:
    "'model' steps are no longer supported; use type: agent (an LLM agent) or type: function (TypeScript code)",
  handler: "'handler' steps are no longer supported; use type: function",
};
const OUTPUT_TYPE_ALIASES: Record<string, OutputType> = {
  str: 'string',
  string: 'string',
  int: 'integer',
  integer: 'integer',
  float: 'number',
  number: 'number',
  bool: 'boolean',
  boolean: 'boolean',
  list: 'list',
  dict: 'dict',
};
export { toJsRegexSource };

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 1,
  backoff: 'fixed',
  initialDelayMs: 0,
  jitter: 0,
};

export class StepReader {
  private readonly out: DiagnosticCollector;

  constructor(
    private readonly r: YamlReader,
    private readonly file: string,
    private readonly text: string,
    private readonly functions: FunctionCatalog | undefined,
    private readonly agents?: AgentCatalog,
  ) {
    this.out = r.out;
  }

  readStep(map: YAMLMap, index: number): StepDraft {
    const pos = this.out.position(this.out.offsetOf(map));
    const draft: StepDraft = {
      index,
      idAt: map,
      at: map,
      position: { file: this.file, line: pos.line, col: pos.col },
      inputForm: 'none',
      mapping: {},
      inputPaths: [],
      contractKeys: [],
      outputAts: [],
      retry: { ...DEFAULT_RETRY },
      optional: false,
      optionalAt: map,
      defaultAt: map,
      targets: [],
      whenPaths: [],
    };
    const all = this.r.entries(map);
    // `input` (singular) was the old tool-step template; point to its replacement.
    const entries = all.filter((e) => {
      if (e.key !== 'input') return true;
      this.out.error(
        'UNKNOWN_KEY',
        e.keyNode,
        "'input' is not supported; use 'inputs' (a mapping of name → dot-path or literal)",
        'inputs',
      );
      return false;
    });
    const known = this.r.checkKeys(entries, STEP_KEYS, `step ${index + 1}`);
    const get = (key: string) => known.find((e) => e.key === key);

    const idEntry = get('id');
    const label = () => (draft.id ? `step '${draft.id}'` : `step ${index + 1}`);
    if (!idEntry) this.out.error('MISSING_KEY', map, `missing 'id' in step ${index + 1}`);
    else {
      draft.idAt = idEntry.at;
      const id = this.r.name(idEntry.value, idEntry.at, 'step id');
      if (id !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(id)) {
        this.out.error(
          'INVALID_VALUE',
          idEntry.at,
          `step id '${id}' may only contain letters, digits, '_' and '-' (it is used in steps.<id>.<key> paths)`,
        );
      } else if (id !== undefined) draft.id = id;
    }

    this.readStepType(draft, map, get, label());

    const inputs = get('inputs');
    if (inputs) this.readStepInputs(draft, inputs, label());
    const outputs = get('outputs');
    if (outputs) this.readOutputs(draft, outputs, label());
    const schema = get('output_schema');
    if (schema) this.readOutputSchema(draft, schema, label());
    const retry = get('retry');
    if (retry) this.readRetry(draft, retry, label());
    const timeout = get('timeout_ms');
    if (timeout)
      draft.timeoutMs = this.r.number(timeout.value, timeout.at, `${label()} timeout_ms`, {
        integer: true,
        min: 0,
      });
    const optional = get('optional');
    if (optional) {
      draft.optional = this.r.boolean(optional.value, optional.at, `${label()} optional`) ?? false;
      draft.optionalAt = optional.at;
    }
    if (draft.type === 'input') this.readInputStep(draft, map, known, get, label());
    else {
      for (const key of INPUT_STEP_ONLY_KEYS) {
        const e = get(key);
        if (e && draft.type !== undefined)
          this.out.error(
            'CONFLICTING_KEY',
            e.keyNode,
            `'${key}' belongs on an input step (type: input), not on a ${draft.type} step (${label()})`,
          );
      }
    }
    const def = draft.type === 'input' ? undefined : get('default');
    if (def) {
      draft.defaultAt = def.keyNode;
      const value = this.r.json(def.value);
      if (isJsonObject(value)) draft.default = value;
      else
        this.out.error(
          'INVALID_TYPE',
          def.at,
          `${label()} default must be a mapping of output key → value, not ${this.r.describe(def.value)}`,
        );
      if (!draft.optional) {
        this.out.error(
          'DEFAULT_WITHOUT_OPTIONAL',
          def.keyNode,
          `${label()} has a 'default' but is not optional; add optional: true or remove default`,
        );
      }
    }
    const next = get('next');
    if (next) this.readNext(draft, next, label());
    return draft;
  }

  private readStepType(
    draft: StepDraft,
    map: YAMLMap,
    get: (key: string) => Entry | undefined,
    label: string,
  ): void {
    const typeEntry = get('type');
    if (!typeEntry) {
      const present = REF_STEP_TYPES.filter((t) => get(t));
      const hint = get('prompt')
        ? ' (add type: input)'
        : present.length === 1
          ? ` (add type: ${present[0]})`
          : ' (agent, function, tool or input)';
      this.out.error('MISSING_KEY', map, `missing 'type' in ${label}${hint}`);
      return;
    }
    const raw = isScalar(typeEntry.value) ? typeEntry.value.value : undefined;
    const removed = typeof raw === 'string' ? REMOVED_STEP_TYPES[raw] : undefined;
    if (removed !== undefined) {
      this.out.error('UNSUPPORTED_STEP_TYPE', typeEntry.at, removed);
      return;
    }
    const type = this.r.choice(typeEntry.value, typeEntry.at, `${label} type`, STEP_TYPES);
    if (type === undefined) return;
    draft.type = type;
    for (const other of REF_STEP_TYPES) {
      const e = get(other);
      if (other !== type && e) {
        this.out.error(
          'CONFLICTING_KEY',
          e.keyNode,
          type === 'input'
            ? `'${other}' does not belong on an input step (${label}); an input step asks its 'prompt'`
            : `'${other}' does not belong on a ${type} step (${label}); use '${type}'`,
        );
      }
    }
    if (type === 'input') return;
    const refEntry = get(type);
    if (!refEntry) {
      this.out.error(
        'MISSING_KEY',
        map,
        `${label} has type ${type} but no '${type}' key naming the ${type}`,
      );
      return;
    }
    const ref = this.r.name(refEntry.value, refEntry.at, `${label} ${type}`);
    if (ref === undefined) return;
    if (type === 'function') {
      if (!/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$]*)*$/.test(ref)) {
        this.out.error(
          'INVALID_VALUE',
          refEntry.at,
          `function '${ref}' must be a dotted reference like module.func`,
        );
        return;
      }
      const catalog = this.functions;
      if (catalog && !catalog.has(ref)) {
        const known = catalog.list();
        this.out.error(
          'UNKNOWN_FUNCTION',
          refEntry.at,
          `function '${ref}' not found in the project's functions (${known.length} known${known.length > 0 && known.length <= 8 ? `: ${known.join(', ')}` : ''})`,
          didYouMean(ref, known),
        );
      }
    }
    if (type === 'agent' && !/^[A-Za-z0-9_][\w.\-/]*(@v\d+(\.\d+)?)?$/.test(ref)) {
      this.out.error(
        'INVALID_VALUE',
        refEntry.at,
        `agent '${ref}' must be an agent id with an optional @vN pin (e.g. summarizer@v2)`,
      );
      return;
    }
    if (type === 'agent' && this.agents && !this.agents.has(ref)) {
      // Like UNKNOWN_FUNCTION (added by G2): a typo is reported at load, not when the step runs.
      const known = this.agents.list();
      const ids = [...new Set(known.map((k) => k.replace(/@[^@]*$/, '')))];
      this.out.error(
        'UNKNOWN_AGENT',
        refEntry.at,
        `agent '${ref}' not found in the project's agents (${known.length} known${known.length > 0 && known.length <= 8 ? `: ${known.join(', ')}` : ''})`,
        didYouMean(ref, ref.includes('@') ? known : ids),
      );
    }
    draft.ref = ref;
  }

  /**
   * `type: input`: `prompt` (required; `{{ path }}` templates checked like step inputs), `default`
   * (the answer when nobody can be asked: a string, number or boolean), `password`, and at most one
   * `outputs` key to record the answer under.
   */
  private readInputStep(
    draft: StepDraft,
    map: YAMLMap,
    known: Entry[],
    get: (key: string) => Entry | undefined,
    label: string,
  ): void {
    for (const e of known) {
      const why = NOT_ON_INPUT_STEPS[e.key];
      if (why !== undefined) this.out.error('CONFLICTING_KEY', e.keyNode, `${label}: ${why}`);
    }
    const promptEntry = get('prompt');
    if (!promptEntry)
      this.out.error(
        'MISSING_KEY',
        map,
        `${label} has type input but no 'prompt' (the question to ask, e.g. prompt: "Approve {{ steps.draft.summary }}?")`,
      );
    else {
      const prompt = this.r.string(promptEntry.value, promptEntry.at, `${label} prompt`);
      if (prompt !== undefined) {
        draft.prompt = prompt;
        this.readPromptTemplates(draft, promptEntry, prompt, label);
      }
    }
    const password = get('password');
    if (password) draft.password = this.r.boolean(password.value, password.at, `${label} password`);
    const def = get('default');
    if (def) {
      draft.defaultAt = def.keyNode;
      const node = def.value;
      if (
        isScalar(node) &&
        (typeof node.value === 'string' ||
          typeof node.value === 'number' ||
          typeof node.value === 'boolean')
      )
        draft.answerDefault = String(node.value);
      else
        this.out.error(
          'INVALID_TYPE',
          def.at,
          `${label} default is the answer used when nobody can be asked: a string, not ${this.r.describe(node)}`,
        );
    }
    const outputs = get('outputs');
    if (outputs && draft.outputs !== undefined && draft.outputs.length !== 1)
      this.out.error(
        'INVALID_VALUE',
        outputs.at,
        `${label} records one answer: 'outputs' names the single key to store it under (default: value), not ${draft.outputs.length} keys`,
      );
  }

  /** Template paths in a prompt must be `inputs.*`, `steps.*` or `runtime.*`; the first two are checked like step inputs. */
  private readPromptTemplates(draft: StepDraft, entry: Entry, prompt: string, label: string): void {
    const node = entry.value;
    for (const placeholder of findTemplatePlaceholders(prompt)) {
      const at = node ? this.offsetInScalar(node, prompt, placeholder.start) : entry.at;
      let statePath;
      try {
        statePath = parseStatePath(placeholder.path);
      } catch (error) {
        this.out.error('INVALID_VALUE', at, `${label} prompt: ${(error as Error).message}`);
        continue;
      }
      const ns = statePath.segments[0];
      if (ns === 'inputs' || ns === 'steps') draft.inputPaths.push({ path: statePath, at });
      else if (ns !== 'runtime')
        this.out.error(
          'INVALID_VALUE',
          at,
          `${label} prompt: '{{ ${placeholder.path} }}' must start with inputs., steps. or runtime.`,
        );
    }
  }

  private readStepInputs(draft: StepDraft, entry: Entry, label: string): void {
    const node = entry.value;
    if (this.r.isEmpty(node)) return;
    if (isSeq(node)) {
      draft.inputForm = 'contract';
      for (const item of this.r.items(node)) {
        const key = this.r.name(item, item, `${label} input key`);
        if (key !== undefined) draft.contractKeys.push({ key, at: item });
      }
      return;
    }
    const map = this.r.map(
      node,
      entry.at,
      `${label} inputs (a mapping of name → dot-path or literal, or a list of keys)`,
    );
    if (!map) return;
    draft.inputForm = 'mapping';
    for (const e of this.r.entries(map)) {
      const value = e.value;
      if (isScalar(value) && typeof value.value === 'string') {
        const text = value.value;
        const placeholders = findTemplatePlaceholders(text);
        if (placeholders.length > 0) {
          const whole =
            placeholders.length === 1 &&
            placeholders[0]!.start === 0 &&
            placeholders[0]!.end === text.length;
          const bare = placeholders[0]!.path;
          this.out.error(
            'TEMPLATE_IN_INPUTS',
            this.offsetInScalar(value, text, placeholders[0]!.start),
            whole
              ? `step inputs take bare dot-paths, not {{ }} templates: write ${e.key}: ${bare}`
              : `step inputs do not interpolate {{ }} templates; pass ${bare} as its own input and build the text in the step`,
            whole ? bare : undefined,
          );
          continue;
        }
        if (text.startsWith('inputs.') || text.startsWith('steps.')) {
          try {
            const statePath = parseStatePath(text);
            draft.mapping[e.key] = { kind: 'path', path: statePath };
            draft.inputPaths.push({ path: statePath, at: value });
          } catch (error) {
            this.out.error(
              'INVALID_VALUE',
              value,
              `${label} input '${e.key}': ${(error as Error).message}`,
            );
          }
          continue;
        }
      }
      this.rejectNestedTemplates(value, label, e.key);
      draft.mapping[e.key] = { kind: 'literal', value: this.r.json(value) };
    }
  }

  /** `{{ }}` inside a literal list or mapping is not interpolated either; say so at the string. */
  private rejectNestedTemplates(node: Node | null, label: string, key: string): void {
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        const child = isPair(item) ? this.r.deref(item.value) : this.r.deref(item);
        this.rejectNestedTemplates(child, label, key);
      }
      return;
    }
    if (!isScalar(node) || typeof node.value !== 'string') return;
    const found = findTemplatePlaceholders(node.value)[0];
    if (found === undefined) return;
    this.out.error(
      'TEMPLATE_IN_INPUTS',
      this.offsetInScalar(node, node.value, found.start),
      `${label} input '${key}': step inputs do not interpolate {{ }} templates; pass ${found.path} as its own input (a bare dot-path)`,
    );
  }

  /**
   * Offset of character `index` of a scalar's value in the source, when the scalar is written on
   * one line without escapes (plain or quoted); otherwise the scalar itself.
   */
  private offsetInScalar(node: Node, value: string, index: number): At {
    const range = node.range;
    if (!range) return node;
    const raw = this.text.slice(range[0], range[1]);
    if (raw === value) return range[0] + index;
    if (raw.length === value.length + 2 && raw.slice(1, -1) === value) return range[0] + 1 + index;
    return node;
  }

  private readOutputs(draft: StepDraft, entry: Entry, label: string): void {
    const seq = this.r.seq(entry.value, entry.at, `${label} outputs`);
    if (!seq) return;
    const outputs: string[] = [];
    for (const item of this.r.items(seq)) {
      const key = this.r.name(item, item, `${label} output key`);
      if (key === undefined) continue;
      if (outputs.includes(key)) {
        this.out.error('DUPLICATE_OUTPUT_KEY', item, `${label} lists output '${key}' twice`);
        continue;
      }
      outputs.push(key);
      draft.outputAts.push(item);
    }
    draft.outputs = outputs;
  }

  private readOutputSchema(draft: StepDraft, entry: Entry, label: string): void {
    const map = this.r.map(entry.value, entry.at, `${label} output_schema`);
    if (!map) return;
    const schema: Record<string, OutputRule> = {};
    for (const e of this.r.entries(map)) {
      const ruleMap = this.r.map(e.value, e.at, `output_schema rule '${e.key}'`);
      if (!ruleMap) continue;
      const rule: OutputRule = {};
      for (const r of this.r.checkKeys(
        this.r.entries(ruleMap),
        OUTPUT_RULE_KEYS,
        `output_schema rule '${e.key}'`,
      )) {
        if (r.key === 'type') {
          const t = this.r.string(r.value, r.at, `output_schema.${e.key}.type`);
          if (t === undefined) continue;
          const normalised = OUTPUT_TYPE_ALIASES[t];
          if (normalised) rule.type = normalised;
          else {
            this.out.error(
              'INVALID_VALUE',
              r.at,
              `output_schema.${e.key}.type must be one of ${Object.keys(OUTPUT_TYPE_ALIASES).join(', ')}, not '${t}'`,
              didYouMean(t, Object.keys(OUTPUT_TYPE_ALIASES)),
            );
          }
        } else if (r.key === 'enum') {
          const list = this.r.seq(r.value, r.at, `output_schema.${e.key}.enum`);
          if (list) rule.enum = this.r.items(list).map((n) => this.r.json(n));
        } else {
          const regex = this.r.string(r.value, r.at, `output_schema.${e.key}.regex`);
          if (regex === undefined) continue;
          const problem = regexProblem(regex);
          if (problem)
            this.out.error(
              'INVALID_REGEX',
              r.at,
              `output_schema.${e.key}.regex does not compile: ${problem}`,
            );
          else rule.regex = regex;
        }
      }
      schema[e.key] = rule;
    }
    draft.outputSchema = schema;
  }

  private readRetry(draft: StepDraft, entry: Entry, label: string): void {
    const map = this.r.map(entry.value, entry.at, `${label} retry`);
    if (!map) return;
    const retry = draft.retry;
    for (const e of this.r.checkKeys(this.r.entries(map), RETRY_KEYS, 'retry')) {
      switch (e.key) {
        case 'attempts':
          retry.attempts =
            this.r.number(e.value, e.at, 'retry.attempts', { integer: true, min: 1 }) ??
            retry.attempts;
          break;
        case 'backoff':
          retry.backoff =
            this.r.choice(e.value, e.at, 'retry.backoff', ['fixed', 'exponential'] as const) ??
            retry.backoff;
          break;
        case 'initial_delay': {
          const seconds = this.r.number(e.value, e.at, 'retry.initial_delay (seconds)', { min: 0 });
          if (seconds !== undefined) retry.initialDelayMs = Math.round(seconds * 1000);
          break;
        }
        case 'max_delay': {
          const seconds = this.r.number(e.value, e.at, 'retry.max_delay (seconds)', { min: 0 });
          if (seconds !== undefined) retry.maxDelayMs = Math.round(seconds * 1000);
          break;
        }
        case 'jitter': {
          if (isScalar(e.value) && typeof e.value.value === 'boolean')
            retry.jitter = e.value.value ? 1 : 0;
          else {
            const fraction = this.r.number(
              e.value,
              e.at,
              'retry.jitter (true/false or a fraction 0..1)',
              { min: 0, max: 1 },
            );
            if (fraction !== undefined) retry.jitter = fraction;
          }
          break;
        }
      }
    }
  }

  private readNext(draft: StepDraft, entry: Entry, label: string): void {
    const seq = this.r.seq(
      entry.value,
      entry.at,
      `${label} next (a list of {when, goto} rules and one {default})`,
    );
    if (!seq) return;
    const rules: BranchRule[] = [];
    let defaults = 0;
    for (const node of this.r.items(seq)) {
      const map = this.r.map(node, node, 'a next rule ({when, goto} or {default})');
      if (!map) continue;
      const entries = this.r.checkKeys(
        this.r.entries(map),
        ['when', 'goto', 'default'],
        'a next rule',
      );
      const when = entries.find((e) => e.key === 'when');
      const goto = entries.find((e) => e.key === 'goto');
      const def = entries.find((e) => e.key === 'default');
      const pos = this.out.position(this.out.offsetOf(map));
      const position = { file: this.file, line: pos.line, col: pos.col };
      if (def) {
        if (when || goto) {
          this.out.error(
            'INVALID_VALUE',
            map,
            'a next rule is either {when, goto} or {default}, not both',
          );
          continue;
        }
        defaults++;
        if (defaults > 1) {
          this.out.error(
            'MULTIPLE_DEFAULT_BRANCHES',
            def.keyNode,
            `${label} has more than one default branch`,
          );
          continue;
        }
        const target = this.r.name(def.value, def.at, 'default target');
        if (target === undefined) continue;
        draft.targets.push({ goto: target, at: def.at });
        rules.push({ kind: 'default', goto: target, position });
        continue;
      }
      if (!when)
        this.out.error(
          'MISSING_KEY',
          map,
          "a next rule needs 'when' and 'goto' (or is a {default: step} rule)",
        );
      if (!goto) this.out.error('MISSING_KEY', map, "a next rule with 'when' needs 'goto'");
      if (!when || !goto) continue;
      const target = this.r.name(goto.value, goto.at, 'goto target');
      const condition = this.readCondition(when, draft);
      // The target is checked (and counts as reachable) even when the condition is broken.
      if (target !== undefined) draft.targets.push({ goto: target, at: goto.at });
      if (target === undefined || condition === undefined) continue;
      rules.push({
        kind: 'when',
        when: condition.text,
        expr: condition.expr,
        goto: target,
        position,
      });
    }
    draft.next = rules;
  }

  private readCondition(entry: Entry, draft: StepDraft): { text: string; expr: Expr } | undefined {
    const node = entry.value;
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') {
      this.out.error(
        'INVALID_TYPE',
        entry.at,
        `'when' must be a condition such as state.inputs.x == "y", not ${this.r.describe(node)}`,
      );
      return undefined;
    }
    // `when: true` arrives as a YAML boolean; the condition language reads it back the same.
    const text = String(node.value);
    try {
      const expr = parseExpression(text);
      const positional = typeof node.value === 'string';
      collectPaths(expr, (p) =>
        draft.whenPaths.push({
          expr: p,
          at: positional ? this.offsetInScalar(node, text, p.start) : node,
        }),
      );
      return { text, expr };
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      const at =
        typeof node.value === 'string' ? this.offsetInScalar(node, text, error.offset) : node;
      this.out.error('INVALID_EXPRESSION', at, `invalid 'when' condition: ${error.reason}`);
      return undefined;
    }
  }
}

function collectPaths(expr: Expr, visit: (p: Expr & { kind: 'path' }) => void): void {
  switch (expr.kind) {
    case 'path':
      visit(expr);
      return;
    case 'literal':
      return;
    case 'list':
      expr.items.forEach((e) => collectPaths(e, visit));
      return;
    case 'not':
    case 'negate':
      collectPaths(expr.operand, visit);
      return;
    case 'arithmetic':
    case 'logical':
      collectPaths(expr.left, visit);
      collectPaths(expr.right, visit);
      return;
    case 'compare':
      collectPaths(expr.first, visit);
      expr.rest.forEach((r) => collectPaths(r.right, visit));
      return;
    case 'call':
      expr.args.forEach((e) => collectPaths(e, visit));
      return;
    case 'method':
      collectPaths(expr.receiver, visit);
      expr.args.forEach((e) => collectPaths(e, visit));
      return;
  }
}

function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(`^(?:${toJsRegexSource(pattern)})$`);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
