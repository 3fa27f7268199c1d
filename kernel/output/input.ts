/**
 * `input(prompt, { password })` for cells: asks the frontend for a line over the stdin channel
 * (input_request/input_reply) through the sink of the calling cell, like Python's input() in
 * ipykernel. Installed as a global by the kernel process; a cell may shadow it.
 */
import { currentSink } from './sink.js';

export class NoCellContextError extends Error {
  override name = 'NoCellContextError';
  constructor() {
    super('input() can only be called from a notebook cell (no cell context is active)');
  }
}

export function input(prompt = '', options: { password?: boolean } = {}): Promise<string> {
  const sink = currentSink();
  if (!sink) return Promise.reject(new NoCellContextError());
  return sink.input(String(prompt), options.password === true);
}

export function installInputGlobal(): void {
  const g = globalThis as Record<string, unknown>;
  if ('input' in g) return;
  Object.defineProperty(g, 'input', {
    value: input,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
