/** Runs a Node ES module script in a child process and collects its output and how it ended. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  /** Called for every stdout chunk, with the child and all output so far (e.g. to send a signal). */
  onStdout?: (soFar: string, child: ReturnType<typeof spawn>) => void;
  /** Safety net: kill the child if it has not ended after this long (the test then fails). */
  killAfterMs?: number;
}

export function writeScript(source: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ak-sync-child-'));
  const file = path.join(dir, 'main.mjs');
  writeFileSync(file, source);
  return file;
}

export function runChild(scriptFile: string, options: ChildOptions = {}): Promise<ChildOutcome> {
  return runChildArgs([scriptFile], options);
}

/** Like runChild, with the node arguments given (e.g. `['--input-type=module', '-e', code]`). */
export function runChildArgs(args: string[], options: ChildOptions = {}): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
