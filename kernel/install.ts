/**
 * Kernelspec install/uninstall. Fills the kernelspec/kernel.json template with absolute paths
 * (this node binary, this package's dist/kernel/main.js) so the kernel starts the same way from
 * any directory, copies the logos, and registers it with `jupyter kernelspec install` when jupyter
 * is on PATH (it knows the right data dirs), else writes into the kernels dir itself.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_KERNEL_NAME = 'agentkernel';
export const DISPLAY_NAME = 'TypeScript (agentkernel)';
const LOGOS = ['logo-32x32.png', 'logo-64x64.png'];

/** dist/kernel/install.js → the package root, which holds kernelspec/. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type InstallLocation =
  { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; dir: string };

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: 'signal' | 'message';
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

export function buildKernelSpec(): KernelSpec {
  const template = JSON.parse(
    readFileSync(path.join(packageRoot, 'kernelspec', 'kernel.json'), 'utf8'),
  ) as KernelSpec;
  return {
    ...template,
    argv: [
      process.execPath,
      path.join(packageRoot, 'dist', 'kernel', 'main.js'),
      '{connection_file}',
    ],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { debugger: false },
  };
}

/** Writes kernel.json and the logos into `dir` (a kernelspec directory). */
export function writeKernelSpecDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'kernel.json'), `${JSON.stringify(buildKernelSpec(), null, 2)}\n`);
  for (const logo of LOGOS)
    copyFileSync(path.join(packageRoot, 'kernelspec', logo), path.join(dir, logo));
}

function jupyterOnPath(env: NodeJS.ProcessEnv): boolean {
  const r = spawnSync('jupyter', ['kernelspec', '--version'], { env, stdio: 'ignore' });
  return r.status === 0;
}

/** The kernels directory Jupyter reads for a location, when we must write it ourselves. */
export function kernelsDir(
  location: InstallLocation,
  env: NodeJS.ProcessEnv = process.env,
): string {
  switch (location.kind) {
    case 'prefix':
      return path.join(path.resolve(location.dir), 'share', 'jupyter', 'kernels');
    case 'sys-prefix':
      return path.join(
        env['VIRTUAL_ENV'] ?? env['CONDA_PREFIX'] ?? '/usr/local',
        'share',
        'jupyter',
        'kernels',
      );
    case 'user': {
      const data =
        env['JUPYTER_DATA_DIR'] ||
        (process.platform === 'darwin'
          ? path.join(os.homedir(), 'Library', 'Jupyter')
          : path.join(
              env['XDG_DATA_HOME'] || path.join(os.homedir(), '.local', 'share'),
              'jupyter',
            ));
      return path.join(data, 'kernels');
    }
  }
}

export class KernelInstallError extends Error {
  override name = 'KernelInstallError';
}

/** Installs the kernelspec; returns the directory it ended up in. */
export function installKernel(
  options: { location?: InstallLocation; name?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  const location = options.location ?? { kind: 'user' };
  const name = options.name ?? DEFAULT_KERNEL_NAME;
  const env = options.env ?? process.env;
  if (!/^[a-z0-9._-]+$/i.test(name))
    throw new KernelInstallError(`Invalid kernel name '${name}': use letters, digits, . _ -`);
  if (jupyterOnPath(env)) {
    const staging = mkdtempSync(path.join(os.tmpdir(), 'agentkernel-spec-'));
    try {
      const specDir = path.join(staging, name);
      writeKernelSpecDir(specDir);
      const flag =
        location.kind === 'user'
          ? ['--user']
          : location.kind === 'sys-prefix'
            ? ['--sys-prefix']
            : ['--prefix', path.resolve(location.dir)];
      const r = spawnSync(
        'jupyter',
        ['kernelspec', 'install', specDir, '--name', name, '--replace', ...flag],
        {
          env,
          encoding: 'utf8',
        },
      );
      if (r.status !== 0)
        throw new KernelInstallError(`jupyter kernelspec install failed: ${r.stderr || r.stdout}`);
      // jupyter prints "Installed kernelspec NAME in DIR" on stderr.
      const match = /Installed kernelspec \S+ in (.+)/.exec(`${r.stderr}${r.stdout}`);
      return match?.[1]?.trim() ?? path.join(kernelsDir(location, env), name);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const dir = path.join(kernelsDir(location, env), name);
  writeKernelSpecDir(dir);
  return dir;
}

/** Removes the kernelspec; returns the directories removed (empty when it was not installed). */
export function uninstallKernel(
  options: { name?: string; env?: NodeJS.ProcessEnv; location?: InstallLocation } = {},
): string[] {
  const name = options.name ?? DEFAULT_KERNEL_NAME;
  const env = options.env ?? process.env;
  if (options.location === undefined && jupyterOnPath(env)) {
    const r = spawnSync('jupyter', ['kernelspec', 'remove', '-f', name], { env, encoding: 'utf8' });
    if (r.status !== 0) return [];
    return [...`${r.stdout}${r.stderr}`.matchAll(/Removed (.+)/g)].map((m) => m[1]!.trim());
  }
  const locations: InstallLocation[] = options.location
    ? [options.location]
    : [{ kind: 'user' }, { kind: 'sys-prefix' }];
  const removed: string[] = [];
  for (const loc of locations) {
    const dir = path.join(kernelsDir(loc, env), name);
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}
