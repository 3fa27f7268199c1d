/**
 * Engine-only cell costs (no sockets), one child process per type-check mode so each RSS figure
 * is that mode's alone: `1+1` median over 50 runs, the first cell (cold compiler), a declaration
 * cell at #1-20 vs #180-200, and memory after 200 declaration cells: process RSS (the whole
 * kernel, checker worker included, without forcing a GC: what `ps` shows), the main heap and the
 * checker worker's heap. Ratios are against 'off' (transpile-only) measured in the same run.
 * Run after `npx tsc`:   node dist/bench/cells-engine.js
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createCellEngine } from '../kernel/cells/engine.js';
import type { TypeCheckMode } from '../kernel/cells/engine.js';
import { outputContext } from '../kernel/output/sink.js';
import type { OutputSink } from '../kernel/output/sink.js';

interface ModeFigures {
  mode: TypeCheckMode;
  startRss: number;
  first: number;
  onePlusOne: number;
  early: number;
  late: number;
  rss: number;
  heap: number;
  checkerHeap: number | null;
}

const sink: OutputSink = { stream() {}, display() {}, clearOutput() {}, input: async () => '' };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const mb = (n: number | null) => (n === null ? '-' : `${(n / 1e6).toFixed(0)} MB`);

async function measure(mode: TypeCheckMode): Promise<ModeFigures> {
  const startRss = process.memoryUsage().rss;
  const engine = createCellEngine({ cwd: os.tmpdir(), typeCheck: mode });
  const run = async (code: string) => {
    const t = performance.now();
    await outputContext.run(sink, () =>
      engine.execute(code, { signal: new AbortController().signal, silent: false }),
    );
    return performance.now() - t;
  };
  const first = await run('1+1');
  const ones: number[] = [];
  for (let i = 0; i < 50; i++) ones.push(await run('1+1'));
  const decl: number[] = [];
  for (let i = 0; i < 200; i++)
    decl.push(
      await run(
        `const v${i}: number = ${i};\nfunction f${i}(x: number) { return x + v${i}; }\nf${i}(1)`,
      ),
    );
  await engine.typeChecksSettled();
  const mem = process.memoryUsage();
  const checker = mode === 'off' ? undefined : await engine.checkerMemory();
  await engine.dispose();
  return {
    mode,
    startRss,
    first,
    onePlusOne: median(ones),
    early: median(decl.slice(0, 20)),
    late: median(decl.slice(180)),
    rss: mem.rss,
    heap: mem.heapUsed,
    checkerHeap: checker?.heapUsed ?? null,
  };
}

const modeArg = process.argv.find((a) => a.startsWith('--mode='))?.slice('--mode='.length) as
  TypeCheckMode | undefined;
if (modeArg) {
  process.stdout.write(JSON.stringify(await measure(modeArg)) + '\n');
} else {
  const self = fileURLToPath(import.meta.url);
  const only = process.argv
    .find((a) => a.startsWith('--modes='))
    ?.slice('--modes='.length)
    .split(',');
  const modes = (['off', 'background', 'wait'] as const).filter(
    (m) => !only || m === 'off' || only.includes(m),
  );
  const figures = modes.map((mode) => {
    const child = spawnSync(process.execPath, [self, `--mode=${mode}`], {
      encoding: 'utf8',
      env: { ...process.env, AGENTKERNEL_TYPECHECK: '' },
    });
    if (child.status !== 0) throw new Error(`bench child (${mode}) failed:\n${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as ModeFigures;
  });
  const off = figures[0]!;
  console.log(`start rss ${mb(off.startRss)}`);
  for (const f of figures) {
    console.log(
      `[${f.mode}] first cell ${f.first.toFixed(1)} ms | 1+1 median ${f.onePlusOne.toFixed(2)} ms (×${(f.onePlusOne / off.onePlusOne).toFixed(2)} off) | ` +
        `declaration cell 1-20 ${f.early.toFixed(2)} ms → 180-200 ${f.late.toFixed(2)} ms (ratio ${(f.late / f.early).toFixed(2)}) | ` +
        `after 200 cells: rss ${mb(f.rss)} (×${(f.rss / off.rss).toFixed(2)} off), main heap ${mb(f.heap)}, checker heap ${mb(f.checkerHeap)}`,
    );
  }
}
