/**
 * The JupyterLab path: a real jupyter_server on 127.0.0.1 and `@jupyterlab/services` (the client
 * library JupyterLab itself uses) driving our kernel over the server's REST API and kernel
 * websocket. In Node the library falls back on the `ws` package for its WebSocket (it requires it
 * whenever `window` is undefined), and on Node 20's global fetch for REST.
 */
import { rmSync } from 'node:fs';
import {
  KernelManager,
  KernelMessage,
  ServerConnection,
  SessionManager,
  type Session,
} from '@jupyterlab/services';
import { installKernelIntoTempPrefix, type KernelEnv } from '../python-suite.js';
import { scratchNotebooksCopy, startJupyterServer, type RunningServer } from './jupyter-server.js';

type Kernel = NonNullable<Session.ISessionConnection['kernel']>;

interface CellRun {
  reply: KernelMessage.IExecuteReplyMsg;
  iopub: KernelMessage.IIOPubMessage[];
}

const SLEEPY = `%%workflow --name sleepy
steps:
  - {id: nap, type: function, function: quickstart.wait, inputs: {ms: 600000}}
`;

// Three short steps, so the live view has several updates to send (a fast run may coalesce them).
const STEPS = `%%workflow --name lab-steps -o labRun
steps:
  - {id: one, type: function, function: quickstart.wait, inputs: {ms: 200}}
  - {id: two, type: function, function: quickstart.summarize, inputs: {text: "Lab sessions drop on reconnect", words: 5}}
  - {id: three, type: function, function: quickstart.wait, inputs: {ms: 200}}
`;

let kernelEnv: KernelEnv;
let server: RunningServer;
let kernelManager: KernelManager;
let sessionManager: SessionManager;
let session: Session.ISessionConnection;

function kernelOf(s: Session.ISessionConnection): Kernel {
  if (!s.kernel) throw new Error('the session has no kernel');
  return s.kernel;
}

/** Executes `code` and collects the IOPub messages of that request until its reply is done. */
async function runCell(
  code: string,
  onIOPub?: (msg: KernelMessage.IIOPubMessage) => void,
): Promise<CellRun> {
  const future = kernelOf(session).requestExecute({ code, stop_on_error: false });
  const iopub: KernelMessage.IIOPubMessage[] = [];
  future.onIOPub = (msg) => {
    iopub.push(msg);
    onIOPub?.(msg);
  };
  const reply = await future.done;
  return { reply, iopub };
}

function plainText(msg: KernelMessage.IIOPubMessage): string {
  if (
    KernelMessage.isDisplayDataMsg(msg) ||
    KernelMessage.isUpdateDisplayDataMsg(msg) ||
    KernelMessage.isExecuteResultMsg(msg)
  ) {
    const text = msg.content.data['text/plain'];
    return typeof text === 'string' ? text : '';
  }
  return '';
}

function displayIdOf(msg: KernelMessage.IIOPubMessage): string | undefined {
  if (KernelMessage.isDisplayDataMsg(msg) || KernelMessage.isUpdateDisplayDataMsg(msg)) {
    const transient = msg.content.transient as { display_id?: string } | undefined;
    return transient?.display_id;
  }
  return undefined;
}

// The library logs every websocket (re)connection with console.debug; keep the test output readable.
const consoleDebug = console.debug;

beforeAll(async () => {
  console.debug = () => {};
  kernelEnv = installKernelIntoTempPrefix();
  const rootDir = scratchNotebooksCopy(kernelEnv, 'jupyterlab');
  server = await startJupyterServer('jupyter_server', kernelEnv, rootDir);
  const serverSettings = ServerConnection.makeSettings({
    baseUrl: server.baseUrl,
    token: server.token,
  });
  kernelManager = new KernelManager({ serverSettings });
  sessionManager = new SessionManager({ kernelManager, serverSettings });
  await sessionManager.ready;
  session = await sessionManager.startNew({
    path: 'lab-session.ipynb',
    type: 'notebook',
    name: 'lab-session.ipynb',
    kernel: { name: 'agentkernel' },
  });
  await kernelOf(session).info;
}, 90_000);

afterAll(async () => {
  // Dispose the connections (their websockets and polls) before the server goes away.
  try {
    await session?.shutdown();
  } catch {
    // The server's own shutdown below ends the kernel anyway.
  }
  session?.dispose();
  sessionManager?.dispose();
  kernelManager?.dispose();
  await server?.stop();
  if (kernelEnv) rmSync(kernelEnv.dir, { recursive: true, force: true });
  console.debug = consoleDebug;
}, 60_000);

test('the session runs our kernel: kernel_info over the websocket names agentkernel', async () => {
  const info = await kernelOf(session).info;
  expect(info.implementation).toBe('agentkernel');
  expect(info.language_info.name).toBe('typescript');
  expect(kernelOf(session).name).toBe('agentkernel');
});

test('%%workflow shows one display updated in place over the websocket, then its result', async () => {
  const { reply, iopub } = await runCell(STEPS);
  expect(reply.content.status).toBe('ok');

  const first = iopub.filter(KernelMessage.isDisplayDataMsg);
  const updates = iopub.filter(KernelMessage.isUpdateDisplayDataMsg);
  expect(first).toHaveLength(1);
  const displayId = displayIdOf(first[0]!);
  expect(displayId).toBeTruthy();
  expect(updates.length).toBeGreaterThanOrEqual(2);
  for (const update of updates) expect(displayIdOf(update)).toBe(displayId);

  const finalView = updates[updates.length - 1]!;
  expect(plainText(finalView)).toMatch(/lab-steps@v1 · COMPLETED/);
  for (const step of ['one', 'two', 'three']) {
    expect(plainText(finalView)).toMatch(new RegExp(`✓ ${step} +function +COMPLETED`));
  }
  expect(finalView.content.data['text/html']).toBeDefined();
  const result = iopub.filter(KernelMessage.isExecuteResultMsg).map(plainText).join('\n');
  expect(result).toContain('Issue: Lab sessions drop on reconnect');
}, 60_000);

test('%workflow runs a workflow of the notebook project by id', async () => {
  const { reply, iopub } = await runCell(
    '%workflow triage -i issue="The lab server is down for everyone"',
  );
  expect(reply.content.status).toBe('ok');
  const views = iopub.filter(
    (m) => KernelMessage.isDisplayDataMsg(m) || KernelMessage.isUpdateDisplayDataMsg(m),
  );
  expect(views.length).toBeGreaterThanOrEqual(2);
  expect(new Set(views.map(displayIdOf)).size).toBe(1);
  expect(plainText(views[views.length - 1]!)).toMatch(/triage@v1 · COMPLETED/);
  expect(plainText(views[views.length - 1]!)).toMatch(/✓ page +function +COMPLETED/);
  expect(iopub.filter(KernelMessage.isExecuteResultMsg).map(plainText).join('')).toContain(
    'paged on-call about: The lab server is down for everyone',
  );
}, 60_000);

test('interrupting a running workflow through the server cancels the run and says how to resume', async () => {
  await runCell('const marker = "still here";');
  let interrupting: Promise<void> | undefined;
  const { reply, iopub } = await runCell(SLEEPY, (msg) => {
    const text = plainText(msg);
    // Interrupt once the step is really running (the server sends SIGINT: interrupt_mode signal).
    if (!interrupting && /nap/.test(text) && /RUNNING/.test(text)) {
      interrupting = kernelOf(session).interrupt();
    }
  });
  expect(interrupting).toBeDefined();
  await interrupting;

  expect(reply.content.status).toBe('error');
  if (reply.content.status !== 'error') return;
  expect(reply.content.ename).toBe('AR-CANCELLED');
  expect(reply.content.evalue).toMatch(/%resume [0-9a-f-]{36}/);
  expect(iopub.filter(KernelMessage.isErrorMsg)).toHaveLength(1);
  const finalView = iopub.filter(KernelMessage.isUpdateDisplayDataMsg).pop();
  expect(finalView && plainText(finalView)).toMatch(/sleepy@v1 · CANCELLED/);

  // The kernel keeps its state after an interrupt.
  const after = await runCell('marker');
  expect(after.iopub.filter(KernelMessage.isExecuteResultMsg).map(plainText)).toEqual([
    "'still here'",
  ]);
}, 60_000);

test('a restart clears the kernel state but the run store keeps the cancelled run', async () => {
  const cancelled = await runCell('%runs --status CANCELLED');
  const before = cancelled.iopub.filter(KernelMessage.isExecuteResultMsg).map(plainText).join('');
  const runId = /[0-9a-f]{8}-[0-9a-f-]{27}/.exec(before)?.[0];
  expect(runId).toBeDefined();

  // The library warns about the websocket it drops and reopens on restart; that is expected here.
  const consoleWarn = console.warn;
  console.warn = () => {};
  try {
    await kernelOf(session).restart();
    await kernelOf(session).info;
  } finally {
    console.warn = consoleWarn;
  }

  const gone = await runCell('typeof marker');
  expect(gone.reply.content.execution_count).toBe(1);
  expect(gone.iopub.filter(KernelMessage.isExecuteResultMsg).map(plainText)).toEqual([
    "'undefined'",
  ]);

  const runs = await runCell('%runs --status CANCELLED');
  expect(runs.reply.content.status).toBe('ok');
  const listed = runs.iopub.filter(KernelMessage.isExecuteResultMsg).map(plainText).join('');
  expect(listed).toContain(runId!);
  expect(listed).toMatch(/sleepy@v1 +CANCELLED/);
}, 90_000);
