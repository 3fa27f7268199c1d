/**
 * Run-store costs, measured through the real executor (runWorkflow):
 *  1. per-step overhead of the SQLite store versus the in-memory store on a 1,000-step workflow
 *     (median of 3 runs each, after a warm-up), and their ratio; then the store API alone
 *     (startStep + finishStep per step, no executor) for the same two stores;
 *  2. bytes written per step for runs of 100 / 1,000 / 10,000 steps whose state grows with every
 *     step: the bytes handed to write(2) (Linux /proc/self/io `wchar`, main db + WAL) and the
 *     logical bytes recorded, next to what full before/after snapshots per step (the Python
 *     runtime's layout) would have recorded. Flat per-step figures are the goal.
 * Run after `npx tsc`:  node dist/bench/store-overhead.js   (SIZES=100,1000 to shorten)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runWorkflow } from '../runtime/api.js';
import type { StepFunction } from '../runtime/functions/catalog.js';
import { MemoryRunStore } from '../runtime/store/memory-store.js';
import type { RunStore } from '../runtime/store/run-store.js';
import { SqliteRunStore } from '../runtime/store/sqlite-store.js';

const OVERHEAD_STEPS = 1000;
const SIZES = (process.env['SIZES'] ?? '100,1000,10000').split(',').map(Number);
const dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-bench-store-'));

/** N function steps; each reads the previous step's output, so state grows by one entry a step. */
function workflowYaml(steps: number): string {
  const lines = ['schema_version: v1', 'workflow: { id: bench_store, version: v1 }', 'steps:'];
  for (let i = 0; i < steps; i++) {
    lines.push(`  - id: s${i}`, '    type: function', '    function: bench.step');
    lines.push(i === 0 ? '    inputs: { n: 0 }' : `    inputs: { n: steps.s${i - 1}.n }`);
  }
  return `${lines.join('\n')}\n`;
}

// ~100 bytes of output per step: a realistic small step result.
const step: StepFunction = (input) => ({ n: Number(input['n']) + 1, note: 'x'.repeat(80) });
const functions = { 'bench.step': step };

async function timedRun(yaml: string, store: RunStore): Promise<number> {
  const start = performance.now();
  const result = await runWorkflow(yaml, { store, functions, cwd: dir });
  const ms = performance.now() - start;
  if (result.status !== 'COMPLETED')
    throw new Error(`bench run ended ${result.status}: ${JSON.stringify(result.error)}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function writtenBytes(): number | null {
  try {
    const match = /^wchar:\s*(\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

async function overhead(): Promise<void> {
  const yaml = workflowYaml(OVERHEAD_STEPS);
  const memory: number[] = [];
  const sqlite: number[] = [];
  await timedRun(yaml, new MemoryRunStore()); // warm-up: module loading, JIT
  for (let i = 0; i < 3; i++) {
    memory.push(await timedRun(yaml, new MemoryRunStore()));
    const store = new SqliteRunStore(path.join(dir, `overhead-${i}.db`));
    sqlite.push(await timedRun(yaml, store));
    await store.close();
  }
  const mem = median(memory) / OVERHEAD_STEPS;
  const sql = median(sqlite) / OVERHEAD_STEPS;
  console.log(`Per-step cost, ${OVERHEAD_STEPS}-step workflow through runWorkflow (median of 3):`);
  console.log(`  memory store   ${(mem * 1000).toFixed(0).padStart(6)} µs/step`);
  console.log(`  sqlite (file)  ${(sql * 1000).toFixed(0).padStart(6)} µs/step`);
  console.log(
    `  sqlite overhead ${((sql - mem) * 1000).toFixed(0)} µs/step; ratio sqlite/memory ${(sql / mem).toFixed(2)}x\n`,
  );
}

/** The store's own cost per step, without the executor: createRun, then startStep + finishStep. */
async function storeApiOnly(store: RunStore, runId: string): Promise<number> {
  const now = new Date().toISOString();
  const start = performance.now();
  await store.createRun(
    {
      runId,
      workflowId: 'bench_store',
      workflowVersion: 'v1',
      workflowHash: 'h',
      workflowYaml: '',
      workflowFile: null,
      stepIds: [],
      inputs: {},
      inputHash: 'h',
      status: 'RUNNING',
      createdAt: now,
      updatedAt: now,
      completedAt: null,
      error: null,
      owner: null,
      resumeCount: 0,
      metadata: {},
    },
    { inputs: {}, steps: {}, runtime: {} },
  );
  for (let i = 0; i < OVERHEAD_STEPS; i++) {
    const base = {
      runId,
      executionIndex: i,
      stepId: `s${i}`,
      stepType: 'function',
      input: { n: i },
      attempts: 1,
      startedAt: now,
      lastError: null,
      metadata: {},
    };
    await store.startStep({ ...base, status: 'RUNNING' });
    const output = { n: i + 1, note: 'x'.repeat(80) };
    await store.finishStep(
      { ...base, status: 'COMPLETED', output, nextStep: null, finishedAt: now, durationMs: 0 },
      [{ op: 'set', path: ['steps', `s${i}`], value: output }],
    );
  }
  return (performance.now() - start) / OVERHEAD_STEPS;
}

async function storeOverhead(): Promise<void> {
  const memory: number[] = [];
  const sqlite: number[] = [];
  for (let i = 0; i < 3; i++) {
    memory.push(await storeApiOnly(new MemoryRunStore(), `m${i}`));
    const store = new SqliteRunStore(path.join(dir, `api-${i}.db`));
    sqlite.push(await storeApiOnly(store, `s${i}`));
    await store.close();
  }
  const mem = median(memory);
  const sql = median(sqlite);
  console.log(`Store API alone (startStep + finishStep, ${OVERHEAD_STEPS} steps, median of 3):`);
  console.log(`  memory store   ${(mem * 1000).toFixed(0).padStart(6)} µs/step`);
  console.log(
    `  sqlite (file)  ${(sql * 1000).toFixed(0).padStart(6)} µs/step  (2 transactions per step)`,
  );
  console.log(`  ratio sqlite/memory ${(sql / mem).toFixed(1)}x\n`);
}

async function bytesPerStep(): Promise<void> {
  console.log('Bytes per step with a growing state (sqlite file):');
  console.log(
    '  steps   write(2) B/step   recorded B/step   snapshot-layout B/step   state at end',
  );
  for (const steps of SIZES) {
    const file = path.join(dir, `bytes-${steps}.db`);
    const store = new SqliteRunStore(file);
    const before = writtenBytes();
    await runWorkflow(workflowYaml(steps), { store, functions, cwd: dir });
    const after = writtenBytes();
    await store.close();

    const raw = new Database(file, { readonly: true });
    const recorded =
      (raw
        .prepare(
          `SELECT COALESCE(SUM(length(input_json) + COALESCE(length(output_json),0) + length(metadata_json)), 0) FROM steps`,
        )
        .pluck()
        .get() as number) +
      (raw
        .prepare(
          'SELECT COALESCE(SUM(length(changes_json)), 0) FROM state_versions WHERE version > 0',
        )
        .pluck()
        .get() as number);
    // A before+after snapshot per step: state k has the initial state plus k step entries.
    const entries = raw
      .prepare('SELECT length(changes_json) FROM state_versions WHERE version > 0 ORDER BY version')
      .pluck()
      .all() as number[];
    const initial = raw
      .prepare('SELECT length(changes_json) FROM state_versions WHERE version = 0')
      .pluck()
      .get() as number;
    raw.close();
    let stateSize = initial;
    let snapshotBytes = 0;
    for (const entry of entries) {
      snapshotBytes += stateSize; // state_before
      stateSize += entry;
      snapshotBytes += stateSize; // state_after
    }
    const written =
      before !== null && after !== null ? ((after - before) / steps).toFixed(0) : 'n/a';
    console.log(
      `  ${String(steps).padStart(5)}   ${written.padStart(15)}   ${(recorded / steps).toFixed(0).padStart(15)}   ${(snapshotBytes / steps).toFixed(0).padStart(22)}   ${(stateSize / 1024).toFixed(0)} KiB`,
    );
  }
}

try {
  await overhead();
  await storeOverhead();
  await bytesPerStep();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
