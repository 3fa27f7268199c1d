/**
 * Is this cell a magic? Kept free of imports so the execute and complete handlers can ask on every
 * request without loading the runtime (which stays off the kernel's start-up path).
 */
export function isMagic(code: string): boolean {
  // A TypeScript statement never starts with `%`, so this cannot shadow real code.
  return /^\s*%/.test(code);
}

/**
 * is_complete for magics (null when `code` is not one): a line magic is complete as typed; a
 * `%%` cell magic takes a body, so in a terminal (jupyter console) it stays open until the user
 * ends it with an empty line, as in IPython.
 */
export function isCompleteMagic(
  code: string,
): { status: 'complete' } | { status: 'incomplete'; indent: string } | null {
  if (!isMagic(code)) return null;
  if (!/^\s*%%/.test(code)) return { status: 'complete' };
  return /\n[^\S\n]*\n?$/.test(code) && code.trimEnd().includes('\n')
    ? { status: 'complete' }
    : { status: 'incomplete', indent: '' };
}
