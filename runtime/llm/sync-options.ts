/**
 * Which parts of the `llm` run option can cross to the sync bridge's worker thread (added by G2).
 * Options reach the worker by structured clone: plain data (`env`, in-code `scripts` made of
 * plain response objects, `http` numbers) arrives intact; a function (`http.onRetry`,
 * `http.sleep`) cannot be cloned, and an object with methods (a hand-made scripted provider)
 * would arrive stripped of them. Both are refused here, naming the part and the fix, instead of
 * a bare DataCloneError or a confusing failure inside the worker.
 */

/** The problem with `llm` for a sync run, or null when all of it can be copied. */
export function llmOptionSyncProblem(llm: unknown): string | null {
  if (llm === undefined || llm === null) return null;
  if (!isPlainObject(llm)) return `Option 'llm' must be a plain object (${kindOf(llm)} given).`;
  const http = llm.http;
  if (isPlainObject(http)) {
    for (const [key, value] of Object.entries(http))
      if (typeof value === 'function')
        return `Option 'llm.http.${key}' is a function, which cannot reach the sync bridge's worker thread (runs there take options by value). Leave it out of sync runs, or call \`await runWorkflow(...)\` to keep it.`;
  }
  const scripts = llm.scripts;
  if (scripts !== undefined) {
    if (!isPlainObject(scripts))
      return `Option 'llm.scripts' must map script names to lists of responses (${kindOf(scripts)} given).`;
    for (const [name, script] of Object.entries(scripts)) {
      const bad = Array.isArray(script) ? firstNonData(script) : kindOf(script);
      if (bad !== null)
        return `Option 'llm.scripts.${name}' is not plain data (${bad}), so it cannot reach the sync bridge's worker thread: a scripted provider given in code must be a list of response objects ({text, tool_calls, usage}). Put the script in llm-scripts/${name}.yaml in the project (the worker reads it itself, as \`model: scripted/${name}\`), or call \`await runWorkflow(...)\`.`;
    }
  }
  return null;
}

/** Describes the first value under `value` that is not JSON-like data, or null. */
function firstNonData(value: unknown): string | null {
  if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value))
    return null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const bad = firstNonData(item);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (!isPlainObject(value)) return kindOf(value);
  for (const item of Object.values(value)) {
    const bad = firstNonData(item);
    if (bad !== null) return bad;
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function kindOf(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object' || value === null) return typeof value;
  if (Array.isArray(value)) return 'an array';
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name} object` : 'an object';
}
