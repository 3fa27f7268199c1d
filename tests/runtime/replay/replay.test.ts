import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from '@jest/globals';
import { isAgentkernelError } from '../../../runtime/errors.js';
import { replayRun, type ReplayedStep } from '../../../runtime/replay/replay.js';
import { formatReplayedStep, formatReplaySummary } from '../../../runtime/replay/format.js';
import { SqliteRunStore } from '../../../runtime/store/sqlite-store.js';
import { rebuildState } from '../../../runtime/store/state-chain.js';
import {
  LINEAR_OUTPUTS,
  makeRun,
  resumeFailedLinearRun,
  writeCompletedLinearRun,
  writeFailedLinearRun,
} from '../../helpers/run-records.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newFile = () => path.join(dir, `r${n++}.db`);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return isAgentkernelError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return 'resolved';
}

/** Edits the file behind the store's back, as a damaged or tampered record would look. */
function tamper(file: string, sql: string): void {
  const raw = new Database(file);
  raw.exec(sql);
  raw.close();
}

describe('replayRun', () => {
  it('rebuilds a completed run step by step and verifies its chain', async () => {
    const file = newFile();
    const store = new SqliteRunStore(file);
    await writeCompletedLinearRun(store, 'ok');
    const result = await replayRun(store, 'ok', { verifyState: true });
    expect(result.verified).toBe(true);
    expect(result.steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ['fetch', 'COMPLETED', 1],
      ['summarize', 'COMPLETED', 2],
      ['publish', 'COMPLETED', 1],
    ]);
    expect(result.steps[1]?.output).toEqual(LINEAR_OUTPUTS.summarize);
    expect(result.steps[1]?.lastError?.message).toBe('model overloaded');
    expect(result.steps[1]?.diff).toEqual([
      { op: '+', path: 'steps.summarize', before: undefined, after: LINEAR_OUTPUTS.summarize },
    ]);
    expect(result.steps.map((s) => s.stateVersion)).toEqual([1, 2, 3]);
    expect(result.finalState).toEqual(rebuildState(await store.getStateVersions('ok')));
    expect((result.finalState as { steps: object }).steps).toEqual(LINEAR_OUTPUTS);
    expect(formatReplayedStep(result.steps[1] as ReplayedStep)).toBe(
      '[1] summarize (function) status=COMPLETED attempts=2 (replayed)\n    + steps.summarize',
    );
    expect(formatReplaySummary(result)).toBe(
      'Replayed 3 step executions of run ok; state chain verified; run status COMPLETED',
    );
    await store.close();
  });

  it('replays a run that failed and was resumed, keeping state across the failed record', async () => {
    const store = new SqliteRunStore(newFile());
    await writeFailedLinearRun(store, 'r');
    const failedOnly = await replayRun(store, 'r', { verifyState: true });
    expect(failedOnly.steps.map((s) => s.status)).toEqual(['COMPLETED', 'FAILED']);
    expect(failedOnly.steps[1]?.stateAfter).toBe(failedOnly.steps[1]?.stateBefore);
    expect(failedOnly.steps[1]?.error?.message).toContain('summarizer crashed');

    await resumeFailedLinearRun(store, 'r');
    const result = await replayRun(store, 'r', { verifyState: true });
    expect(result.steps.map((s) => [s.executionIndex, s.stepId, s.status])).toEqual([
      [0, 'fetch', 'COMPLETED'],
      [1, 'summarize', 'FAILED'],
      [2, 'summarize', 'COMPLETED'],
      [3, 'publish', 'COMPLETED'],
    ]);
    expect(result.steps[1]?.diff).toEqual([]);
    expect((result.finalState as { steps: object }).steps).toEqual(LINEAR_OUTPUTS);
    await store.close();
  });

  it('stops after the last execution of --until and awaits onStep in order', async () => {
    const store = new SqliteRunStore(newFile());
    await writeFailedLinearRun(store, 'r');
    await resumeFailedLinearRun(store, 'r');
    const seen: string[] = [];
    const result = await replayRun(store, 'r', {
      verifyState: true,
      untilStep: 'summarize',
      onStep: async (step, i) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        seen.push(`${i}:${step.stepId}:${step.status}`);
      },
    });
    expect(seen).toEqual(['0:fetch:COMPLETED', '1:summarize:FAILED', '2:summarize:COMPLETED']);
    expect(result.stoppedAt).toBe('summarize');
    expect(Object.keys((result.finalState as { steps: object }).steps)).toEqual([
      'fetch',
      'summarize',
    ]);
    expect(await codeOf(replayRun(store, 'r', { untilStep: 'nope' }))).toMatch(
      /^AR-REPLAY-DATA-MISSING: Step 'nope' never executed/,
    );
    await store.close();
  });

  it('refuses unknown runs and runs without step history', async () => {
    const store = new SqliteRunStore(newFile());
    expect(await codeOf(replayRun(store, 'ghost'))).toMatch(/^AR-RUN-NOT-FOUND/);
    await store.createRun(makeRun({ runId: 'empty' }), {});
    expect(await codeOf(replayRun(store, 'empty'))).toMatch(
      /^AR-REPLAY-DATA-MISSING: Run empty has no step history/,
    );
    await store.close();
  });

  describe('verifyState on tampered records', () => {
    it('names the step whose recorded output disagrees with its state change', async () => {
      const file = newFile();
      const store = new SqliteRunStore(file);
      await writeCompletedLinearRun(store, 'ok');
      tamper(
        file,
        `UPDATE steps SET output_json = '{"summary":"forged"}' WHERE run_id = 'ok' AND step_id = 'summarize'`,
      );
      // Without verification the tampered output is simply replayed.
      expect((await replayRun(store, 'ok')).steps[1]?.output).toEqual({ summary: 'forged' });
      expect(await codeOf(replayRun(store, 'ok', { verifyState: true }))).toMatch(
        /^AR-REPLAY-MISMATCH: Replay of run ok does not match its records at step 'summarize'/,
      );
      await store.close();
    });

    it('detects a missing state version', async () => {
      const file = newFile();
      const store = new SqliteRunStore(file);
      await writeCompletedLinearRun(store, 'ok');
      tamper(file, `DELETE FROM state_versions WHERE run_id = 'ok' AND version = 2`);
      expect(await codeOf(replayRun(store, 'ok', { verifyState: true }))).toMatch(
        /^AR-REPLAY-MISMATCH.*not contiguous/,
      );
      await store.close();
    });

    it('detects a failed execution that changed the state', async () => {
      const file = newFile();
      const store = new SqliteRunStore(file);
      await writeFailedLinearRun(store, 'f');
      tamper(
        file,
        `INSERT INTO state_versions VALUES ('f', 2, 1, 'summarize', '[{"op":"set","path":["steps","summarize"],"value":{}}]', '2026-01-01T00:00:00.000Z')`,
      );
      expect(await codeOf(replayRun(store, 'f', { verifyState: true }))).toMatch(
        /^AR-REPLAY-MISMATCH.*at step 'summarize'.*FAILED but changed the state/,
      );
      await store.close();
    });

    it('detects a state version that belongs to no step execution', async () => {
      const file = newFile();
      const store = new SqliteRunStore(file);
      await writeFailedLinearRun(store, 'f');
      tamper(
        file,
        `INSERT INTO state_versions VALUES ('f', 2, 9, 'ghost', '[]', '2026-01-01T00:00:00.000Z')`,
      );
      expect(await codeOf(replayRun(store, 'f', { verifyState: true }))).toMatch(
        /^AR-REPLAY-MISMATCH.*'ghost'.*no recorded step/,
      );
      await store.close();
    });
  });
});
