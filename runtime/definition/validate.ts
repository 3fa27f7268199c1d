/**
 * Cross-step checks, run after every step was read on its own: unique ids and output keys,
 * references from inputs / conditions / branch targets to steps and inputs that exist (and, for
 * inputs, come earlier in the file), list-form input resolution, and the branch fall-through trap.
 */
import type { DiagnosticCollector } from './diagnostics.js';
import type { InputsDraft, PathRef, StepDraft } from './draft.js';
import { didYouMean } from './suggest.js';

export function validateWorkflow(
  drafts: StepDraft[],
  inputs: InputsDraft,
  out: DiagnosticCollector,
): void {
  const byId = new Map<string, StepDraft>();
  for (const draft of drafts) {
    if (draft.id === undefined) continue;
    const first = byId.get(draft.id);
    if (first) {
      out.error(
        'DUPLICATE_STEP_ID',
        draft.idAt,
        `step id '${draft.id}' is used twice (first at line ${first.position.line})`,
      );
    } else byId.set(draft.id, draft);
  }
  const ids = [...byId.keys()];
  const inputNames = inputs.specs.map((s) => s.name);

  checkOutputKeys(drafts, out);
  for (const draft of drafts) {
    for (const ref of draft.inputPaths)
      checkInputPath(draft, ref, byId, ids, inputs, inputNames, out);
    resolveContract(draft, drafts, inputNames, out);
    for (const target of draft.targets) {
      if (!byId.has(target.goto)) {
        out.error(
          'UNKNOWN_STEP_REF',
          target.at,
          `branch target '${target.goto}' is not a step of this workflow`,
          didYouMean(target.goto, ids),
        );
      }
    }
    for (const { expr, at } of draft.whenPaths)
      checkConditionPath(expr.segments, expr.text, at, byId, ids, inputs, inputNames, out);
    checkDefault(draft, out);
  }
  warnFallThrough(drafts, byId, out);
  // A broken `next` (missing goto, bad target) would make this warning a misleading echo of the error.
  if (!out.hasErrors()) warnUnreachable(drafts, out);
}

/**
 * A step runs when it is first, when a rule targets it, or when the step before it has no `next`
 * (fall-through). Anything else can never run, which is almost always a missing goto.
 */
function warnUnreachable(drafts: StepDraft[], out: DiagnosticCollector): void {
  const targeted = new Set(drafts.flatMap((d) => d.targets.map((t) => t.goto)));
  drafts.forEach((draft, i) => {
    const previous = drafts[i - 1];
    if (i === 0 || previous === undefined || previous.next === undefined) return;
    if (draft.id === undefined || targeted.has(draft.id)) return;
    out.warning(
      'UNREACHABLE_STEP',
      draft.idAt,
      `step '${draft.id}' can never run: no next rule targets it and '${previous.id}' before it always branches (it has 'next')`,
    );
  });
}

function checkOutputKeys(drafts: StepDraft[], out: DiagnosticCollector): void {
  const producer = new Map<string, string>();
  for (const draft of drafts) {
    (draft.outputs ?? []).forEach((key, i) => {
      const owner = producer.get(key);
      if (owner !== undefined) {
        out.error(
          'DUPLICATE_OUTPUT_KEY',
          draft.outputAts[i],
          `output key '${key}' is already declared by step '${owner}'`,
        );
      } else producer.set(key, draft.id ?? `#${draft.index + 1}`);
    });
  }
}

function checkInputPath(
  draft: StepDraft,
  ref: PathRef,
  byId: Map<string, StepDraft>,
  ids: string[],
  inputs: InputsDraft,
  inputNames: string[],
  out: DiagnosticCollector,
): void {
  const [ns, name, key] = ref.path.segments;
  if (name === undefined) return;
  if (ns === 'inputs') {
    if (inputs.declared && !inputNames.includes(name))
      unknownInput(name, ref.path.text, ref.at, inputNames, out);
    return;
  }
  const producer = byId.get(name);
  if (!producer) {
    out.error(
      'UNKNOWN_STEP_REF',
      ref.at,
      `'${ref.path.text}' references unknown step output: no step '${name}'`,
      didYouMean(name, ids),
    );
    return;
  }
  if (producer.index >= draft.index) {
    out.error(
      'FUTURE_STEP_REF',
      ref.at,
      `'${ref.path.text}' references future step output: '${name}' is not earlier in the file than '${draft.id ?? `step ${draft.index + 1}`}'`,
    );
    return;
  }
  checkOutputKey(producer, key, ref.path.text, ref.at, out);
}

function checkOutputKey(
  producer: StepDraft,
  key: string | undefined,
  text: string,
  at: PathRef['at'],
  out: DiagnosticCollector,
) {
  if (key === undefined || producer.outputs === undefined || producer.outputs.includes(key)) return;
  out.error(
    'UNKNOWN_OUTPUT_KEY',
    at,
    `'${text}': step '${producer.id}' declares outputs [${producer.outputs.join(', ')}], not '${key}'`,
    didYouMean(key, producer.outputs),
  );
}

/** Conditions run after their step, so any existing step is fine; an unknown one never resolves. */
function checkConditionPath(
  segments: string[],
  text: string,
  at: PathRef['at'],
  byId: Map<string, StepDraft>,
  ids: string[],
  inputs: InputsDraft,
  inputNames: string[],
  out: DiagnosticCollector,
): void {
  const [ns, name, key] = segments;
  if (name === undefined) return;
  if (ns === 'steps') {
    const producer = byId.get(name);
    if (!producer) {
      out.error('UNKNOWN_STEP_REF', at, `'${text}' names no step '${name}'`, didYouMean(name, ids));
      return;
    }
    checkOutputKey(producer, key, text, at, out);
  } else if (ns === 'inputs' && inputs.declared && !inputNames.includes(name)) {
    unknownInput(name, text, at, inputNames, out);
  }
}

function unknownInput(
  name: string,
  text: string,
  at: PathRef['at'],
  inputNames: string[],
  out: DiagnosticCollector,
): void {
  out.error(
    'UNKNOWN_INPUT_REF',
    at,
    `'${text}' refers to an undeclared input '${name}' (declared: ${inputNames.join(', ') || 'none'})`,
    didYouMean(name, inputNames),
  );
}

/**
 * List-form inputs (the Python runtime's "contract mode"): each key comes from the earlier step
 * that declares it in `outputs`, else from the workflow input of that name.
 */
function resolveContract(
  draft: StepDraft,
  drafts: StepDraft[],
  inputNames: string[],
  out: DiagnosticCollector,
): void {
  for (const { key, at } of draft.contractKeys) {
    const producer = drafts.find((d) => d.index < draft.index && d.outputs?.includes(key));
    if (producer?.id !== undefined) {
      draft.mapping[key] = {
        kind: 'path',
        path: { text: `steps.${producer.id}.${key}`, segments: ['steps', producer.id, key] },
      };
      continue;
    }
    if (inputNames.includes(key)) {
      draft.mapping[key] = {
        kind: 'path',
        path: { text: `inputs.${key}`, segments: ['inputs', key] },
      };
      continue;
    }
    const later = drafts.find((d) => d.index >= draft.index && d.outputs?.includes(key));
    const why = later
      ? `it is produced by step '${later.id}', which is not earlier in the file`
      : 'no earlier step outputs it and no input has that name';
    out.error('CONTRACT_KEY_UNAVAILABLE', at, `input key '${key}' is unavailable: ${why}`);
  }
}

function checkDefault(draft: StepDraft, out: DiagnosticCollector): void {
  if (draft.default === undefined || draft.outputs === undefined) return;
  const keys = Object.keys(draft.default);
  const missing = draft.outputs.filter((k) => !keys.includes(k));
  const extra = keys.filter((k) => !draft.outputs!.includes(k));
  if (missing.length === 0 && extra.length === 0) return;
  const parts = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    extra.length > 0 ? `extra ${extra.join(', ')}` : '',
  ].filter(Boolean);
  out.error(
    'DEFAULT_CONTRACT_MISMATCH',
    draft.defaultAt,
    `default of step '${draft.id}' must have exactly the outputs [${draft.outputs.join(', ')}] (${parts.join('; ')})`,
  );
}

/**
 * A branch target without `next` continues with the following step in file order; when that
 * chain reaches another target of the same rules, the branches are not exclusive (sample 03:
 * issue=bug runs bug_path, feature_path and default_path). Usually a mistake, so warn.
 */
function warnFallThrough(
  drafts: StepDraft[],
  byId: Map<string, StepDraft>,
  out: DiagnosticCollector,
): void {
  for (const brancher of drafts) {
    if (brancher.next === undefined) continue;
    const targets = new Set(brancher.targets.map((t) => t.goto));
    const warned = new Set<string>();
    for (const targetId of targets) {
      const target = byId.get(targetId);
      if (!target || warned.has(targetId)) continue;
      for (let i = target.index; i < drafts.length - 1; i++) {
        if (drafts[i]!.next !== undefined) break;
        const following = drafts[i + 1]!;
        if (following.id !== undefined && targets.has(following.id) && following.id !== targetId) {
          warned.add(targetId);
          out.warning(
            'BRANCH_FALLTHROUGH',
            target.at,
            `step '${targetId}' is a branch target of '${brancher.id}' but has no 'next', so it falls through into '${following.id}', another target of the same branch; add next: [{default: <step>}] to '${targetId}' if the branches should be exclusive`,
          );
          break;
        }
      }
    }
  }
}
