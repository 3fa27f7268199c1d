/**
 * The type checker cannot import kernel/display/display.ts, so language-service.ts restates
 * tslab's `Display` interface as ambient text for cells. This test keeps the two copies in step:
 * a method added to the display API but not to the checker's text would be a false type error
 * in every cell that calls it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

/** The member lines of the first `interface Display { … }` in a source text, whitespace-trimmed. */
function displayMembers(source: string): string[] {
  const match = /interface Display \{([^}]*)\}/.exec(source);
  if (!match?.[1]) throw new Error('no `interface Display { … }` found');
  return match[1]
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('//') && !line.startsWith('*'));
}

test("the checker's ambient tslab Display matches the display API's interface", () => {
  const api = readFileSync(path.join(repoRoot, 'kernel', 'display', 'display.ts'), 'utf8');
  const ambient = readFileSync(
    path.join(repoRoot, 'kernel', 'cells', 'language-service.ts'),
    'utf8',
  );
  const members = displayMembers(api);
  expect(members.length).toBeGreaterThan(5);
  expect(displayMembers(ambient)).toEqual(members);
});
