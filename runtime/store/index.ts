/** The run stores and the state-chain helpers, for runtime/index.ts to re-export. */
export * from './run-store.js';
export { MemoryRunStore } from './memory-store.js';
export { SqliteRunStore, type SqliteRunStoreOptions } from './sqlite-store.js';
export { LATEST_SCHEMA_VERSION } from './migrations.js';
export { REDACTED, makeRedactor, type Redactor } from './redact.js';
export {
  applyChanges,
  applyChangesInPlace,
  diffStates,
  jsonEqual,
  rebuildState,
  stepOutputChange,
  type StateDiffEntry,
} from './state-chain.js';
