#!/usr/bin/env node
/**
 * The package bin `agentkernel`. `kernel`, `install` and `uninstall` are the kernel's own;
 * every other subcommand (run, runs, …) belongs to the runtime CLI, imported dynamically so that
 * starting a kernel never loads it.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIO } from '../runtime/cli/command.js';
import type { InstallLocation } from './install.js';

const USAGE = `usage:
  agentkernel kernel <connection-file>     run the Jupyter kernel (what kernel.json starts)
  agentkernel install [--user | --sys-prefix | --prefix DIR] [--name NAME]
  agentkernel uninstall [--name NAME]
  agentkernel quickstart [notebook.ipynb]  register the kernel and execute the quickstart notebook
  agentkernel <command> …                  workflow commands (agentkernel --help lists them)
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseInstallArgs(args: string[]): { location: InstallLocation; name?: string } {
  let location: InstallLocation = { kind: 'user' };
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--user') location = { kind: 'user' };
    else if (a === '--sys-prefix') location = { kind: 'sys-prefix' };
    else if (a === '--prefix' || a === '--name') {
      const value = args[++i];
      if (!value) throw new UsageError(`${a} needs a value`);
      if (a === '--prefix') location = { kind: 'prefix', dir: value };
      else name = value;
    } else if (a?.startsWith('--prefix='))
      location = { kind: 'prefix', dir: a.slice('--prefix='.length) };
    else if (a?.startsWith('--name=')) name = a.slice('--name='.length);
    else throw new UsageError(`unknown option '${a}'`);
  }
  return name === undefined ? { location } : { location, name };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'kernel': {
        const file = rest[0];
        if (!file) throw new UsageError('kernel needs the connection file path');
        const { runKernel } = await import('./main.js');
        await runKernel(file);
        return -1; // keep running: the kernel exits on shutdown
      }
      case 'install': {
        const { installKernel, DISPLAY_NAME } = await import('./install.js');
        const dir = installKernel(parseInstallArgs(rest));
        process.stdout.write(`Installed "${DISPLAY_NAME}" kernelspec in ${dir}\n`);
        return 0;
      }
      case 'uninstall': {
        const { uninstallKernel } = await import('./install.js');
        const parsed = parseInstallArgs(rest);
        // Without an explicit location, `jupyter kernelspec remove` finds it wherever it is.
        const explicit = rest.some(
          (a) => a === '--user' || a === '--sys-prefix' || a.startsWith('--prefix'),
        );
        const removed = uninstallKernel({
          ...(parsed.name === undefined ? {} : { name: parsed.name }),
          ...(explicit ? { location: parsed.location } : {}),
        });
        process.stdout.write(
          removed.length
            ? `Removed ${removed.join(', ')}\n`
            : 'No agentkernel kernelspec was installed\n',
        );
        return 0;
      }
      case 'quickstart': {
        const { runQuickstart } = await import('./quickstart.js');
        return await runQuickstart(rest);
      }
      default: {
        // B's runtime CLI (runtime/cli/main.ts) handles the workflow commands and their --help.
        const runtimeCli = '../runtime/cli/main.js';
        const mod = (await import(runtimeCli)) as {
          runCli?: (args: readonly string[], io: CliIO) => Promise<number>;
          processIO?: () => CliIO;
        };
        if (typeof mod.runCli !== 'function' || typeof mod.processIO !== 'function') {
          throw new Error('runtime/cli/main.js does not export runCli and processIO');
        }
        if (
          command === undefined ||
          command === '--help' ||
          command === '-h' ||
          command === 'help'
        ) {
          process.stdout.write(`${USAGE}\n`);
        }
        return await mod.runCli(argv, mod.processIO());
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`agentkernel: ${e.message}\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`agentkernel: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    // The npm bin is a symlink to this file.
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntry()) {
  void main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`agentkernel: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
