/**
 * Workflows from plain TypeScript cells in the installed kernel, driven by a real jupyter_client
 * (tests/integration/test_plain_cells.py): live progress for `await runWorkflow`, for a run left
 * running after its cell, and for a blocked `runWorkflowSync`; interrupts of a blocked sync run;
 * is_complete of `%%workflow` cells. The project is a scratch copy of notebooks/ plus one function
 * file whose step waits for a file the Python side creates when it sees the step running.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { installKernelIntoTempPrefix, runPythonSuite, type KernelEnv } from './python-suite.js';

const WAIT_FOR_FILE = `
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Finishes once the file \`path\` exists (polled), fails after \`timeout_ms\`, stops on cancel. */
export async function wait_for_file(
  input: { path: string; timeout_ms?: number },
  ctx: { signal: AbortSignal },
): Promise<{ path: string }> {
  const file = path.resolve(input.path);
  const deadline = Date.now() + (input.timeout_ms ?? 30000);
  while (!existsSync(file)) {
    if (ctx.signal.aborted) throw new Error('wait_for_file cancelled');
    if (Date.now() > deadline) throw new Error(\`\${input.path} did not appear in time\`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { path: input.path };
}
`;

let kernel: KernelEnv;
beforeAll(() => {
  kernel = installKernelIntoTempPrefix();
});

test('workflows from plain cells (tests/integration/test_plain_cells.py): live progress, background runs, blocked runWorkflowSync, interrupts', async () => {
  const dir = path.join(kernel.dir, 'project-plain');
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(repoRoot, 'notebooks'), dir, {
    recursive: true,
    filter: (src) => !/(runtime\.db[^/]*|\.flag|\.ipynb)$/.test(src),
  });
  writeFileSync(path.join(dir, 'functions', 'plaincells.ts'), WAIT_FOR_FILE);
  const result = await runPythonSuite(
    'test_plain_cells.py',
    { dir: kernel.dir, env: { ...kernel.env, AK_PROJECT: dir } },
    ['-v'],
  );
  if (result.exitCode !== 0) throw new Error(`${result.summary}\n${result.output}`);
  expect(result.ran).toBe(8);
}, 240_000);
