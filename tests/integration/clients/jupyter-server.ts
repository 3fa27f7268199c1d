/**
 * A real Jupyter web server on 127.0.0.1 for the client tests: Debian's jupyter_server 1.23
 * (`python3 -m jupyter_server`, what JupyterLab talks to) or the classic Notebook 6.4 UI
 * (`python3 -m notebook`), on a free port with a random token, serving a scratch copy of
 * notebooks/ with our kernel installed into a temp prefix. stop() always ends the process group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';
import type { KernelEnv } from '../python-suite.js';

export type ServerKind = 'jupyter_server' | 'notebook';

export interface RunningServer {
  baseUrl: string;
  token: string;
  /** The directory the server serves (and the kernels' working directory). */
  rootDir: string;
  /** Everything the server printed so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** A port the OS says is free right now (bound to port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A scratch copy of the notebooks' project under the kernel's temp dir, without what an earlier
 * execution left behind (run store, flag files), so runs never land in the repository.
 */
export function scratchNotebooksCopy(kernel: KernelEnv, name: string): string {
  const dir = path.join(kernel.dir, `project-${name}`);
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(repoRoot, 'notebooks'), dir, {
    recursive: true,
    filter: (src) => !/(runtime\.db[^/]*|\.flag)$/.test(src),
  });
  return dir;
}

function serverArgs(kind: ServerKind, port: number, token: string, rootDir: string): string[] {
  // The two apps spell their options under different config classes.
  const app = kind === 'jupyter_server' ? 'ServerApp' : 'NotebookApp';
  return [
    '-m',
    kind,
    '--no-browser',
    `--${app}.ip=127.0.0.1`,
    `--${app}.port=${port}`,
    `--${app}.port_retries=0`,
    `--${app}.token=${token}`,
    `--${app}.${kind === 'jupyter_server' ? 'root_dir' : 'notebook_dir'}=${rootDir}`,
    // Loopback only, no network: never look for updates or open anything.
    `--${app}.open_browser=False`,
    // CI containers run as root, which both apps refuse unless told.
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ];
}

async function waitUntilServing(
  baseUrl: string,
  token: string,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the Jupyter server exited (${child.exitCode}):\n${log()}`);
    }
    try {
      const res = await fetch(`${baseUrl}api/kernelspecs`, {
        headers: { Authorization: `token ${token}` },
      });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Jupyter server did not answer within 60 s:\n${log()}`);
}

async function shutDownKernels(baseUrl: string, token: string): Promise<void> {
  const headers = { Authorization: `token ${token}` };
  try {
    const res = await fetch(`${baseUrl}api/kernels`, { headers });
    if (!res.ok) return;
    const kernels = (await res.json()) as { id: string }[];
    await Promise.all(
      kernels.map((k) => fetch(`${baseUrl}api/kernels/${k.id}`, { method: 'DELETE', headers })),
    );
  } catch {
    // The server is already gone; nothing left to ask.
  }
}

/** Starts the server and resolves once its REST API answers with our token. */
export async function startJupyterServer(
  kind: ServerKind,
  kernel: KernelEnv,
  rootDir: string,
): Promise<RunningServer> {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const baseUrl = `http://127.0.0.1:${port}/`;
  const child = spawn('/usr/bin/python3', serverArgs(kind, port, token, rootDir), {
    env: kernel.env,
    cwd: rootDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stop() also reaches the kernels it started.
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const log = (): string => output;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Kernels run in their own sessions (jupyter_client starts them so), out of reach of a
    // group signal: shut each down through the API first.
    await shutDownKernels(baseUrl, token);
    // SIGTERM lets the server shut its kernels down; SIGKILL the group if it lingers.
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilServing(baseUrl, token, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, token, rootDir, log, stop };
}
