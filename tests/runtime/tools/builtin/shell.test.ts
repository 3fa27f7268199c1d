import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ToolDeniedError } from '../../../../runtime/errors.js';
import { createShellTool, splitWords } from '../../../../runtime/tools/builtin/index.js';
import { toolContext } from './helpers.js';

describe('tools.shell', () => {
  const tool = createShellTool({
    enabled: true,
    allowlist: ['echo', 'node'],
    denylist: ['rm'],
    timeoutMs: 5000,
  });

  it('runs an allowlisted program with arguments and no shell interpretation', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ak-shell-'));
    try {
      const marker = path.join(dir, 'pwned');
      const out = await tool.execute(
        { command: `echo "hello world" ; touch ${marker} && $(touch ${marker}) | cat` },
        toolContext(),
      );
      // The operators came through as plain words: echo printed them, nothing else ran.
      expect(out.stdout).toBe(`hello world ; touch ${marker} && $(touch ${marker}) | cat\n`);
      expect(out.exit_code).toBe(0);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['rm -rf /tmp/x', 'ls', '/bin/echo hi', 'sh -c "echo hi"', 'echo2'])(
    'refuses %s',
    async (command) => {
      const error = await Promise.resolve()
        .then(() => tool.execute({ command }, toolContext()))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ToolDeniedError);
    },
  );

  it('is off unless enabled', async () => {
    const off = createShellTool({ enabled: false, allowlist: ['echo'] });
    await expect(
      Promise.resolve().then(() => off.execute({ command: 'echo hi' }, toolContext())),
    ).rejects.toThrow(/disabled/);
  });

  it('kills a command at its timeout and reports a non-zero exit', async () => {
    const slow = createShellTool({ enabled: true, allowlist: ['node'], timeoutMs: 300 });
    await expect(
      slow.execute({ command: 'node', args: ['-e', 'setTimeout(() => {}, 20000)'] }, toolContext()),
    ).rejects.toThrow(/timeout/);
    // A generous timeout here: node's own start-up can take seconds on a loaded CI machine.
    const patient = createShellTool({ enabled: true, allowlist: ['node'], timeoutMs: 30_000 });
    await expect(
      patient.execute({ command: 'node', args: ['-e', 'process.exit(3)'] }, toolContext()),
    ).rejects.toThrow(/exited with code 3/);
  });

  it('splits words like a shell would split plain words and quotes, and nothing more', () => {
    expect(splitWords(`a 'b c' "d \\"e\\"" f\\ g ;|&`)).toEqual([
      'a',
      'b c',
      'd "e"',
      'f g',
      ';|&',
    ]);
  });
});
