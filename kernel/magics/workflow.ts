/**
 * `%workflow <file|id[@version]> …` and `%%workflow …` (YAML in the cell body): run a workflow
 * on the kernel's event loop with live progress, recorded in the notebook's SQLite run store.
 *
 * Inputs from cell variables, one documented syntax:
 *   --inputs-from obj        every key of the object `obj` (or `obj.field`) is an input;
 *   -i key=$var              the value of variable `var` (or `var.field`), any JSON value;
 *   -i key=$$text            a literal value starting with `$` (`$text`);
 *   -i key=value             a literal, coerced like the CLI (true/false, numbers, JSON [..]/{..}).
 * `-i` pairs override keys from `--inputs-from`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  coerceInputValue,
  runWorkflow,
  type JsonObject,
  type JsonValue,
} from '../../runtime/index.js';
import type { ExecuteOutcome } from '../cells/types.js';
import { MagicUsageError, type ParsedMagic } from './parse.js';
import { parseMagicArgs, type MagicContext, type MagicSpec } from './registry.js';
import { notebookInputHandler } from './input.js';
import { runLive } from './run-live.js';
import { findConfigDir, resolveStorePath } from './stores.js';
import { toJsonObject, toJsonValue, type VariableScope } from './variables.js';

const VARIABLE_REF = /^\$([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)$/;
/** The id an inline workflow gets when its YAML has no `workflow:` block and no --name. */
export const DEFAULT_INLINE_ID = 'notebook_workflow';

const INPUT_OPTIONS = {
  input: { type: 'string', short: 'i', multiple: true },
  'inputs-from': { type: 'string' },
  output: { type: 'string', short: 'o' },
  store: { type: 'string' },
} as const;

const LINE_USAGE =
  'Usage: %workflow <file|id[@version]> [-i key=value ...] [--inputs-from <variable>] [-o <variable>] [--store <path>]';
const CELL_USAGE =
  'Usage: %%workflow [--name id] [-i key=value ...] [--inputs-from <variable>] [-o <variable>] [--store <path>]\n<workflow YAML>';

const INPUT_HELP = `Inputs
  -i key=value           a literal: true/false, numbers and JSON [..]/{..} are coerced, else a string
  -i key=$var            the value of the notebook variable var (or var.field)
  -i key=$$text          a literal starting with $ ($text)
  --inputs-from obj      every key of the object variable obj (or obj.field); -i overrides keys`;

const COMMON_HELP = `  -o name                store the RunResult in the variable name (also when the run fails)
  --store path           run store (SQLite file, or :memory:); default: db_path of the notebook's
                         runtime.yaml, else runtime.db next to the notebook`;

export const WORKFLOW_HELP = `${LINE_USAGE}
${CELL_USAGE}

Runs a workflow on the kernel's event loop and shows its steps live (one display updated in place).
The cell's result is the run's status and outputs. A FAILED run ends the cell with an error whose
name is the error code (e.g. AR-TOOL-NOT-FOUND) and that names the failing step and the
%resume line; interrupting the kernel cancels the run (CANCELLED, resumable with %resume).
A step of type input asks you in an input box (in batch runs it takes its default).

%workflow takes a workflow file (relative to the notebook) or a workflow id[@version] from the
project's workflows/ directory. %%workflow runs the YAML in the cell body; schema_version and the
workflow block may be left out (--name sets the id; default ${DEFAULT_INLINE_ID}).

${INPUT_HELP}
Output
${COMMON_HELP}

Examples
  %workflow workflows/triage.yaml -i issue="Database is down" -o triage
  %workflow triage@v1 --inputs-from ticket
  %%workflow --name hello -o hello
  steps:
    - {id: greet, type: tool, tool: tools.echo, inputs: {message: inputs.who}}`;

/** Shell-quotes a word for a line the user can copy (the resume hint). */
export function quoteArg(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The inputs a magic asks for: --inputs-from, then each -i pair on top. */
export function collectInputs(
  pairs: readonly string[],
  inputsFrom: string | undefined,
  variables: VariableScope,
): JsonObject {
  const inputs: JsonObject =
    inputsFrom !== undefined
      ? toJsonObject(variables.get(inputsFrom), `--inputs-from ${inputsFrom}`)
      : {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new MagicUsageError(
        `Invalid input '${pair}': write it as -i key=value (or -i key=$variable)`,
      );
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const ref = VARIABLE_REF.exec(raw);
    let value: JsonValue;
    if (ref) value = toJsonValue(variables.get(ref[1]!), `-i ${key}=$${ref[1]!}`);
    else if (raw.startsWith('$$')) value = raw.slice(1);
    else value = coerceInputValue(raw);
    inputs[key] = value;
  }
  return inputs;
}

/**
 * The YAML of a %%workflow cell, completed so a cell can hold just `inputs:` and `steps:`. Missing
 * top-level keys are APPENDED, so diagnostics keep the cell's own line numbers.
 */
export function inlineWorkflowYaml(body: string, name: string | undefined): string {
  if (body.trim() === '')
    throw new MagicUsageError(`%%workflow needs the workflow YAML in the cell body\n${CELL_USAGE}`);
  const hasWorkflow = /^workflow\s*:/m.test(body);
  if (hasWorkflow && name !== undefined) {
    throw new MagicUsageError(
      "--name conflicts with the cell's own 'workflow:' block; keep one of them",
    );
  }
  // A leading empty line stands for the `%%workflow` line, so positions are the cell's own lines.
  let text = `\n${body.endsWith('\n') ? body : `${body}\n`}`;
  if (!/^schema_version\s*:/m.test(body)) text += 'schema_version: v1\n';
  if (!hasWorkflow)
    text += `workflow:\n  id: ${JSON.stringify(name ?? DEFAULT_INLINE_ID)}\n  version: v1\n`;
  return text;
}

async function runMagic(magic: ParsedMagic, ctx: MagicContext): Promise<ExecuteOutcome> {
  const isCell = magic.kind === 'cell';
  const parsed = isCell
    ? parseMagicArgs(magic, { ...INPUT_OPTIONS, name: { type: 'string' } }, CELL_USAGE)
    : parseMagicArgs(magic, INPUT_OPTIONS, LINE_USAGE);
  const { values, positionals } = parsed;
  let source: string;
  if (isCell) {
    if (positionals.length > 0)
      throw new MagicUsageError(`Unexpected argument '${positionals[0]!}'\n${CELL_USAGE}`);
    source = inlineWorkflowYaml(magic.body, (values as { name?: string }).name);
  } else {
    if (positionals.length !== 1) {
      throw new MagicUsageError(
        `${positionals.length === 0 ? 'Which workflow?' : `Expected one workflow, got: ${positionals.join(' ')}`}\n${LINE_USAGE}`,
      );
    }
    source = positionals[0]!;
  }
  const inputs = collectInputs(values.input ?? [], values['inputs-from'], ctx.variables);
  const projectDir = findConfigDir(ctx.cwd);
  const storeFile = resolveStorePath(ctx.cwd, values.store);
  const store = ctx.stores.open(storeFile, projectDir);
  return runLive(
    ctx,
    (onEvent, signal) =>
      runWorkflow(source, {
        store,
        inputs,
        signal,
        onEvent,
        onInput: notebookInputHandler(ctx.sink),
        cwd: ctx.cwd,
        // A file finds its own project; inline YAML and workflow ids use the notebook's project.
        ...(isCell || !isFileLike(ctx.cwd, source)
          ? { projectDir: projectDir ?? path.resolve(ctx.cwd) }
          : {}),
      }),
    {
      ...(values.output !== undefined ? { outputVariable: values.output } : {}),
      ...(values.store !== undefined ? { resumeArgs: `--store ${quoteArg(values.store)}` } : {}),
    },
  );
}

function isFileLike(cwd: string, ref: string): boolean {
  // The runtime takes an existing path as a file and anything else as a workflow id.
  return existsSync(path.resolve(cwd, ref));
}

export const workflowSpec: MagicSpec = {
  name: 'workflow',
  kinds: ['line', 'cell'],
  summary:
    'run a workflow file or id (%workflow) or the YAML in the cell (%%workflow), with live progress',
  help: WORKFLOW_HELP,
  run: runMagic,
};
