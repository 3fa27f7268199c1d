/**
 * Worker thread entry serving the heartbeat, the control socket and the IOPub socket. The main
 * thread cannot read the control socket while a cell runs `while (true) {}`, so this worker answers
 * `interrupt_request` itself: it raises SIGINT in the process (which vm `breakOnSigint` turns into
 * an exception in the cell, and the main thread's SIGINT handler into an abort of awaited work),
 * then replies. Every other verified control message is forwarded to the main thread, which sends
 * its replies back through this worker (the socket belongs to this thread).
 *
 * IOPub lives here too, for the same reason: a cell blocked in `runWorkflowSync` (Atomics.wait)
 * keeps the main thread's event loop from ever running zeromq's send, so live progress queued
 * there would only leave when the cell ends. `postMessage` from the main thread is a synchronous
 * enqueue this thread drains on its own loop, so every published message reaches the wire while
 * the main thread is blocked. One port and one SendQueue keep the main thread's publish order
 * (and so `idle` strictly after everything its request produced).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Publisher, Router } from 'zeromq';
import { decode, encode, Signer } from '../protocol/wire.js';
import { Session } from '../protocol/session.js';
import { isUnknown } from '../protocol/messages.js';
import { serveHeartbeat } from './heartbeat.js';
import { SendQueue } from './send-queue.js';
import type { ControlPlaneConfig, MainToWorker, WorkerToMain } from './control-plane-messages.js';
import { toBuffers } from './control-plane-messages.js';

if (!parentPort) throw new Error('control-plane-worker must run in a worker thread');
const port = parentPort;
const config = workerData as ControlPlaneConfig;
const post = (m: WorkerToMain): void => port.postMessage(m);
const log = (text: string): void => post({ type: 'log', text });

async function main(): Promise<void> {
  const signer = new Signer(config.key, config.signatureScheme);
  const session = new Session({ id: config.sessionId });
  const heartbeat = await serveHeartbeat(config.heartbeatUrl);
  const control = new Router({ linger: 0 });
  // A generous high-water mark: IOPub drops messages for slow subscribers once it is reached.
  const iopub = new Publisher({ linger: 0, sendHighWaterMark: 100_000 });
  await Promise.all([control.bind(config.controlUrl), iopub.bind(config.iopubUrl)]);
  const queue = new SendQueue(control, (e) => log(`control send failed: ${String(e)}`));
  const iopubQueue = new SendQueue(iopub, (e) => log(`iopub send failed: ${String(e)}`));

  // Messages posted before this listener existed (the `starting` status) wait in the port.
  port.on('message', (m: MainToWorker) => {
    switch (m.type) {
      case 'send':
        return queue.push(toBuffers(m.frames));
      case 'publish':
        return iopubQueue.push(toBuffers(m.frames));
      case 'sync': {
        const { seq } = m;
        return void iopubQueue.flushed().then(() => post({ type: 'synced', seq }));
      }
      case 'close':
        void Promise.all([queue.flushed(), iopubQueue.flushed()]).then(() => {
          control.close();
          iopub.close();
          heartbeat.close();
          port.close();
        });
    }
  });
  post({ type: 'ready' });

  for await (const frames of control) {
    const decoded = decode(frames, signer);
    if (!decoded.ok) {
      log(`control: dropped message (${decoded.reason}: ${decoded.detail})`);
      continue;
    }
    const msg = decoded.message;
    if (!isUnknown(msg) && msg.header.msg_type === 'interrupt_request') {
      process.kill(process.pid, 'SIGINT');
      queue.push(encode(session.reply(msg, 'interrupt_reply', { status: 'ok' }), signer));
      post({ type: 'interrupted', frames });
      continue;
    }
    post({ type: 'control', frames });
  }
}

main().catch((e: unknown) =>
  post({ type: 'fatal', text: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
);
