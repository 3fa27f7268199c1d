/**
 * Value → MIME bundle for `execute_result` and `display(value)`.
 *
 * text/plain is `util.inspect` WITHOUT colours: frontends render text/plain verbatim, and Deno's
 * ANSI-coloured results are a known complaint (reference/kernels.md). Rich values opt in through
 * Deno's convention, a `[Symbol.for("Jupyter.display")]()` method returning a MIME bundle, or
 * IJavascript/tslab-style `_toHtml()`/`_toMime()` shapes.
 */
import util from 'node:util';
import type { MimeBundle } from '../output/sink.js';

export const JUPYTER_DISPLAY = Symbol.for('Jupyter.display');

export interface FormattedValue {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

const INSPECT_OPTIONS: util.InspectOptions = {
  colors: false,
  depth: 4,
  maxArrayLength: 100,
  breakLength: 100,
};

export function inspectPlain(value: unknown): string {
  return util.inspect(value, INSPECT_OPTIONS);
}

function isObjectLike(value: unknown): value is Record<string | symbol, unknown> {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function isMimeBundle(value: unknown): value is MimeBundle {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    Object.keys(value).every((k) => k.includes('/'))
  );
}

/** Binary data in a bundle (images, pdf) goes over the wire as base64, as nbformat expects. */
function normalizeBundle(bundle: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, data] of Object.entries(bundle)) {
    out[mime] =
      data instanceof Uint8Array
        ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')
        : data;
  }
  return out;
}

/**
 * Formats a value. Returns undefined for `undefined` (a statement-like cell has no result, as in
 * IPython). A rich hook that throws falls back to text/plain rather than losing the result.
 */
export function formatValue(value: unknown): FormattedValue | undefined {
  if (value === undefined) return undefined;
  if (isObjectLike(value)) {
    const hook = value[JUPYTER_DISPLAY];
    if (typeof hook === 'function') {
      try {
        const bundle: unknown = hook.call(value);
        if (isMimeBundle(bundle)) {
          const data = normalizeBundle(bundle);
          if (data['text/plain'] === undefined) data['text/plain'] = inspectPlain(value);
          return { data, metadata: {} };
        }
      } catch {
        // fall through to the plain rendering
      }
    }
    const toMime = value['_toMime'];
    if (typeof toMime === 'function') {
      try {
        const bundle: unknown = toMime.call(value);
        if (isMimeBundle(bundle))
          return {
            data: { 'text/plain': inspectPlain(value), ...normalizeBundle(bundle) },
            metadata: {},
          };
      } catch {
        // fall through
      }
    }
    const toHtml = value['_toHtml'];
    if (typeof toHtml === 'function') {
      try {
        const html: unknown = toHtml.call(value);
        if (typeof html === 'string')
          return { data: { 'text/plain': inspectPlain(value), 'text/html': html }, metadata: {} };
      } catch {
        // fall through
      }
    }
  }
  return { data: { 'text/plain': inspectPlain(value) }, metadata: {} };
}
