/**
 * The kernel's sockets over real zeromq (ipc endpoints in a temp dir): IOPub is published by the
 * socket worker thread, in the order the main thread sent, and it reaches the wire while
 * the main thread is BLOCKED (what a cell in runWorkflowSync does). The blocked case is proven by
 * cause and effect: a subscriber on another thread wakes the blocked main thread when the message
 * arrives; with IOPub sent from the main thread's own loop it could only time out.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Subscriber } from 'zeromq';
import type { ConnectionInfo } from '../../../kernel/protocol/connection.js';
import { endpoint } from '../../../kernel/protocol/connection.js';
import { KernelSockets } from '../../../kernel/transport/sockets.js';

const info: ConnectionInfo = {
  transport: 'ipc',
  ip: path.join(mkdtempSync(path.join(os.tmpdir(), 'ak-sockets-')), 'k'),
  shell_port: 1,
  control_port: 2,
  iopub_port: 3,
  stdin_port: 4,
  hb_port: 5,
  key: 'k',
  signature_scheme: 'hmac-sha256',
};

const logs: string[] = [];
const sockets = new KernelSockets(info, 'session', {
  onFrames: () => undefined,
  onInterrupted: () => undefined,
  log: (text) => logs.push(text),
});

beforeAll(() => sockets.start());
afterAll(() => sockets.close());

/** Publishes `tag` until `received()` says a subscriber got one (PUB drops before it connects). */
async function publishUntilJoined(received: () => boolean): Promise<void> {
  while (!received()) {
    sockets.send('iopub', [Buffer.from('join')]);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Subscribes to IOPub, waits until it is joined, and collects what arrives (without the join
 * messages) until a frame reads `last`.
 */
async function collectUntil(last: string): Promise<{ got: string[]; done: Promise<void> }> {
  const sub = new Subscriber({ linger: 0 });
  sub.connect(endpoint(info, 'iopub'));
  sub.subscribe();
  let joined = false;
  const got: string[] = [];
  const done = (async () => {
    for await (const [frame] of sub) {
      const text = String(frame);
      if (text === 'join') {
        joined = true;
        continue;
      }
      got.push(text);
      if (text === last) break;
    }
    sub.close();
  })();
  await publishUntilJoined(() => joined);
  return { got, done };
}

test('IOPub messages go out in the order the main thread sent them', async () => {
  const { got, done } = await collectUntil('m-499');
  for (let i = 0; i < 500; i++) sockets.send('iopub', [Buffer.from(`m-${i}`)]);
  await done;
  expect(got).toEqual(Array.from({ length: 500 }, (_, i) => `m-${i}`));
});

test('deferred messages keep their place, and the last one goes out with nothing after it', async () => {
  // Replies are sent with `defer` (they wait for the idle that follows); the order across
  // deferred and ordinary sends is the order of the calls, and the backstop sends a deferred
  // message that nothing follows within one turn of the event loop.
  const { got, done } = await collectUntil('last');
  const expected: string[] = [];
  for (let i = 0; i < 60; i++) {
    const text = `m-${i}`;
    expected.push(text);
    sockets.send('iopub', [Buffer.from(text)], { defer: i % 3 !== 2 });
  }
  expected.push('last');
  sockets.send('iopub', [Buffer.from('last')], { defer: true });
  await done;
  expect(got).toEqual(expected);
});

test('IOPub reaches the wire while the main thread is blocked in Atomics.wait', async () => {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  // A subscriber on its own thread: it bumps cell 0 on 'join', and cell 1 (+ notify) on 'live'.
  const subscriber = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const { Subscriber } = require('zeromq');
     const state = workerData.state;
     const sub = new Subscriber({ linger: 0 });
     // Closing its socket itself lets the thread end cleanly (terminate() under zeromq aborts).
     parentPort.once('message', () => { if (!sub.closed) sub.close(); parentPort.close(); });
     (async () => {
       sub.connect(workerData.url);
       sub.subscribe();
       for await (const [frame] of sub) {
         const text = String(frame);
         if (text === 'join') Atomics.store(state, 0, 1);
         if (text === 'live') { Atomics.store(state, 1, 1); Atomics.notify(state, 1); }
       }
     })().catch(() => {});`,
    { eval: true, workerData: { url: endpoint(info, 'iopub'), state: shared } },
  );
  try {
    await publishUntilJoined(() => Atomics.load(shared, 0) === 1);
    // Two messages: zeromq may hand an idle socket the first one synchronously, inside send();
    // the second needs the sending thread's loop (the first send's promise) to run.
    sockets.send('iopub', [Buffer.from('first')]);
    sockets.send('iopub', [Buffer.from('live')]);
    // Block this thread right away, as runWorkflowSync does: nothing on its loop can run now.
    const outcome = Atomics.wait(shared, 1, 0, 20_000);
    expect(outcome === 'ok' || Atomics.load(shared, 1) === 1).toBe(true);
  } finally {
    const exited = new Promise((r) => subscriber.once('exit', r));
    subscriber.postMessage('stop');
    await exited;
  }
});
