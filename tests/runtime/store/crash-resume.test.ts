/**
 * kill -9 at many points of a run on SQLite: during a step, between steps, during a store write.
 * After each kill, resume (repeatedly, when a resume is killed too) must complete with the outputs
 * of an uninterrupted run, and no step whose completion was committed may run again.
 * bench/store-crash-soak.ts runs the same trial at many more points.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { CRASH_STEPS, crashTrial } from './helpers/crash-child.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// (invocations seen before the kill, extra delay ms): spread over the run and over the inside of
// a step (a 3 ms busy wait) and the store write that follows it. Odd delays also kill the first resume.
const KILL_POINTS: Array<[number, number]> = [
  [1, 0],
  [2, 4],
  [3, 1],
  [5, 2],
  [8, 3],
];

describe('kill -9 and resume', () => {
  it.each(KILL_POINTS)(
    'kill after %i invocation(s) + %i ms: resume completes, nothing completed runs twice',
    async (invocations, delay) => {
      const trial = await crashTrial(
        dir,
        `crash-${invocations}-${delay}`,
        invocations,
        delay,
        delay % 2 === 1,
      );
      // Before the last step the kill must have landed, or the trial proves nothing.
      if (invocations < CRASH_STEPS.length) expect(trial.firstKilled).toBe(true);
      expect(trial).toMatchObject({
        reranCompleted: [],
        childFailures: [],
        finalStatus: 'COMPLETED',
        completionsInOrder: true,
        replayVerified: true,
        outputsMatch: true,
      });
    },
  );
});
