/**
 * Jest setup (setupFilesAfterEnv): a test in tests/integration/ that fails is run again, up to
 * twice, with its first failure printed. Those tests drive real outside programs (Jupyter, tmux,
 * Chromium, nbconvert) on a shared two-core CI machine, where a one-off scheduling hiccup in a
 * program we do not own can fail a run; a real defect fails every attempt and still fails the
 * suite. Unit tests get no retries: a flaky unit test is a bug to fix, not to hide.
 */
import { expect, jest } from '@jest/globals';

const testPath = expect.getState().testPath ?? '';
if (/[\\/]integration[\\/]/.test(testPath)) {
  jest.retryTimes(2, { logErrorsBeforeRetry: true });
}
