/**
 * The display API cells see: tslab's `display.html/markdown/…` and `newDisplay()` (so tslab
 * notebooks run unchanged), a callable `display(value)` like IPython/Deno, and `clear_output`.
 * Everything writes through `currentSink()`, i.e. into the cell whose async context called it,
 * never into a global "last cell" (tslab's `lastWriteDisplayData`, architecture rule 12).
 */
import { randomBytes } from 'node:crypto';
import { currentSink } from '../output/sink.js';
import type { MimeBundle, OutputSink } from '../output/sink.js';
import { formatValue } from './format.js';

/** tslab's `Display` interface, method for method. */
export interface Display {
  javascript(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
  latex(s: string): void;
  svg(s: string): void;
  png(b: Uint8Array | string): void;
  jpeg(b: Uint8Array | string): void;
  gif(b: Uint8Array | string): void;
  pdf(b: Uint8Array | string): void;
  text(s: string): void;
  raw(contentType: string, b: string | Uint8Array): void;
}

/** The global `display`: callable with any value, and carrying tslab's methods. */
export interface DisplayFunction extends Display {
  (value: unknown, options?: { raw?: boolean }): void;
}

/** Thrown when display output is produced outside any cell (e.g. at kernel start). */
export class NoOutputContextError extends Error {
  override name = 'NoOutputContextError';
  constructor() {
    super('display: no cell is running in this async context, so there is nowhere to show output');
  }
}

function sinkOrThrow(): OutputSink {
  const sink = currentSink();
  if (!sink) throw new NoOutputContextError();
  return sink;
}

function encode(data: string | Uint8Array): string {
  return typeof data === 'string'
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/** `displayId` set: the first call creates the display, later calls update it in place (tslab newDisplay). */
function makeDisplay(displayId?: string): Display {
  let shown = false;
  const raw = (contentType: string, b: string | Uint8Array): void => {
    const sink = sinkOrThrow();
    const data: MimeBundle = { [contentType]: encode(b) };
    if (displayId === undefined) {
      sink.display(data, { metadata: {} });
    } else {
      sink.display(data, { metadata: {}, displayId, update: shown });
      shown = true;
    }
  };
  return {
    javascript: (s) => raw('application/javascript', s),
    html: (s) => raw('text/html', s),
    markdown: (s) => raw('text/markdown', s),
    latex: (s) => raw('text/latex', s),
    svg: (s) => raw('image/svg+xml', s),
    png: (b) => raw('image/png', b),
    jpeg: (b) => raw('image/jpeg', b),
    gif: (b) => raw('image/gif', b),
    pdf: (b) => raw('application/pdf', b),
    text: (s) => raw('text/plain', s),
    raw,
  };
}

/** A display that overwrites one output area entry: every call after the first is an update. */
export function newDisplay(): Display {
  return makeDisplay(randomBytes(8).toString('hex'));
}

function createDisplayFunction(): DisplayFunction {
  const methods = makeDisplay();
  const fn = (value: unknown, options: { raw?: boolean } = {}): void => {
    const sink = sinkOrThrow();
    // `display(bundle, {raw: true})` sends a ready-made MIME bundle, as Deno.jupyter.display does.
    if (options.raw === true && typeof value === 'object' && value !== null) {
      sink.display(value as MimeBundle, { metadata: {} });
      return;
    }
    const formatted = formatValue(value);
    if (formatted) sink.display(formatted.data, { metadata: formatted.metadata });
  };
  return Object.assign(fn, methods);
}

export const display: DisplayFunction = createDisplayFunction();

/** IPython's clear_output: `wait` defers the clear until the next output arrives (no flicker). */
export function clearOutput(wait = false): void {
  sinkOrThrow().clearOutput(wait);
}

/** The module object cells get for `import … from "tslab"`. */
export const tslabModule = Object.freeze({
  display,
  newDisplay,
  clear_output: clearOutput,
  clearOutput,
  versions: Object.freeze({
    tslab: '1.0.22-compatible (agentkernel)',
    typescript: '5.9',
    node: process.version,
  }),
});
