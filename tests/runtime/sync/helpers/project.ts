/**
 * Throwaway project directories for sync tests: the test writes its own functions/ modules and
 * workflow files, so nothing depends on the repository's example workflows.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempProject {
  dir: string;
  /** Writes `relative` (e.g. `functions/steps.mjs`) and returns its absolute path. */
  write(relative: string, text: string): string;
  /** A file path inside the project (not created). */
  file(relative: string): string;
}

export function tempProject(prefix = 'ak-sync-'): TempProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    write(relative, text) {
      const file = path.join(dir, relative);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    file: (relative) => path.join(dir, relative),
  };
}

/** A linear workflow of function steps, each passing `n` on: `chain('wf', ['steps.inc', 'steps.inc'])`. */
export function linearWorkflow(id: string, functions: string[]): string {
  const steps = functions.map((fn, i) =>
    [
      `  - id: s${i + 1}`,
      `    type: function`,
      `    function: ${fn}`,
      `    inputs:`,
      `      n: ${i === 0 ? 'inputs.n' : `steps.s${i}.n`}`,
    ].join('\n'),
  );
  return [
    'schema_version: v1',
    'workflow:',
    `  id: ${id}`,
    '  version: v1',
    'inputs:',
    '  n:',
    '    default: 0',
    'steps:',
    ...steps,
    '',
  ].join('\n');
}
