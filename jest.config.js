// Tests are written in TypeScript and compiled by `tsc` (npm run build) before jest runs them as
// native ES modules. Running compiled output means worker threads, child processes and the kernel
// under test execute exactly the JavaScript that users get, with no second transpiler in the loop.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/tests'],
  testMatch: ['**/*.test.js'],
  transform: {},
  testTimeout: 60000,
  setupFilesAfterEnv: ['<rootDir>/dist/tests/helpers/retry-integration.js'],
  // The kernel and sync-bridge tests start processes and threads: keep the worker count at the
  // machine's two cores so timing-sensitive protocol tests are not starved.
  maxWorkers: 2,
};
