/**
 * Workflow YAML → typed WorkflowDefinition (the Python runtime's schema v1, exactly), or every
 * problem in the file as diagnostics with file:line:col. Reading is one pass over yaml's node tree
 * (positions through LineCounter): the top level here, each step in read-step.ts, cross-step
 * checks in validate.ts.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { AgentkernelError, DefinitionError, type Diagnostic } from '../errors.js';
import type { JsonObject } from '../json.js';
import { DiagnosticCollector, yamlErrorOffset, type At } from './diagnostics.js';
import type { InputsDraft, StepDraft } from './draft.js';
import { StepReader } from './read-step.js';
import type { InputSpec, StepDefinition, StepInputSpec, WorkflowDefinition } from './types.js';
import { validateWorkflow } from './validate.js';
import { YamlReader, type Entry } from './yaml-read.js';

export { DEFAULT_RETRY, toJsRegexSource } from './read-step.js';

/** The project's function refs (`module.func`), when the caller has built the catalog. */
export interface FunctionCatalog {
  has(ref: string): boolean;
  list(): string[];
}

/**
 * The project's agents (G2), when the caller has them: `has` takes an agent step's reference
 * (`id` or `id@vN`), `list` names the known ones (`id@vN`) for the message and did-you-mean.
 */
export interface AgentCatalog {
  has(ref: string): boolean;
  list(): string[];
}

export interface LoadOptions {
  /** File name for diagnostics; `<inline>` when absent. */
  file?: string;
  /** Directory for relative lookups; defaults to the file's directory, else the cwd. */
  baseDir?: string;
  /** When given, function refs are checked at load time (UNKNOWN_FUNCTION). */
  functions?: FunctionCatalog;
  /** When given, agent refs are checked at load time (UNKNOWN_AGENT). */
  agents?: AgentCatalog;
}

export interface AnalysisResult {
  /** Present when there is no error-severity diagnostic. */
  definition?: WorkflowDefinition;
  /** Errors and warnings, in source order. */
  diagnostics: Diagnostic[];
}

export const INLINE_FILE = '<inline>';
/** The output key an `input` step records its answer under when it declares no `outputs`. */
export const INPUT_STEP_OUTPUT_KEY = 'value';

const TOP_LEVEL_KEYS = [
  'schema_version',
  'workflow',
  'inputs',
  'on_error',
  'latency_budget_ms',
  'steps',
] as const;
const WORKFLOW_KEYS = ['id', 'version'] as const;
const INPUT_SPEC_KEYS = ['description', 'required', 'default', 'type'] as const;

/** Reads and checks a workflow; never throws for problems in the text. */
export function analyzeWorkflow(text: string, options: LoadOptions = {}): AnalysisResult {
  const file = options.file ?? INLINE_FILE;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const out = new DiagnosticCollector(file, text, lineCounter);
  if (doc.errors.length > 0) {
    // A broken YAML tree would only produce misleading follow-on diagnostics.
    for (const e of doc.errors)
      out.error('YAML_SYNTAX', yamlErrorOffset(text, e), e.message.split('\n')[0]!);
    return { diagnostics: out.sorted() };
  }
  const reader = new YamlReader(doc, out);
  const loader = new WorkflowReader(reader, file, text, options);
  const partial = loader.read(reader.deref(doc.contents));
  if (out.hasErrors() || partial === undefined) return { diagnostics: out.sorted() };
  const source = {
    file: file === INLINE_FILE ? INLINE_FILE : path.resolve(file),
    baseDir: path.resolve(
      options.baseDir ?? (file === INLINE_FILE ? process.cwd() : path.dirname(file)),
    ),
    text,
    hash: createHash('sha256').update(text, 'utf8').digest('hex'),
  };
  return { definition: { ...partial, source }, diagnostics: out.sorted() };
}

/** Parses a workflow or throws DefinitionError carrying every diagnostic (warnings included). */
export function parseWorkflow(text: string, options: LoadOptions = {}): WorkflowDefinition {
  const { definition, diagnostics } = analyzeWorkflow(text, options);
  if (definition === undefined) throw new DefinitionError(diagnostics);
  return definition;
}

/** Reads a workflow file; a missing file is AR-FILE-NOT-FOUND, a broken one DefinitionError. */
export async function loadWorkflowFile(
  file: string,
  options: Omit<LoadOptions, 'file'> = {},
): Promise<WorkflowDefinition> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AgentkernelError('AR-FILE-NOT-FOUND', `Workflow file not found: ${absolute}`, {
        cause: error,
        details: { file: absolute },
      });
    }
    throw error;
  }
  return parseWorkflow(text, { ...options, file: absolute });
}

/** Normalises `1`, `v1`, `1.0`, `v1.2` → `v1` / `v1.2`; undefined when it is not a version. */
export function normalizeVersion(raw: string | number): string | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?$/i.exec(String(raw).trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  return minor === 0 ? `v${major}` : `v${major}.${minor}`;
}

type PartialDefinition = Omit<WorkflowDefinition, 'source'>;

class WorkflowReader {
  private readonly out: DiagnosticCollector;

  constructor(
    private readonly r: YamlReader,
    private readonly file: string,
    private readonly text: string,
    private readonly options: LoadOptions,
  ) {
    this.out = r.out;
  }

  read(root: Node | null): PartialDefinition | undefined {
    if (this.r.isEmpty(root)) {
      this.out.error(
        'MISSING_KEY',
        0,
        'the workflow file is empty; it needs schema_version, workflow and steps',
      );
      return undefined;
    }
    const map = this.r.map(root, root, 'a workflow file');
    if (!map) return undefined;
    const entries = this.r.checkKeys(this.r.entries(map), TOP_LEVEL_KEYS, 'the workflow file');
    const get = (key: string) => entries.find((e) => e.key === key);

    const schema = get('schema_version');
    if (!schema)
      this.out.error('MISSING_KEY', map, "missing 'schema_version' (add schema_version: v1)");
    else this.readSchemaVersion(schema);

    const identity = this.readIdentity(get('workflow'), map);

    let onError: PartialDefinition['onError'] = 'fail_fast';
    const onErrorEntry = get('on_error');
    if (onErrorEntry)
      onError =
        this.r.choice(onErrorEntry.value, onErrorEntry.at, 'on_error', [
          'fail_fast',
          'continue',
        ] as const) ?? onError;

    let latencyBudgetMs: number | undefined;
    const budget = get('latency_budget_ms');
    if (budget)
      latencyBudgetMs = this.r.number(budget.value, budget.at, 'latency_budget_ms', {
        integer: true,
        min: 0,
      });

    const inputsEntry = get('inputs');
    const inputs: InputsDraft =
      inputsEntry && !this.r.isEmpty(inputsEntry.value)
        ? { specs: this.readInputs(inputsEntry), declared: true }
        : // An empty `inputs:` declares nothing, so names are inferred as if it were absent.
          { specs: [], declared: false };

    const stepsEntry = get('steps');
    let drafts: StepDraft[] = [];
    if (!stepsEntry)
      this.out.error('MISSING_KEY', map, "missing 'steps' (a non-empty list of steps)");
    else drafts = this.readSteps(stepsEntry);

    if (!inputs.declared) inputs.specs = inferInputs(drafts);
    validateWorkflow(drafts, inputs, this.out);

    if (this.out.hasErrors() || !identity) return undefined;
    const definition: PartialDefinition = {
      schemaVersion: 'v1',
      id: identity.id,
      version: identity.version,
      inputs: inputs.specs,
      inputsDeclared: inputs.declared,
      onError,
      steps: drafts.map(toStepDefinition),
    };
    if (latencyBudgetMs !== undefined) definition.latencyBudgetMs = latencyBudgetMs;
    return definition;
  }

  private readSchemaVersion(entry: Entry): void {
    const node = entry.value;
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) {
      this.out.error(
        'INVALID_TYPE',
        entry.at,
        `schema_version must be v1, not ${this.r.describe(node)}`,
      );
      return;
    }
    // `1.0` in YAML is the number 1; the source text keeps what the user wrote for messages.
    const version = normalizeVersion(node.value);
    if (version !== 'v1') {
      this.out.error(
        'UNSUPPORTED_SCHEMA_VERSION',
        entry.at,
        `schema_version '${node.value}' is not supported; use v1`,
      );
    }
  }

  private readIdentity(
    entry: Entry | undefined,
    root: YAMLMap,
  ): { id: string; version: string } | undefined {
    if (!entry) {
      this.out.error(
        'MISSING_KEY',
        root,
        "missing 'workflow' (add workflow: {id: <name>, version: v1})",
      );
      return undefined;
    }
    const map = this.r.map(entry.value, entry.at, 'workflow');
    if (!map) return undefined;
    const entries = this.r.checkKeys(this.r.entries(map), WORKFLOW_KEYS, 'workflow');
    const idEntry = entries.find((e) => e.key === 'id');
    const versionEntry = entries.find((e) => e.key === 'version');
    let id: string | undefined;
    if (!idEntry) this.out.error('MISSING_KEY', map, "missing 'workflow.id'");
    else {
      id = this.r.name(idEntry.value, idEntry.at, 'workflow.id');
      if (id !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(id)) {
        this.out.error(
          'INVALID_VALUE',
          idEntry.at,
          `workflow.id '${id}' may only contain letters, digits, '_', '-' and '.'`,
        );
        id = undefined;
      }
    }
    let version: string | undefined;
    if (!versionEntry)
      this.out.error('MISSING_KEY', map, "missing 'workflow.version' (e.g. version: v1)");
    else {
      const node = versionEntry.value;
      const raw =
        isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')
          ? node.value
          : undefined;
      version = raw === undefined ? undefined : normalizeVersion(raw);
      if (version === undefined) {
        this.out.error(
          'INVALID_VALUE',
          versionEntry.at,
          `workflow.version must look like v1 or v1.2, not ${this.r.describe(node)}`,
        );
      }
    }
    return id !== undefined && version !== undefined ? { id, version } : undefined;
  }

  private readInputs(entry: Entry): InputSpec[] {
    const node = entry.value;
    const specs: InputSpec[] = [];
    const seen = new Set<string>();
    const add = (spec: InputSpec, at: At) => {
      if (seen.has(spec.name)) {
        this.out.error('DUPLICATE_INPUT', at, `input '${spec.name}' is declared twice`);
        return;
      }
      seen.add(spec.name);
      specs.push(spec);
    };
    if (isSeq(node)) {
      for (const item of this.r.items(node)) {
        const name = this.r.name(item, item, 'an input name');
        if (name !== undefined) add({ name, required: true, hasDefault: false }, item);
      }
      return specs;
    }
    const map = this.r.map(node, entry.at, 'inputs (a list of names or a mapping of name → spec)');
    if (!map) return specs;
    for (const e of this.r.entries(map)) {
      const spec: InputSpec = { name: e.key, required: true, hasDefault: false };
      if (!this.r.isEmpty(e.value)) {
        const specMap = this.r.map(e.value, e.at, `input '${e.key}'`);
        if (specMap) this.readInputSpec(specMap, spec);
      }
      add(spec, e.keyNode);
    }
    return specs;
  }

  private readInputSpec(map: YAMLMap, spec: InputSpec): void {
    let required: boolean | undefined;
    for (const e of this.r.checkKeys(
      this.r.entries(map),
      INPUT_SPEC_KEYS,
      `input '${spec.name}'`,
    )) {
      switch (e.key) {
        case 'description': {
          const d = this.r.string(e.value, e.at, `inputs.${spec.name}.description`);
          if (d !== undefined) spec.description = d;
          break;
        }
        case 'required':
          required = this.r.boolean(e.value, e.at, `inputs.${spec.name}.required`);
          break;
        case 'default':
          spec.default = this.r.json(e.value);
          spec.hasDefault = true;
          break;
        case 'type': {
          const t = this.r.string(e.value, e.at, `inputs.${spec.name}.type`);
          if (t !== undefined) spec.type = t;
          break;
        }
      }
    }
    // The Python runtime: required defaults to "true unless a default is given".
    spec.required = required ?? !spec.hasDefault;
  }

  private readSteps(entry: Entry): StepDraft[] {
    const seq = this.r.seq(entry.value, entry.at, 'steps');
    if (!seq) return [];
    const nodes = this.r.items(seq);
    if (nodes.length === 0) {
      this.out.error('INVALID_VALUE', entry.at, 'steps must not be empty');
      return [];
    }
    const drafts: StepDraft[] = [];
    const steps = new StepReader(
      this.r,
      this.file,
      this.text,
      this.options.functions,
      this.options.agents,
    );
    nodes.forEach((node, index) => {
      const map = this.r.map(node, node, `step ${index + 1}`);
      if (map) drafts.push(steps.readStep(map, index));
    });
    return drafts;
  }
}

/** When `inputs` is absent, the available input names are the `inputs.X` the steps read. */
function inferInputs(drafts: StepDraft[]): InputSpec[] {
  const names: string[] = [];
  for (const draft of drafts) {
    for (const ref of draft.inputPaths) {
      const [ns, name] = ref.path.segments;
      if (ns === 'inputs' && name !== undefined && !names.includes(name)) names.push(name);
    }
  }
  return names.map((name) => ({ name, required: true, hasDefault: false }));
}

function toStepDefinition(draft: StepDraft): StepDefinition {
  const inputs: StepInputSpec =
    draft.inputForm === 'none'
      ? { form: 'none' }
      : { form: draft.inputForm, entries: draft.mapping };
  const base = {
    id: draft.id!,
    inputs,
    retry: draft.retry,
    optional: draft.optional,
    position: draft.position,
    ...(draft.outputs !== undefined && { outputs: draft.outputs }),
    ...(draft.outputSchema !== undefined && { outputSchema: draft.outputSchema }),
    ...(draft.timeoutMs !== undefined && { timeoutMs: draft.timeoutMs }),
    ...(draft.default !== undefined && { default: draft.default as JsonObject }),
    ...(draft.next !== undefined && { next: draft.next }),
  };
  switch (draft.type!) {
    case 'agent':
      return { ...base, type: 'agent', agent: draft.ref! };
    case 'function':
      return { ...base, type: 'function', function: draft.ref! };
    case 'tool':
      return { ...base, type: 'tool', tool: draft.ref! };
    case 'input':
      return {
        ...base,
        type: 'input',
        prompt: draft.prompt!,
        password: draft.password ?? false,
        outputKey: draft.outputs?.[0] ?? INPUT_STEP_OUTPUT_KEY,
        ...(draft.answerDefault !== undefined && { answerDefault: draft.answerDefault }),
      };
  }
}
