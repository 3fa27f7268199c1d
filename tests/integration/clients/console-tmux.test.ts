/**
 * The terminal client: `jupyter console --kernel agentkernel` (Debian's jupyter_console 6.4) in a
 * real pseudo-terminal owned by a private tmux server. Keys go in with `send-keys`, the screen
 * comes back with `capture-pane`, exactly what a person at the terminal types and reads.
 *
 * jupyter_console prints display_data and execute_result as text/plain but ignores
 * update_display_data, so a terminal shows the first state of the live table and then the run's
 * final view (the execute_result) — that is what is asserted here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { installKernelIntoTempPrefix, type KernelEnv } from '../python-suite.js';
import { scratchNotebooksCopy } from './jupyter-server.js';

let kernel: KernelEnv;
let socket: string;
/** Where the pane's shell writes the console's exit status. */
let exitFile: string;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-S', socket, ...args], { env: kernel.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** The whole pane, scrollback included, with wrapped lines joined. */
function screen(): string {
  return tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'console');
}

/** Polls the screen until `pattern` shows up (the console and kernel take a moment to start). */
async function waitForScreen(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${String(pattern)} on the console; it shows:\n${text}`,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * Waits for the console to be back at a prompt and then pauses like a person would. Debian's
 * jupyter_console 6.4.4 + jupyter_client 7.4 on Python 3.11 wait for kernel replies in a nested
 * asyncio loop (nest_asyncio), and keys that arrive while it waits make prompt_toolkit report
 * "cannot enter context … already entered" and swallow the next Enter (most runs failed so when
 * lines were typed back to back). A person reads the prompt before typing; so does this test.
 */
async function waitForPrompt(n: number): Promise<string> {
  const text = await waitForScreen(new RegExp(`In \\[${n}\\]: $`, 'm'));
  await new Promise((r) => setTimeout(r, 1000));
  return text;
}

/** Types `line` and presses Enter, as a person would (literal keys, no key-name lookup). */
function typeLine(line: string): void {
  if (line !== '') tmux('send-keys', '-t', 'console', '-l', line);
  tmux('send-keys', '-t', 'console', 'Enter');
}

const continuationPrompts = (text: string): number => text.match(/^ +\.\.\.: /gm)?.length ?? 0;

/**
 * Types a multi-line cell one line at a time. After each Enter the console asks the kernel
 * (is_complete_request) whether to read on; the next line is typed only once the `...:` prompt
 * for it is shown, for the reason given at waitForPrompt.
 */
async function typeCellLines(lines: string[]): Promise<void> {
  for (const [i, line] of lines.entries()) {
    const before = continuationPrompts(screen());
    typeLine(line);
    if (i === lines.length - 1) return;
    const deadline = Date.now() + 30_000;
    while (continuationPrompts(screen()) <= before) {
      if (Date.now() > deadline)
        throw new Error(`no continuation prompt after ${line}:\n${screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Command lines of live processes started with a connection file from this test's runtime dir. */
function kernelProcesses(): string[] {
  const runtimeDir = kernel.env['JUPYTER_RUNTIME_DIR']!;
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      // A zombie has an empty cmdline: it has exited.
      if (cmdline.includes(runtimeDir) && cmdline.includes('main.js'))
        found.push(`${pid} ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

beforeAll(() => {
  kernel = installKernelIntoTempPrefix();
  exitFile = path.join(kernel.dir, 'console.exit');
  socket = path.join(kernel.dir, 'tmux.sock');
  // A private tmux server (its own socket and an empty config); keep the pane after the console
  // exits so its last screen can still be read.
  const conf = path.join(kernel.dir, 'tmux.conf');
  writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 5000\n');
  const project = scratchNotebooksCopy(kernel, 'console');
  tmux(
    '-f',
    conf,
    'new-session',
    '-d',
    '-s',
    'console',
    '-x',
    '200',
    '-y',
    '50',
    '-c',
    project,
    '/bin/sh',
    '-c',
    `/usr/bin/python3 -m jupyter_console --kernel agentkernel; echo $? > '${exitFile}'`,
  );
});

afterAll(() => {
  // Our own server only (private socket): ends the pane, and with it the console if still there.
  spawnSync('tmux', ['-S', socket, 'kill-server'], { env: kernel.env });
  rmSync(kernel.dir, { recursive: true, force: true });
});

test('jupyter console runs %workflow and %%workflow in a terminal and quits cleanly', async () => {
  await waitForScreen(/agentkernel 0\.\d+\.\d+/);
  await waitForPrompt(1);

  typeLine('%workflow workflows/summarize.yaml -i issue="Console users see stale data"');
  let text = await waitForPrompt(2);
  // The live table's first state, as text, then the final view as Out[1].
  expect(text).toMatch(/Run [0-9a-f-]{36} · summarize@v1 · RUNNING/);
  expect(text).toMatch(/Out\[1\]:\s*\nRun [0-9a-f-]{36} · summarize@v1 · COMPLETED/);
  expect(text).toContain('summarize: {"summary":"Issue: Console users see stale data"}');

  // A multi-line cell: the console asks the kernel (is_complete_request) whether to go on
  // reading; a %%workflow cell is complete at the first empty line.
  await typeCellLines([
    '%%workflow --name from-terminal',
    'steps:',
    '  - {id: hello, type: tool, tool: tools.echo, inputs: {message: "hi from tmux"}}',
    '',
  ]);
  text = await waitForPrompt(3);
  expect(text).toMatch(/Out\[2\]:\s*\nRun [0-9a-f-]{36} · from-terminal@v1 · COMPLETED/);
  expect(text).toContain('hello: {"message":"hi from tmux"}');

  // Both runs went to the project's run store.
  typeLine('%runs');
  text = await waitForPrompt(4);
  expect(text).toMatch(/from-terminal@v1 +COMPLETED/);
  expect(text).toMatch(/summarize@v1 +COMPLETED/);

  // The kernel this console started is found (so the check that it is gone below means something).
  expect(kernelProcesses()).toHaveLength(1);

  // Ctrl-D, then confirm (the console's own quit; `exit` would be sent to the kernel as code).
  tmux('send-keys', '-t', 'console', 'C-d');
  await waitForScreen(/Do you really want to exit \(\[y\]\/n\)\?/);
  typeLine('y');
  await waitForScreen(/Shutting down kernel/);
  // The pane's shell reaps the console and writes its exit status. (tmux's own
  // `pane_dead_status` was read here first, but tmux left the exited console a zombie, never
  // reaped, in most runs on one machine, so the status never came.)
  const deadline = Date.now() + 60_000;
  while (!existsSync(exitFile)) {
    if (Date.now() > deadline) throw new Error(`the console did not exit:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  // Exit status 0: the console quit cleanly.
  expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
  // And the kernel it shut down is gone, not left behind as an orphan.
  while (kernelProcesses().length > 0) {
    if (Date.now() > deadline)
      throw new Error(`the kernel did not exit: ${kernelProcesses().join('\n')}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}, 120_000);
