import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from '@jest/globals';
import { isAgentkernelError } from '../../../runtime/errors.js';
import { LATEST_SCHEMA_VERSION } from '../../../runtime/store/migrations.js';
import { SqliteRunStore } from '../../../runtime/store/sqlite-store.js';
import { rebuildState } from '../../../runtime/store/state-chain.js';
import {
  completed,
  initialStateFor,
  makeError,
  makeRun,
  runningStep,
  setStep,
  writeCompletedLinearRun,
} from '../../helpers/run-records.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const dbPath = () => path.join(dir, `t${n++}.db`);

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Every byte SQLite wrote for this database: the main file plus its WAL. */
function dbBytes(file: string): Buffer {
  return Buffer.concat(
    readdirSync(path.dirname(file))
      .filter((f) => f.startsWith(path.basename(file)))
      .map((f) => readFileSync(path.join(path.dirname(file), f))),
  );
}

describe('SqliteRunStore on a real file', () => {
  it('persists across close and reopen', async () => {
    const file = dbPath();
    const first = new SqliteRunStore(file);
    const run = await writeCompletedLinearRun(first, 'persisted');
    const steps = await first.getSteps('persisted');
    const versions = await first.getStateVersions('persisted');
    await first.close();
    const second = new SqliteRunStore(file);
    expect(await second.getRun('persisted')).toEqual(run);
    expect(await second.getSteps('persisted')).toEqual(steps);
    expect(await second.getStateVersions('persisted')).toEqual(versions);
    await second.close();
  });

  it('uses WAL, synchronous=NORMAL, foreign keys, and records the schema version', async () => {
    const file = dbPath();
    const store = new SqliteRunStore(file);
    await store.createRun(makeRun(), {});
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    const tables = raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(['runs', 'state_versions', 'steps']);
    raw.close();
    await store.close();
  });

  it('stores each step change, not a snapshot of the whole state', async () => {
    const file = dbPath();
    const store = new SqliteRunStore(file);
    const run = makeRun();
    await store.createRun(run, initialStateFor(run));
    const big = 'x'.repeat(10_000);
    for (let i = 0; i < 5; i++) {
      const s = runningStep(run.runId, i, `s${i}`, {}, i);
      await store.startStep(s);
      await store.finishStep(completed(s, { big }, 1, null), setStep(`s${i}`, { big }));
    }
    const raw = new Database(file, { readonly: true });
    const sizes = raw
      .prepare(
        'SELECT length(changes_json) FROM state_versions WHERE run_id = ? AND version > 0 ORDER BY version',
      )
      .pluck()
      .all(run.runId) as number[];
    raw.close();
    // Flat: the fifth step's change is as large as the first one's, though the state is 5x larger.
    expect(new Set(sizes).size).toBe(1);
    expect(
      Object.keys(
        (rebuildState(await store.getStateVersions(run.runId)) as { steps: object }).steps,
      ),
    ).toHaveLength(5);
    await store.close();
  });

  it('redacts secret values from every string before they reach the file', async () => {
    const file = dbPath();
    const secret = 'sk-live-SECRET-4f9a2c';
    const other = 'hunter2-other-secret';
    const store = new SqliteRunStore(file, { redact: [secret, other, ''] });
    const run = makeRun({ inputs: { prompt: `use key ${secret}` }, metadata: { note: other } });
    await store.createRun(run, initialStateFor(run));
    const s = runningStep(
      run.runId,
      0,
      'fetch',
      { headers: { authorization: `Bearer ${secret}` } },
      1,
    );
    s.metadata = { [secret]: 'as a key' };
    await store.startStep(s);
    const error = makeError(`401 for ${secret}`, 'AR-STEP-EXECUTION', {
      stack: `Error: ${other}\n  at x`,
    });
    await store.recordAttempt(run.runId, 0, 2, error);
    await store.finishStep(
      completed(s, { echoed: secret }, 2, null, { lastError: error }),
      setStep('fetch', { echoed: secret }),
      {
        status: 'FAILED',
        error,
      },
    );
    await store.close();

    const bytes = dbBytes(file);
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(secret)).toBe(false);
    expect(bytes.includes(other)).toBe(false);
    expect(bytes.includes('Bearer ***')).toBe(true);

    const reopened = new SqliteRunStore(file);
    expect((await reopened.getRun(run.runId))?.inputs).toEqual({ prompt: 'use key ***' });
    const [step] = await reopened.getSteps(run.runId);
    expect(step).toMatchObject({
      output: { echoed: '***' },
      metadata: { '***': 'as a key' },
      lastError: { message: '401 for ***' },
    });
    await reopened.close();
  });

  it('leaves values alone when nothing is to be redacted', async () => {
    const file = dbPath();
    const store = new SqliteRunStore(file, { redact: [] });
    await store.createRun(makeRun({ inputs: { k: '***literal' } }), {});
    expect((await store.getRun('run-1'))?.inputs).toEqual({ k: '***literal' });
    await store.close();
  });

  it('wraps an unopenable path in AR-STORAGE naming the path', () => {
    const bad = path.join(dir, 'no-such-dir', 'runtime.db');
    const e = caught(() => new SqliteRunStore(bad));
    expect(isAgentkernelError(e) && e.code).toBe('AR-STORAGE');
    expect((e as Error).message).toContain(bad);
    expect((e as Error).message).toContain('directory exists');
  });

  it('refuses a file that is not a database', () => {
    const file = dbPath();
    writeFileSync(
      file,
      'this is not sqlite at all, just some text that is long enough to be a header'.repeat(20),
    );
    const e = caught(() => new SqliteRunStore(file));
    expect(isAgentkernelError(e) && e.code).toBe('AR-STORAGE');
    expect((e as Error).message).toContain(file);
  });

  it('refuses a database from a newer schema version', () => {
    const file = dbPath();
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    const e = caught(() => new SqliteRunStore(file));
    expect(isAgentkernelError(e) && e.code).toBe('AR-STORAGE');
    expect((e as Error).message).toMatch(/newer than this agentkernel/);
  });

  it('lets two stores on the same file see each other’s writes (a reader next to the writer)', async () => {
    const file = dbPath();
    const writer = new SqliteRunStore(file);
    const reader = new SqliteRunStore(file);
    await writeCompletedLinearRun(writer, 'shared');
    expect((await reader.getRun('shared'))?.status).toBe('COMPLETED');
    expect(await reader.getSteps('shared')).toHaveLength(3);
    await writer.close();
    await reader.close();
    expect(statSync(file).size).toBeGreaterThan(0);
  });
});
