import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from '@jest/globals';
import { SqliteRunStore } from '../../runtime/store/sqlite-store.js';
import { describeRunStore } from './run-store.spec.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-conformance-'));
let counter = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A fresh real file per test, so WAL, migrations and the on-disk encoding are what is exercised.
describeRunStore(
  'SqliteRunStore (file)',
  () => new SqliteRunStore(path.join(dir, `store-${counter++}.db`)),
);
describeRunStore('SqliteRunStore (:memory:)', () => new SqliteRunStore(':memory:'));
