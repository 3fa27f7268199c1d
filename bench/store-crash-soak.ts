/**
 * Longer kill -9 soak than the test suite's: SIGKILL a run on SQLite after every number of step
 * invocations with delays 0–5 ms (inside the step's 3 ms busy wait and the store write after it),
 * killing the first resume too on odd delays; then resume to completion and check the outcome.
 * Run after `npx tsc`:  node dist/bench/store-crash-soak.js   (ROUNDS=2 repeats the grid)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CRASH_STEPS, crashTrial } from '../tests/runtime/store/helpers/crash-child.js';

const rounds = Number(process.env['ROUNDS'] ?? '1');
const dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-crash-soak-'));
let trials = 0;
let kills = 0;
let resumes = 0;
const failures: string[] = [];
const started = performance.now();
try {
  for (let r = 0; r < rounds; r++) {
    for (let invocations = 1; invocations <= CRASH_STEPS.length; invocations++) {
      for (let delay = 0; delay <= 5; delay++) {
        const name = `soak-${r}-${invocations}-${delay}`;
        const t = await crashTrial(dir, name, invocations, delay, delay % 2 === 1);
        trials++;
        kills += t.kills;
        resumes += t.resumes;
        const ok =
          t.reranCompleted.length === 0 &&
          t.childFailures.length === 0 &&
          t.finalStatus === 'COMPLETED' &&
          t.completionsInOrder &&
          t.replayVerified &&
          t.outputsMatch;
        if (!ok) failures.push(`${name}: ${JSON.stringify(t)}`);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `kill -9 soak: ${trials} trials, ${kills} kills, ${resumes} resumes, ${failures.length} failures, ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
for (const f of failures) console.log(`  FAIL ${f}`);
process.exitCode = failures.length === 0 ? 0 : 1;
