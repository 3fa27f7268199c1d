import { describe, expect, it } from '@jest/globals';
import { isAgentkernelError } from '../../../runtime/errors.js';
import type { JsonObject } from '../../../runtime/json.js';
import type { StateVersion } from '../../../runtime/store/run-store.js';
import {
  applyChanges,
  applyChangesInPlace,
  diffStates,
  jsonEqual,
  rebuildState,
} from '../../../runtime/store/state-chain.js';

const version = (v: number, changes: StateVersion['changes']): StateVersion => ({
  runId: 'r',
  version: v,
  executionIndex: v === 0 ? null : v - 1,
  stepId: v === 0 ? null : `s${v}`,
  changes,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('applyChanges', () => {
  it('sets nested paths, creating missing objects, without mutating the input', () => {
    const state: JsonObject = { inputs: { a: 1 }, steps: {} };
    const frozen = structuredClone(state);
    const next = applyChanges(state, [
      { op: 'set', path: ['steps', 'x'], value: { out: 1 } },
      { op: 'set', path: ['runtime', 'memory', 'short'], value: [1, 2] },
    ]);
    expect(next).toEqual({
      inputs: { a: 1 },
      steps: { x: { out: 1 } },
      runtime: { memory: { short: [1, 2] } },
    });
    expect(state).toEqual(frozen);
    // Unchanged subtrees are shared, not copied.
    expect(next['inputs']).toBe(state['inputs']);
  });

  it('deletes paths and ignores deletes of missing paths', () => {
    const state: JsonObject = { steps: { a: { v: 1 }, b: 2 } };
    expect(applyChanges(state, [{ op: 'delete', path: ['steps', 'a'] }])).toEqual({
      steps: { b: 2 },
    });
    expect(applyChanges(state, [{ op: 'delete', path: ['nope', 'deeper'] }])).toEqual(state);
    expect(state).toEqual({ steps: { a: { v: 1 }, b: 2 } });
  });

  it('replaces the whole state with an empty path, and overwrites a scalar on the way down', () => {
    expect(applyChanges({ a: 1 }, [{ op: 'set', path: [], value: { b: 2 } }])).toEqual({ b: 2 });
    expect(applyChanges({ a: 1 }, [{ op: 'set', path: ['a', 'b'], value: 3 }])).toEqual({
      a: { b: 3 },
    });
  });

  it('refuses to replace the state with a non-object', () => {
    let caught: unknown;
    try {
      applyChanges({}, [{ op: 'set', path: [], value: [1] }]);
    } catch (e) {
      caught = e;
    }
    expect(isAgentkernelError(caught) && caught.code).toBe('AR-STORAGE');
  });
});

describe('rebuildState', () => {
  const chain = [
    version(0, [{ op: 'set', path: [], value: { inputs: { q: 'x' }, steps: {} } }]),
    version(1, [{ op: 'set', path: ['steps', 'a'], value: { n: 1 } }]),
    version(2, [{ op: 'set', path: ['steps', 'b'], value: { n: 2 } }]),
    version(3, [{ op: 'delete', path: ['steps', 'a'] }]),
  ];

  it('rebuilds the latest state and any earlier version', () => {
    expect(rebuildState(chain)).toEqual({ inputs: { q: 'x' }, steps: { b: { n: 2 } } });
    expect(rebuildState(chain, 0)).toEqual({ inputs: { q: 'x' }, steps: {} });
    expect(rebuildState(chain, 2)).toEqual({
      inputs: { q: 'x' },
      steps: { a: { n: 1 }, b: { n: 2 } },
    });
    expect(rebuildState([])).toEqual({});
  });

  it('refuses a chain with a gap', () => {
    let caught: unknown;
    try {
      rebuildState([chain[0] as StateVersion, chain[2] as StateVersion]);
    } catch (e) {
      caught = e;
    }
    expect(isAgentkernelError(caught) && caught.code).toBe('AR-STORAGE');
  });
});

describe('diffStates', () => {
  it('lists added, removed and changed paths recursively', () => {
    const before: JsonObject = {
      inputs: { q: 'x' },
      steps: { a: { n: 1, keep: true }, gone: 1 },
      list: [1, 2],
    };
    const after: JsonObject = {
      inputs: { q: 'x' },
      steps: { a: { n: 2, keep: true, extra: 'e' } },
      list: [1, 3],
      added: { z: null },
    };
    expect(diffStates(before, after)).toEqual([
      { op: '~', path: 'steps.a.n', before: 1, after: 2 },
      { op: '+', path: 'steps.a.extra', before: undefined, after: 'e' },
      { op: '-', path: 'steps.gone', before: 1, after: undefined },
      { op: '~', path: 'list', before: [1, 2], after: [1, 3] },
      { op: '+', path: 'added', before: undefined, after: { z: null } },
    ]);
    expect(diffStates(before, structuredClone(before))).toEqual([]);
  });

  it('treats a type change as a change of the whole value', () => {
    expect(diffStates({ a: { b: 1 } }, { a: 'text' })).toEqual([
      { op: '~', path: 'a', before: { b: 1 }, after: 'text' },
    ]);
  });
});

describe('jsonEqual', () => {
  it('ignores key order but not array order or types', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined as unknown as null })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
  });
});

describe('applyChangesInPlace', () => {
  it('gives the same result as applyChanges, mutating only its own state', () => {
    const changes: StateVersion['changes'] = [
      { op: 'set', path: ['steps', 'a'], value: { n: 1 } },
      { op: 'set', path: ['steps', 'a', 'm'], value: 2 },
      { op: 'set', path: ['deep', 'er', 'x'], value: [1] },
      { op: 'delete', path: ['inputs', 'q'] },
      { op: 'delete', path: ['missing', 'x'] },
    ];
    const original = { inputs: { q: 'x', r: 1 }, steps: {} };
    const expected = applyChanges(structuredClone(original), changes);
    const state = structuredClone(original);
    const result = applyChangesInPlace(state, changes);
    expect(result).toBe(state);
    expect(result).toEqual(expected);
    // The change records were not aliased: a later in-place set below them left them intact.
    expect(changes[0]).toEqual({ op: 'set', path: ['steps', 'a'], value: { n: 1 } });
    expect(applyChangesInPlace({ a: 1 }, [{ op: 'set', path: [], value: { b: 2 } }])).toEqual({
      b: 2,
    });
  });

  it('lets rebuildState leave the version records untouched', () => {
    const v0 = version(0, [{ op: 'set', path: [], value: { steps: {} } }]);
    const v1 = version(1, [{ op: 'set', path: ['steps', 'a'], value: { n: 1 } }]);
    const v2 = version(2, [{ op: 'set', path: ['steps', 'a', 'n'], value: 2 }]);
    expect(rebuildState([v0, v1, v2])).toEqual({ steps: { a: { n: 2 } } });
    expect(v0.changes[0]).toEqual({ op: 'set', path: [], value: { steps: {} } });
    expect(v1.changes[0]).toEqual({ op: 'set', path: ['steps', 'a'], value: { n: 1 } });
  });
});
