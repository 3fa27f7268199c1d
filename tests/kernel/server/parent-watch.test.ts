/** A kernel whose launcher died (JPY_PARENT_PID gone) exits instead of lingering as an orphan. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

test('the kernel exits once its parent process is gone', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ak-parent-'));
  const base = 20000 + Math.floor(Math.random() * 30000);
  const conn = path.join(dir, 'kernel.json');
  writeFileSync(
    conn,
    JSON.stringify({
      transport: 'ipc',
      ip: path.join(dir, 'k'),
      shell_port: base,
      iopub_port: base + 1,
      stdin_port: base + 2,
      control_port: base + 3,
      hb_port: base + 4,
      key: 'k',
      signature_scheme: 'hmac-sha256',
    }),
  );
  const parent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)']);
  const kernel = spawn(process.execPath, [path.join(repoRoot, 'dist', 'kernel', 'main.js'), conn], {
    env: {
      ...process.env,
      JPY_PARENT_PID: String(parent.pid),
      AGENTKERNEL_HISTORY: path.join(dir, 'h.jsonl'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  kernel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => kernel.on('exit', resolve));
  expect(code).toBe(0);
  expect(stderr).toMatch(/the process that started the kernel is gone/);
}, 20_000);
