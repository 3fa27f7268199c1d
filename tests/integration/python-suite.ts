/**
 * Runs a Python unittest file against the kernel installed into a fresh temporary prefix, with
 * Debian's /usr/bin/python3 (jupyter_client, jupyter_kernel_test), and returns its summary.
 * Everything Jupyter writes (runtime files, data dir, our history) goes under the temp dir.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

export interface SuiteResult {
  exitCode: number | null;
  ran: number;
  summary: string;
  output: string;
}

export interface KernelEnv {
  dir: string;
  env: NodeJS.ProcessEnv;
}

/** Installs the kernelspec with `agentkernel install --prefix <tmp>` and returns the env to use it. */
export function installKernelIntoTempPrefix(): KernelEnv {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-it-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: path.join(dir, 'prefix', 'share', 'jupyter'),
    JUPYTER_DATA_DIR: path.join(dir, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime'),
    JUPYTER_CONFIG_DIR: path.join(dir, 'config'),
    AGENTKERNEL_HISTORY: path.join(dir, 'history.jsonl'),
    // Type warnings are not what these suites test; keep cells deterministic.
    AGENTKERNEL_TYPECHECK: 'off',
    PYTHONUNBUFFERED: '1',
  };
  mkdirSync(env['JUPYTER_RUNTIME_DIR']!, { recursive: true });
  const r = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'dist', 'kernel', 'cli.js'),
      'install',
      '--prefix',
      path.join(dir, 'prefix'),
    ],
    {
      env,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`agentkernel install failed: ${r.stderr}${r.stdout}`);
  return { dir, env };
}

export function runPythonSuite(
  file: string,
  kernel: KernelEnv,
  args: string[] = [],
): Promise<SuiteResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      '/usr/bin/python3',
      [path.join(repoRoot, 'tests', 'integration', file), ...args],
      {
        env: kernel.env,
        cwd: kernel.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const ran = Number(/^Ran (\d+) tests?/m.exec(output)?.[1] ?? 0);
      const verdict = /^(OK.*|FAILED.*)$/m.exec(output)?.[1] ?? 'no unittest summary';
      const summary = `${file}: ran ${ran} tests, ${verdict}`;
      // Printed so `npm test` shows what the Python side did.
      process.stdout.write(`${summary}\n`);
      resolve({ exitCode, ran, summary, output });
    });
  });
}

export interface ExecutedNotebook {
  status: number | null;
  stderr: string;
  /** The executed notebook's JSON, when nbconvert succeeded. */
  notebook?: unknown;
}

/**
 * Executes `file` (relative to `dir`, which is also the kernel's working directory) with
 * `jupyter nbconvert --to notebook --execute` on the installed kernel; the executed copy is
 * written to `outDir` (default `dir`) as `executed-<file>`.
 */
export function executeNotebook(
  kernel: KernelEnv,
  dir: string,
  file: string,
  options: { extra?: string[]; outDir?: string } = {},
): ExecutedNotebook {
  const out = path.join(options.outDir ?? dir, `executed-${path.basename(file)}`);
  const r = spawnSync(
    '/usr/bin/python3',
    [
      '-m',
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--ExecutePreprocessor.kernel_name=agentkernel',
      ...(options.extra ?? []),
      file,
      '--output',
      out,
    ],
    { env: kernel.env, cwd: dir, encoding: 'utf8', timeout: 120_000 },
  );
  return {
    status: r.status,
    stderr: r.stderr,
    ...(r.status === 0 ? { notebook: JSON.parse(readFileSync(out, 'utf8')) as unknown } : {}),
  };
}
