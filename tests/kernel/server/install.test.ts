import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildKernelSpec } from '../../../kernel/install.js';
import { parseInstallArgs } from '../../../kernel/cli.js';
import { repoRoot } from '../../helpers/paths.js';

const cli = path.join(repoRoot, 'dist', 'kernel', 'cli.js');

describe('kernelspec install', () => {
  test('kernel.json starts this node on dist/kernel/main.js with signal interrupts', () => {
    const spec = buildKernelSpec();
    expect(spec.argv).toEqual([
      process.execPath,
      path.join(repoRoot, 'dist', 'kernel', 'main.js'),
      '{connection_file}',
    ]);
    expect(spec).toMatchObject({
      display_name: 'TypeScript (agentkernel)',
      language: 'typescript',
      interrupt_mode: 'signal',
    });
  });

  test('install --prefix writes kernel.json and both logos; uninstall --prefix removes them', () => {
    const prefix = mkdtempSync(path.join(os.tmpdir(), 'ak-install-'));
    const env = { ...process.env, JUPYTER_DATA_DIR: path.join(prefix, 'data') };
    const r = spawnSync(
      process.execPath,
      [cli, 'install', '--prefix', prefix, '--name', 'ak-test'],
      { env, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    const dir = path.join(prefix, 'share', 'jupyter', 'kernels', 'ak-test');
    const spec = JSON.parse(readFileSync(path.join(dir, 'kernel.json'), 'utf8')) as {
      argv: string[];
    };
    expect(spec.argv[1]).toBe(path.join(repoRoot, 'dist', 'kernel', 'main.js'));
    for (const logo of ['logo-32x32.png', 'logo-64x64.png']) {
      // A PNG signature, not a placeholder.
      expect(readFileSync(path.join(dir, logo)).subarray(0, 4)).toEqual(
        Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      );
    }
    const u = spawnSync(
      process.execPath,
      [cli, 'uninstall', '--prefix', prefix, '--name', 'ak-test'],
      { env, encoding: 'utf8' },
    );
    expect(u.status).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  test('argument parsing', () => {
    expect(parseInstallArgs([])).toEqual({ location: { kind: 'user' } });
    expect(parseInstallArgs(['--sys-prefix', '--name', 'x'])).toEqual({
      location: { kind: 'sys-prefix' },
      name: 'x',
    });
    expect(parseInstallArgs(['--prefix=/opt/j'])).toEqual({
      location: { kind: 'prefix', dir: '/opt/j' },
    });
    expect(() => parseInstallArgs(['--prefix'])).toThrow(/needs a value/);
    expect(() => parseInstallArgs(['--global'])).toThrow(/unknown option/);
  });

  test('unknown install options exit with usage (code 2)', () => {
    const r = spawnSync(process.execPath, [cli, 'install', '--global'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--global'/);
  });
});
