/** The stock jupyter_kernel_test.KernelTests suite, every check enabled, against the installed kernel. */
import { installKernelIntoTempPrefix, runPythonSuite } from './python-suite.js';

test('jupyter_kernel_test conformance passes with every check enabled', async () => {
  const result = await runPythonSuite('test_kernel_conformance.py', installKernelIntoTempPrefix(), [
    '-v',
  ]);
  if (result.exitCode !== 0) throw new Error(`${result.summary}\n${result.output}`);
  expect(result.ran).toBe(12);
  // Nothing skipped: every check is enabled, including the pager.
  expect(result.output).not.toMatch(/skipped/);
}, 180_000);
