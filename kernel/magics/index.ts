/**
 * The magics' door for the protocol layer: `tryRunMagic` (execute_request) and `completeMagic`
 * (complete_request). Both return null when the code is not a magic, so the handler falls back to
 * the TypeScript cell engine. The implementation (and with it the runtime: SQLite, YAML, tsx) is
 * imported on the first magic only, keeping kernel start-up as fast as without magics.
 */
import type { CompletionResult, ExecuteOutcome } from '../cells/types.js';
import { isCompleteMagic, isMagic } from './detect.js';
import type { MagicCompleteOptions, MagicRunOptions } from './dispatch.js';

export type { MagicCompleteOptions, MagicRunOptions } from './dispatch.js';
export { isCompleteMagic, isMagic };

/** The implementation, once a magic has asked for it (remembered so shutdown knows if it loaded). */
let dispatch: Promise<typeof import('./dispatch.js')> | undefined;
const loadDispatch = (): Promise<typeof import('./dispatch.js')> =>
  (dispatch ??= import('./dispatch.js'));

/**
 * Closes the magics' run stores (SQLite connections) if any magic ran; the kernel awaits it
 * before process.exit so no connection is left to the process teardown (added by J).
 */
export async function closeMagicStores(): Promise<void> {
  if (dispatch) await (await dispatch).closeMagicStores();
}

/** Runs `code` when it is a magic; null means "not a magic, run it as TypeScript". */
export async function tryRunMagic(
  code: string,
  options: MagicRunOptions,
): Promise<ExecuteOutcome | null> {
  if (!isMagic(code)) return null;
  return (await loadDispatch()).runMagic(code, options);
}

/** Completion inside a magic line; null when the cursor is not in one. */
export async function completeMagic(
  code: string,
  cursorPos: number,
  options: MagicCompleteOptions = {},
): Promise<CompletionResult | null> {
  if (!isMagic(code)) return null;
  return (await loadDispatch()).completeInMagic(code, cursorPos, options);
}
