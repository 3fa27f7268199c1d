/**
 * Typed reads over yaml's node tree that report into a DiagnosticCollector instead of throwing,
 * so one pass over a file finds every problem. Shared by the workflow loader and runtime.yaml.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Document,
  type Node,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { JsonValue } from '../json.js';
import type { At, DiagnosticCollector } from './diagnostics.js';
import { didYouMean } from './suggest.js';

/** One `key: value` of a mapping, with both nodes kept for positions. */
export interface Entry {
  key: string;
  keyNode: Scalar;
  /** Null when the value is empty (`key:`), as YAML reads it. */
  value: Node | null;
  /** Where to point at the value: the value node, or the key when the value is empty. */
  at: At;
}

export class YamlReader {
  constructor(
    readonly doc: Document,
    readonly out: DiagnosticCollector,
  ) {}

  /** Follows `*alias` to its anchor so the rest of the loader sees plain nodes. */
  deref(node: unknown): Node | null {
    let current = node;
    for (let hops = 0; isAlias(current) && hops < 32; hops++) {
      current = current.resolve(this.doc) ?? null;
    }
    return (current ?? null) as Node | null;
  }

  isEmpty(node: Node | null): boolean {
    return node === null || (isScalar(node) && node.value === null);
  }

  /** The entries of a mapping; non-scalar keys are reported and skipped. */
  entries(map: YAMLMap): Entry[] {
    const result: Entry[] = [];
    for (const pair of map.items) {
      const keyNode = this.deref(pair.key);
      if (
        !isScalar(keyNode) ||
        (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')
      ) {
        this.out.error('INVALID_TYPE', keyNode as At, 'keys must be plain strings');
        continue;
      }
      const value = this.deref(pair.value);
      const emptyRange = value?.range ? value.range[0] === value.range[1] : true;
      result.push({
        key: String(keyNode.value),
        keyNode,
        value,
        at: value && !emptyRange ? value : keyNode,
      });
    }
    return result;
  }

  /** Reports keys not in `allowed` (UNKNOWN_KEY, with the closest allowed key as suggestion). */
  checkKeys(entries: Entry[], allowed: readonly string[], where: string): Entry[] {
    return entries.filter((e) => {
      if (allowed.includes(e.key)) return true;
      const suggestion = didYouMean(e.key, allowed);
      this.out.error('UNKNOWN_KEY', e.keyNode, `unknown key '${e.key}' in ${where}`, suggestion);
      return false;
    });
  }

  /** The mapping at `node`, or undefined after reporting INVALID_TYPE. */
  map(node: Node | null, at: At, what: string): YAMLMap | undefined {
    if (isMap(node)) return node;
    this.out.error('INVALID_TYPE', at, `${what} must be a mapping, not ${this.describe(node)}`);
    return undefined;
  }

  seq(node: Node | null, at: At, what: string): YAMLSeq | undefined {
    if (isSeq(node)) return node;
    this.out.error('INVALID_TYPE', at, `${what} must be a list, not ${this.describe(node)}`);
    return undefined;
  }

  items(seq: YAMLSeq): Node[] {
    return seq.items.map((item) => this.deref(item)).filter((n): n is Node => n !== null);
  }

  string(node: Node | null, at: At, what: string): string | undefined {
    if (isScalar(node) && typeof node.value === 'string') return node.value;
    this.out.error('INVALID_TYPE', at, `${what} must be a string, not ${this.describe(node)}`);
    return undefined;
  }

  /** A non-empty string, with no surrounding whitespace. */
  name(node: Node | null, at: At, what: string): string | undefined {
    const value = this.string(node, at, what);
    if (value === undefined) return undefined;
    if (value.trim() === '') {
      this.out.error('INVALID_VALUE', at, `${what} must not be empty`);
      return undefined;
    }
    return value.trim();
  }

  boolean(node: Node | null, at: At, what: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.out.error('INVALID_TYPE', at, `${what} must be true or false, not ${this.describe(node)}`);
    return undefined;
  }

  number(
    node: Node | null,
    at: At,
    what: string,
    opts: { integer?: boolean; min?: number; max?: number } = {},
  ) {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value)) {
      this.out.error('INVALID_TYPE', at, `${what} must be a number, not ${this.describe(node)}`);
      return undefined;
    }
    const value = node.value;
    if (opts.integer && !Number.isInteger(value)) {
      this.out.error('INVALID_VALUE', at, `${what} must be a whole number, not ${value}`);
      return undefined;
    }
    if (opts.min !== undefined && value < opts.min) {
      this.out.error('INVALID_VALUE', at, `${what} must be >= ${opts.min}, not ${value}`);
      return undefined;
    }
    if (opts.max !== undefined && value > opts.max) {
      this.out.error('INVALID_VALUE', at, `${what} must be <= ${opts.max}, not ${value}`);
      return undefined;
    }
    return value;
  }

  /** One of `choices`; a near miss gets a suggestion. */
  choice<T extends string>(
    node: Node | null,
    at: At,
    what: string,
    choices: readonly T[],
  ): T | undefined {
    const value = this.string(node, at, what);
    if (value === undefined) return undefined;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.out.error(
      'INVALID_VALUE',
      at,
      `${what} must be one of ${choices.join(', ')}, not '${value}'`,
      didYouMean(value, choices),
    );
    return undefined;
  }

  /** Plain JSON of a node (aliases resolved). */
  json(node: Node | null): JsonValue {
    if (node === null) return null;
    return (node.toJS(this.doc) ?? null) as JsonValue;
  }

  describe(node: Node | null): string {
    if (node === null) return 'nothing';
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) {
      const v = node.value;
      if (v === null) return 'an empty value';
      if (typeof v === 'string') return `the string '${v}'`;
      return `${typeof v} ${String(v)}`;
    }
    return 'an unsupported YAML node';
  }
}
