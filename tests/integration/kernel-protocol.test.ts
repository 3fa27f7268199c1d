/**
 * Protocol behaviours over real sockets with jupyter_client: interrupts (SIGINT and control
 * message; busy loop and awaiting cell), heartbeat while blocked, bad signatures, malformed
 * frames, late output routing, input_request, stop_on_error, silent/user_expressions, crash
 * guards, the tslab display API, shutdown with restart and history across restarts.
 */
import { installKernelIntoTempPrefix, runPythonSuite } from './python-suite.js';

test('protocol suite (tests/integration/test_kernel_protocol.py) passes', async () => {
  const result = await runPythonSuite('test_kernel_protocol.py', installKernelIntoTempPrefix(), [
    '-v',
  ]);
  if (result.exitCode !== 0) throw new Error(`${result.summary}\n${result.output}`);
  expect(result.ran).toBeGreaterThanOrEqual(25);
}, 240_000);
