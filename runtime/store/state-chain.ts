/**
 * Run state as a chain of changes. The store records, per version, only the change a step made
 * (normally one `set` of `steps.<id>`); these pure functions apply a change set, rebuild any
 * version from the chain, and diff two states. Resume, replay, `state-diff` and the visualizers all
 * go through here, so there is one definition of what a recorded change means.
 */
import { StoreError } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import type { StateChange, StateVersion } from './run-store.js';

/** One difference between two states; `path` is dot-joined (`steps.a.summary`). */
export type StateDiffEntry =
  | { op: '+'; path: string; before: undefined; after: JsonValue }
  | { op: '-'; path: string; before: JsonValue; after: undefined }
  | { op: '~'; path: string; before: JsonValue; after: JsonValue };

/** Structural equality of JSON values (key order does not matter, array order does). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const aKeys = Object.keys(a);
    if (aKeys.length !== Object.keys(b).length) return false;
    return aKeys.every(
      (key) => Object.prototype.hasOwnProperty.call(b, key) && jsonEqual(a[key], b[key]),
    );
  }
  return false;
}

/**
 * Returns a new state with `changes` applied in order; `state` is never mutated, and unchanged
 * subtrees are shared with it (callers must treat states as immutable). `set` creates missing
 * intermediate objects; `delete` of a missing path is a no-op.
 */
export function applyChanges(state: JsonObject, changes: readonly StateChange[]): JsonObject {
  let current = state;
  for (const change of changes) current = applyOne(current, change);
  return current;
}

function applyOne(state: JsonObject, change: StateChange): JsonObject {
  if (change.path.length === 0) {
    if (change.op === 'delete') return {};
    if (!isJsonObject(change.value)) {
      throw new StoreError('A state change that replaces the whole state must set an object', {
        details: { change: change as unknown as JsonValue },
      });
    }
    return change.value;
  }
  return updateAt(state, change.path, 0, change);
}

function updateAt(
  node: JsonObject,
  path: readonly string[],
  depth: number,
  change: StateChange,
): JsonObject {
  const key = path[depth] as string;
  const copy: JsonObject = { ...node };
  if (depth === path.length - 1) {
    if (change.op === 'set') copy[key] = change.value;
    else delete copy[key];
    return copy;
  }
  const child = node[key];
  if (!isJsonObject(child)) {
    // Deleting below a missing or non-object node changes nothing.
    if (change.op === 'delete') return node;
    copy[key] = updateAt({}, path, depth + 1, change);
  } else {
    copy[key] = updateAt(child, path, depth + 1, change);
  }
  return copy;
}

/**
 * Applies `changes` to `state` by mutation and returns it (a new object only when the whole state
 * is replaced). O(size of the change) per call, where `applyChanges` also copies every object on
 * the path (the `steps` map grows with the run, so long runs pay O(steps) per step there). Values
 * are cloned on the way in, so the state never aliases a change record.
 */
export function applyChangesInPlace(
  state: JsonObject,
  changes: readonly StateChange[],
): JsonObject {
  let current = state;
  for (const change of changes) {
    if (change.path.length === 0) {
      current = applyOne(
        current,
        change.op === 'set' ? { ...change, value: structuredClone(change.value) } : change,
      );
      continue;
    }
    let node: JsonObject = current;
    const last = change.path.length - 1;
    let reachable = true;
    for (let i = 0; i < last; i++) {
      const key = change.path[i] as string;
      const child = node[key];
      if (isJsonObject(child)) {
        node = child;
      } else if (change.op === 'delete') {
        reachable = false;
        break;
      } else {
        const created: JsonObject = {};
        node[key] = created;
        node = created;
      }
    }
    if (!reachable) continue;
    const key = change.path[last] as string;
    if (change.op === 'set') node[key] = structuredClone(change.value);
    else delete node[key];
  }
  return current;
}

/**
 * Rebuilds the state at `uptoVersion` (default: the latest) from versions ordered by version and
 * starting at 0. A gap in the chain means the record is damaged, so it is an error rather than a
 * silently wrong state.
 */
export function rebuildState(versions: readonly StateVersion[], uptoVersion?: number): JsonObject {
  let state: JsonObject = {};
  versions.forEach((v, i) => {
    if (v.version !== i) {
      throw new StoreError(
        `State history of run ${v.runId} is not contiguous: expected version ${i}, found ${v.version}`,
        { details: { runId: v.runId, expected: i, found: v.version } },
      );
    }
  });
  // The state is private to this call, so it is built by mutation: O(total changes), not O(n²).
  for (const v of versions) {
    if (uptoVersion !== undefined && v.version > uptoVersion) break;
    state = applyChangesInPlace(state, v.changes);
  }
  return state;
}

/**
 * Recursive difference between two states: objects are walked key by key, anything else (arrays,
 * scalars, a type change) is compared as a whole value. Entries come in path order of `before`,
 * then keys only present in `after`.
 */
export function diffStates(before: JsonObject, after: JsonObject): StateDiffEntry[] {
  const out: StateDiffEntry[] = [];
  diffInto(before, after, [], out);
  return out;
}

function diffInto(
  before: JsonObject,
  after: JsonObject,
  prefix: string[],
  out: StateDiffEntry[],
): void {
  for (const key of Object.keys(before)) {
    const path = [...prefix, key];
    const b = before[key] as JsonValue;
    if (!Object.prototype.hasOwnProperty.call(after, key)) {
      out.push({ op: '-', path: path.join('.'), before: b, after: undefined });
      continue;
    }
    const a = after[key] as JsonValue;
    // States built by applyChanges share unchanged subtrees: same reference, nothing to walk.
    if (a === b) continue;
    if (isJsonObject(b) && isJsonObject(a)) diffInto(b, a, path, out);
    else if (!jsonEqual(b, a)) out.push({ op: '~', path: path.join('.'), before: b, after: a });
  }
  for (const key of Object.keys(after)) {
    if (Object.prototype.hasOwnProperty.call(before, key)) continue;
    out.push({
      op: '+',
      path: [...prefix, key].join('.'),
      before: undefined,
      after: after[key] as JsonValue,
    });
  }
}

/** The change a step that produced `output` normally records: `set steps.<stepId>`. */
export function stepOutputChange(stepId: string, output: JsonObject): StateChange[] {
  return [{ op: 'set', path: ['steps', stepId], value: output }];
}
