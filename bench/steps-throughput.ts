/**
 * Engine overhead: a 1,000-step function-only workflow through runWorkflow (in-memory store)
 * versus calling the same function 1,000 times directly, measured in the same process and run.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/steps-throughput.js [steps] [repetitions]
 *
 * Prints steps/second, the per-step overhead in µs (engine time minus direct-call time, per
 * step) and the ratio engine/direct. Median of the repetitions after one warm-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  Executor,
  FunctionCatalog,
  MemoryRunStore,
  SqliteRunStore,
  ToolRegistry,
  createStepHandlers,
  parseWorkflow,
  runWorkflow,
  type JsonValue,
  type StepContext,
  type WorkflowDefinition,
} from '../runtime/index.js';

const STEPS = Number(process.argv[2] ?? 1000);
const REPETITIONS = Number(process.argv[3] ?? 7);
const WARMUPS = 3;

/** The step body: trivial on purpose, so the figure is the engine's cost, not the function's. */
function increment(input: Record<string, JsonValue>, _ctx: StepContext): { n: number } {
  return { n: Number(input.n) + 1 };
}

function workflowYaml(steps: number): string {
  const lines = [
    'schema_version: v1',
    'workflow: {id: throughput, version: v1}',
    'inputs: {start: {default: 0}}',
    'steps:',
  ];
  for (let i = 0; i < steps; i++) {
    const from = i === 0 ? 'inputs.start' : `steps.s${i - 1}.n`;
    lines.push(`  - {id: s${i}, type: function, function: bench.increment, inputs: {n: ${from}}}`);
  }
  return `${lines.join('\n')}\n`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function direct(steps: number): Promise<number> {
  const ctx = {
    runId: 'r',
    stepId: 's',
    attempt: 1,
    signal: new AbortController().signal,
    state: {},
    progress: () => undefined,
  };
  let n = 0;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) n = (await increment({ n }, ctx)).n;
  const elapsed = performance.now() - t0;
  if (n !== steps) throw new Error('direct baseline computed the wrong value');
  return elapsed;
}

async function engine(yaml: string, projectDir: string, dbFile?: string): Promise<number> {
  const store = dbFile === undefined ? undefined : new SqliteRunStore(dbFile);
  const t0 = performance.now();
  const result = await runWorkflow(yaml, {
    projectDir,
    functions: { 'bench.increment': increment },
    ...(store ? { store } : {}),
  });
  await store?.close();
  const elapsed = performance.now() - t0;
  if (
    result.status !== 'COMPLETED' ||
    (result.outputs[`s${STEPS - 1}`] as { n: number }).n !== STEPS
  ) {
    throw new Error(
      `engine run did not complete correctly: ${result.status} ${result.error?.message ?? ''}`,
    );
  }
  return elapsed;
}

/** The run loop alone, on an already-parsed definition: what the engine costs per step. */
async function loopOnly(def: WorkflowDefinition): Promise<number> {
  const functions = FunctionCatalog.of({ 'bench.increment': increment });
  const executor = new Executor({
    store: new MemoryRunStore(),
    handlers: createStepHandlers({ functions, tools: ToolRegistry.withBuiltins() }),
  });
  const t0 = performance.now();
  const result = await executor.run(def);
  const elapsed = performance.now() - t0;
  if (result.status !== 'COMPLETED')
    throw new Error(`loop-only run failed: ${result.error?.message ?? ''}`);
  return elapsed;
}

/**
 * Whether a step costs more late in a run than early (an O(n) copy per step would show here):
 * the run loop's µs/step over the first and the last tenth of the steps, from step_complete times.
 */
async function costByPosition(def: WorkflowDefinition): Promise<{ first: number; last: number }> {
  const times: number[] = [];
  const executor = new Executor({
    store: new MemoryRunStore(),
    handlers: createStepHandlers({
      functions: FunctionCatalog.of({ 'bench.increment': increment }),
      tools: ToolRegistry.withBuiltins(),
    }),
    onEvent: (event) => {
      if (event.type === 'step_complete') times.push(performance.now());
    },
  });
  await executor.run(def);
  const tenth = Math.max(1, Math.floor(times.length / 10));
  const perStep = (from: number, to: number) => ((times[to]! - times[from]!) / (to - from)) * 1000;
  return { first: perStep(0, tenth), last: perStep(times.length - 1 - tenth, times.length - 1) };
}

async function main(): Promise<void> {
  const projectDir = mkdtempSync(path.join(tmpdir(), 'ak-bench-')); // empty project: only in-process functions
  try {
    const yaml = workflowYaml(STEPS);
    const def = parseWorkflow(yaml);
    // Warm-up: the first runs pay for JIT compilation and heap growth (measured ~1s, then ~0.2s).
    for (let i = 0; i < WARMUPS; i++) {
      await engine(yaml, projectDir);
      await loopOnly(def);
      await direct(STEPS);
    }
    const engineMs: number[] = [];
    const loopMs: number[] = [];
    const parseMs: number[] = [];
    const directMs: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      engineMs.push(await engine(yaml, projectDir));
      loopMs.push(await loopOnly(def));
      const t0 = performance.now();
      parseWorkflow(yaml);
      parseMs.push(performance.now() - t0);
      directMs.push(await direct(STEPS));
    }
    // The same workflow recorded in SQLite (WAL, one transaction per step), the Python runtime's setup
    // (reference/measurements.md: 15.0 s for 1,000 tool steps).
    const sqliteMs: number[] = [];
    for (let i = 0; i < 3; i++)
      sqliteMs.push(await engine(yaml, projectDir, path.join(projectDir, `bench-${i}.db`)));
    const e = median(engineMs);
    const l = median(loopMs);
    const d = median(directMs);
    const perStepUs = ((e - d) / STEPS) * 1000;
    const loopPerStepUs = ((l - d) / STEPS) * 1000;
    console.log(
      `steps-throughput: ${STEPS} function steps, median of ${REPETITIONS} runs after ${WARMUPS} warm-ups (in-memory store)`,
    );
    console.log(
      `  direct calls (baseline)     : ${d.toFixed(3)} ms  → ${Math.round((STEPS / d) * 1000)} calls/s`,
    );
    console.log(
      `  runWorkflow (load + run)    : ${e.toFixed(1)} ms  → ${Math.round((STEPS / e) * 1000)} steps/s, ${perStepUs.toFixed(1)} µs/step overhead, ${(e / d).toFixed(0)}x direct`,
    );
    console.log(`    of which parse + validate : ${median(parseMs).toFixed(1)} ms`);
    const sq = median(sqliteMs);
    console.log(
      `  runWorkflow, SQLite store   : ${sq.toFixed(1)} ms  → ${Math.round((STEPS / sq) * 1000)} steps/s (median of 3)`,
    );
    console.log(
      `  run loop only (parsed def)  : ${l.toFixed(1)} ms  → ${Math.round((STEPS / l) * 1000)} steps/s, ${loopPerStepUs.toFixed(1)} µs/step overhead, ${(l / d).toFixed(0)}x direct`,
    );
    const positions = [];
    for (let i = 0; i < 3; i++) positions.push(await costByPosition(def));
    const first = median(positions.map((p) => p.first));
    const last = median(positions.map((p) => p.last));
    console.log(
      `  cost by position (loop)     : first 10% ${first.toFixed(1)} µs/step, last 10% ${last.toFixed(1)} µs/step, ratio last/first ${(last / first).toFixed(2)} (flat ≈ 1 or below; O(n) per step would grow with STEPS)`,
    );
  } finally {
    rmSync(projectDir, { recursive: true, force: true });
  }
}

await main();
