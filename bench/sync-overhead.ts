/**
 * What the sync bridge adds: `runWorkflowSync` versus `await runWorkflow` on the same small
 * workflow (two function steps from a project `functions/` module, in-memory store), in one process.
 *  - cold: the first call of each (the sync one pays the worker start and the worker's own module
 *    loading once);
 *  - warm: the median over 1,000 calls of each, interleaved so drift hits both sides alike.
 *  - the same cold first calls in fresh processes (median of COLD_RUNS, default 7), since one
 *    sample on a shared machine says little; and the first sync call after prewarmSyncBridge()
 *    (what the kernel does at start), 300 ms before it;
 *  - program cold start: fresh processes, from process start to the first result, a sync-only
 *    program (which imports just runtime/sync/run-sync.js) against an async one.
 * Printed as a ratio and as added milliseconds. Goals (issue 4): < 0.2 ms added warm, < 50 ms cold.
 * Run after `npx tsc`:  node dist/bench/sync-overhead.js   (CALLS=200 to shorten)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunResult } from '../runtime/engine/result.js';

// Timed for comparison: the async API's cold start includes it; the sync bridge's worker imports
// only the run core (runtime/sync/worker-engine.js, no YAML parser: this thread parses).
const importStart = performance.now();
const { runWorkflow } = await import('../runtime/api.js');
const engineImportMs = performance.now() - importStart;
const { runWorkflowSync } = await import('../runtime/sync/run-sync.js');

const CALLS = Number(process.env['CALLS'] ?? 1000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-bench-sync-'));
mkdirSync(path.join(dir, 'functions'));
writeFileSync(
  path.join(dir, 'functions', 'bench.mjs'),
  'export function inc(input) { return { n: input.n + 1 }; }\n',
);
const workflow = path.join(dir, 'small.yaml');
writeFileSync(
  workflow,
  [
    'schema_version: v1',
    'workflow: { id: bench_sync, version: v1 }',
    'inputs: { n: { default: 0 } }',
    'steps:',
    '  - { id: a, type: function, function: bench.inc, inputs: { n: inputs.n } }',
    '  - { id: b, type: function, function: bench.inc, inputs: { n: steps.a.n } }',
    '',
  ].join('\n'),
);

function check(result: RunResult): void {
  if (result.status !== 'COMPLETED')
    throw new Error(`bench run ended ${result.status}: ${JSON.stringify(result.error)}`);
}

async function timeAsync(): Promise<number> {
  const start = performance.now();
  check(await runWorkflow(workflow, { inputs: { n: 1 } }));
  return performance.now() - start;
}

function timeSync(): number {
  const start = performance.now();
  check(runWorkflowSync(workflow, { inputs: { n: 1 } }));
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

/** An empty worker's start → first message: the floor under any worker-based bridge's cold call. */
async function emptyWorkerStartMs(): Promise<number> {
  const start = performance.now();
  const worker = new Worker("require('node:worker_threads').parentPort.postMessage(0)", {
    eval: true,
  });
  await new Promise((resolve) => worker.once('message', resolve));
  const ms = performance.now() - start;
  await worker.terminate();
  return ms;
}

const coldAsync = await timeAsync();
const coldSync = timeSync();
const emptyWorker = await emptyWorkerStartMs();

const asyncTimes: number[] = [];
const syncTimes: number[] = [];
for (let i = 0; i < CALLS; i++) {
  asyncTimes.push(await timeAsync());
  syncTimes.push(timeSync());
}
const warmAsync = median(asyncTimes);
const warmSync = median(syncTimes);

console.log(
  `sync bridge overhead (Node ${process.version}, ${os.cpus().length} cores), workflow: 2 function steps, memory store`,
);
console.log(
  `cold first call   await runWorkflow ${fmt(coldAsync)}   runWorkflowSync ${fmt(coldSync)}   ratio ${(coldSync / coldAsync).toFixed(2)}x   added ${fmt(coldSync - coldAsync)}   (goal < 50 ms)`,
);
console.log(
  `  for scale: an empty worker starts in ${fmt(emptyWorker)}; runtime/api.js took ${fmt(engineImportMs)} to import on this thread (the worker imports only the run core)`,
);
console.log(
  `warm median/${CALLS} await runWorkflow ${fmt(warmAsync)}   runWorkflowSync ${fmt(warmSync)}   ratio ${(warmSync / warmAsync).toFixed(2)}x   added ${fmt(warmSync - warmAsync)}   (goal < 0.2 ms)`,
);
console.log(
  `warm p99          await runWorkflow ${fmt(percentile(asyncTimes, 0.99))}   runWorkflowSync ${fmt(percentile(syncTimes, 0.99))}`,
);
/**
 * A whole program's cold start, in fresh processes: process start → first result, median of 5.
 * The sync program imports only runtime/sync/run-sync.js (no engine on the calling thread: the
 * worker loads it), the async one runtime/api.js; so the difference is what a user program that
 * goes sync really pays on its first call.
 */
function programColdMs(kind: 'sync' | 'async'): number {
  const module = pathToFileURL(
    path.resolve(
      import.meta.dirname,
      '..',
      'runtime',
      kind === 'sync' ? 'sync/run-sync.js' : 'api.js',
    ),
  ).href;
  const call =
    kind === 'sync'
      ? `const { runWorkflowSync } = await import(${JSON.stringify(module)}); runWorkflowSync(${JSON.stringify(workflow)});`
      : `const { runWorkflow } = await import(${JSON.stringify(module)}); await runWorkflow(${JSON.stringify(workflow)});`;
  const script = `${call} process.stdout.write(String(performance.now()));`;
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    times.push(
      Number(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
      ),
    );
  }
  return median(times);
}
/**
 * In a fresh process: the first `await runWorkflow` then the first `runWorkflowSync` (as in the
 * single-process figures above), or, with `prewarm`, `prewarmSyncBridge()` at import and the
 * first sync call 300 ms later. Returns [async ms, sync ms].
 */
function freshColdMs(prewarm: boolean): [number, number] {
  const api = pathToFileURL(path.resolve(import.meta.dirname, '..', 'runtime', 'api.js')).href;
  const sync = pathToFileURL(
    path.resolve(import.meta.dirname, '..', 'runtime', 'sync', 'run-sync.js'),
  ).href;
  const wf = JSON.stringify(workflow);
  const script = [
    `const { runWorkflow } = await import(${JSON.stringify(api)});`,
    `const { runWorkflowSync, prewarmSyncBridge } = await import(${JSON.stringify(sync)});`,
    prewarm ? 'prewarmSyncBridge();' : '',
    `let t = performance.now(); await runWorkflow(${wf}, { inputs: { n: 1 } }); const a = performance.now() - t;`,
    prewarm ? 'await new Promise((r) => setTimeout(r, 300));' : '',
    `t = performance.now(); runWorkflowSync(${wf}, { inputs: { n: 1 } }); const s = performance.now() - t;`,
    'process.stdout.write(JSON.stringify([a, s]));',
  ].join('\n');
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as [number, number];
}
const COLD_RUNS = Number(process.env['COLD_RUNS'] ?? 7);
for (const prewarm of [false, true]) {
  const samples = Array.from({ length: COLD_RUNS }, () => freshColdMs(prewarm));
  const a = median(samples.map((x) => x[0]));
  const s = median(samples.map((x) => x[1]));
  const added = samples.map((x) => x[1] - x[0]);
  console.log(
    `${prewarm ? 'first call 300 ms after prewarmSyncBridge()' : 'cold first call  '} (fresh processes, median of ${COLD_RUNS})   await runWorkflow ${fmt(a)}   runWorkflowSync ${fmt(s)}   ratio ${(s / a).toFixed(2)}x   added ${fmt(median(added))} (range ${fmt(Math.min(...added))} .. ${fmt(Math.max(...added))})`,
  );
}

const programAsync = programColdMs('async');
const programSync = programColdMs('sync');
console.log(
  `program cold start (fresh process → first result, median of 5)   async ${fmt(programAsync)}   sync ${fmt(programSync)}   ratio ${(programSync / programAsync).toFixed(2)}x   added ${fmt(programSync - programAsync)}`,
);
rmSync(dir, { recursive: true, force: true });
