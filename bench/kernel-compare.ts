/**
 * Side-by-side kernel benchmark: agentkernel vs tslab vs Deno's built-in kernel, measured in the
 * same run on the same machine (absolute times drift; the ratios are the result). For each kernel
 * bench/kernel_driver.py (Debian's jupyter_client) measures: process start → kernel_info_reply
 * (median of 5), `1+1` execute round trip (median of 50), RSS after start, a declaration cell's
 * time for cells 1-20 vs 181-200 and RSS after 200 cells, and `jupyter nbconvert --execute` of a
 * one-cell notebook.
 *
 * Start-up and the `1+1` round trip, the figures closest to noise on a shared 2-core machine, are
 * also measured in `--rounds` rounds that alternate between the kernels (a fresh kernel each, 50
 * round trips), so that load from other work falls on every kernel alike; the table shows the
 * medians of the rounds, and each round's figures are printed below it.
 *
 *   npm run build && node dist/bench/kernel-compare.js [--cells 200] [--rounds 5]
 *       [--only agentkernel,agentkernel-nocheck,tslab,deno]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

interface Result {
  kernel: string;
  startup_s: number;
  roundtrip_ms: number;
  /** The round trip of each alternating round (roundtrip_ms is then their median). */
  roundtrip_rounds_ms?: number[];
  /** The start-up of each alternating round (startup_s is then their median). */
  startup_rounds_s?: number[];
  rss_start_mb: number;
  decl_first20_ms: number;
  decl_last20_ms: number;
  rss_after_cells_mb: number;
  nbconvert_s: number;
  cells_run?: number;
  decl_failed_at_cell?: number;
  decl_error?: string;
}

function writeSpec(kernelsDir: string, name: string, spec: object): void {
  const dir = path.join(kernelsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify(spec, null, 2));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
  };
  const cells = opt('--cells', '200');
  const rounds = Number(opt('--rounds', '5'));
  const only = opt('--only', 'agentkernel,agentkernel-nocheck,tslab,deno').split(',');

  const work = mkdtempSync(path.join(os.tmpdir(), 'kernel-bench-'));
  const prefix = path.join(work, 'prefix');
  const kernelsDir = path.join(prefix, 'share', 'jupyter', 'kernels');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'),
    JUPYTER_DATA_DIR: path.join(work, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(work, 'runtime'),
    AGENTKERNEL_HISTORY: path.join(work, 'history.jsonl'),
    // Deno's kernel must not try to reach the network for npm/jsr metadata.
    DENO_NO_UPDATE_CHECK: '1',
  };
  mkdirSync(env['JUPYTER_RUNTIME_DIR']!, { recursive: true });

  const install = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'dist', 'kernel', 'cli.js'), 'install', '--prefix', prefix],
    { env, encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`agentkernel install failed: ${install.stderr}`);
  // The same kernel with type checking off isolates what the protocol layer and the transpile
  // path cost from the (background) type checker's share of the CPU.
  const ourSpec = JSON.parse(
    readFileSync(path.join(kernelsDir, 'agentkernel', 'kernel.json'), 'utf8'),
  ) as {
    env?: Record<string, string>;
  };
  writeSpec(kernelsDir, 'agentkernel-nocheck', {
    ...ourSpec,
    display_name: 'TypeScript (agentkernel, no type check)',
    env: { ...ourSpec.env, AGENTKERNEL_TYPECHECK: 'off' },
  });
  writeSpec(kernelsDir, 'tslab', {
    argv: [bin('tslab'), 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (tslab)',
    language: 'typescript',
  });
  writeSpec(kernelsDir, 'deno', {
    argv: [bin('deno'), 'jupyter', '--kernel', '--conn', '{connection_file}'],
    display_name: 'Deno',
    language: 'typescript',
  });

  const drive = (kernel: string, extra: string[]): Result | undefined => {
    const r = spawnSync(
      '/usr/bin/python3',
      [path.join(repoRoot, 'bench', 'kernel_driver.py'), kernel, work, ...extra],
      { env, cwd: work, encoding: 'utf8', timeout: 15 * 60_000 },
    );
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) {
      process.stderr.write(`${kernel} failed:\n${r.stderr.slice(-3000)}\n`);
      return undefined;
    }
    return JSON.parse(line) as Result;
  };

  const results: Result[] = [];
  for (const kernel of only) {
    process.stderr.write(`measuring ${kernel}…\n`);
    const result = drive(kernel, ['--cells', cells]);
    if (result) results.push(result);
  }
  for (let round = 1; round <= rounds; round++) {
    process.stderr.write(`round trip, round ${round} of ${rounds}…\n`);
    for (const result of results) {
      const trip = drive(result.kernel, ['--round-trip-only', '1']);
      if (!trip) continue;
      (result.roundtrip_rounds_ms ??= []).push(trip.roundtrip_ms);
      (result.startup_rounds_s ??= []).push(trip.startup_s);
    }
  }
  for (const result of results) {
    const trips = result.roundtrip_rounds_ms;
    if (trips && trips.length > 0) result.roundtrip_ms = median(trips);
    const starts = result.startup_rounds_s;
    if (starts && starts.length > 0) result.startup_s = median(starts);
  }

  const rows: [string, keyof Result, (v: number) => string][] = [
    [
      `start → kernel_info_reply (median of ${rounds} alternating rounds)`,
      'startup_s',
      (v) => `${v.toFixed(3)} s`,
    ],
    [
      `execute 1+1 round trip (median of 50; median of ${rounds} alternating rounds)`,
      'roundtrip_ms',
      (v) => `${v.toFixed(2)} ms`,
    ],
    ['RSS after start', 'rss_start_mb', (v) => `${v.toFixed(0)} MB`],
    [`declaration cell, cells 1-20 (median)`, 'decl_first20_ms', (v) => `${v.toFixed(2)} ms`],
    [
      `declaration cell, cells ${Number(cells) - 19}-${cells} (median)`,
      'decl_last20_ms',
      (v) => `${v.toFixed(2)} ms`,
    ],
    [`RSS after ${cells} cells`, 'rss_after_cells_mb', (v) => `${v.toFixed(0)} MB`],
    ['nbconvert --execute, 1-cell notebook', 'nbconvert_s', (v) => `${v.toFixed(2)} s`],
  ];
  const ours = results.find((r) => r.kernel === 'agentkernel');
  const others = results.filter((r) => r.kernel === 'tslab' || r.kernel === 'deno');
  const header = [
    'metric',
    ...results.map((r) => r.kernel),
    ...others.map((o) => `ours / ${o.kernel}`),
  ];
  const lines = [header, header.map(() => '---')];
  for (const [label, key, fmt] of rows) {
    const cellsOut = results.map((r) => (r[key] === undefined ? 'n/a' : fmt(Number(r[key]))));
    const ratios = others.map((o) =>
      ours ? `${(Number(ours[key]) / Number(o[key])).toFixed(2)}×` : 'n/a',
    );
    lines.push([label, ...cellsOut, ...ratios]);
  }
  process.stdout.write(`${lines.map((l) => `| ${l.join(' | ')} |`).join('\n')}\n`);
  for (const r of results) {
    if (r.decl_failed_at_cell !== undefined) {
      process.stdout.write(
        `\n${r.kernel}: declaration cells stopped at cell ${r.decl_failed_at_cell} (${r.decl_error ?? ''}); its cell figures cover ${r.cells_run ?? 0} cells\n`,
      );
    }
  }
  for (const r of results) {
    const trips = r.roundtrip_rounds_ms ?? [];
    const starts = r.startup_rounds_s ?? [];
    process.stdout.write(
      `\n${r.kernel}: by round, start-up ${starts.map((t) => t.toFixed(3)).join(', ')} s; ` +
        `1+1 round trip ${trips.map((t) => t.toFixed(2)).join(', ')} ms`,
    );
  }
  process.stdout.write(`\n\nraw: ${JSON.stringify(results)}\n`);
}

main();
