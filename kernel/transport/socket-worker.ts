/**
 * Worker thread entry that owns every zeromq socket of the kernel: heartbeat, shell, control,
 * stdin and IOPub. The main thread runs cells and never touches zeromq; it gets each incoming
 * message by `postMessage` and posts back the encoded frames to send.
 *
 * Why a thread of their own:
 * - The heartbeat and `interrupt_request` must be answered while a cell runs `while (true) {}`.
 *   This worker answers an interrupt itself: it raises SIGINT in the process (which vm
 *   `breakOnSigint` turns into an exception in a running cell; a SIGINT no cell claims reaches the
 *   main thread through the SIGINT watchdog worker and aborts awaited work), then replies.
 * - Output must reach the wire while the main thread is blocked (a cell in `runWorkflowSync` waits
 *   in Atomics.wait, so the main loop could never run zeromq's send). `postMessage` is a
 *   synchronous enqueue that this thread drains on its own loop.
 * - Order and latency: every send goes through one queue here, in the order the main thread
 *   posted, so a reply follows the outputs published before it with no cross-thread handshake
 *   (an earlier layout kept shell on the main thread and had to ask this worker "is IOPub out
 *   yet?" before every reply, a round trip per execute).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Publisher, Router } from 'zeromq';
import { decode, encode, Signer } from '../protocol/wire.js';
import { Session } from '../protocol/session.js';
import { isUnknown } from '../protocol/messages.js';
import { serveHeartbeat } from './heartbeat.js';
import { SendQueue, type FrameSender } from './send-queue.js';
import type {
  InChannel,
  MainToWorker,
  OutChannel,
  SocketWorkerConfig,
  WorkerToMain,
} from './socket-worker-messages.js';
import { packFrames, unpackFrames } from './socket-worker-messages.js';

if (!parentPort) throw new Error('socket-worker must run in a worker thread');
const port = parentPort;
const config = workerData as SocketWorkerConfig;
const post = (m: WorkerToMain): void => port.postMessage(m);
/** Posts a message carrying frames, handing its packed buffer over instead of copying it. */
const postFrames = (m: Extract<WorkerToMain, { frames: unknown }>): void =>
  port.postMessage(m, [m.frames.bytes.buffer]);
const log = (text: string): void => post({ type: 'log', text });

async function main(): Promise<void> {
  const signer = new Signer(config.key, config.signatureScheme);
  const session = new Session({ id: config.sessionId });
  const heartbeat = await serveHeartbeat(config.urls.hb);
  const routers: Record<InChannel, Router> = {
    shell: new Router({ linger: 0 }),
    control: new Router({ linger: 0 }),
    stdin: new Router({ linger: 0 }),
  };
  // A generous high-water mark: IOPub drops messages for slow subscribers once it is reached.
  const iopub = new Publisher({ linger: 0, sendHighWaterMark: 100_000 });
  const sockets: Record<OutChannel, Router | Publisher> = { ...routers, iopub };
  const channelOf = new Map<FrameSender, OutChannel>(
    Object.entries(sockets).map(([channel, socket]) => [socket, channel as OutChannel]),
  );
  await Promise.all(
    (Object.keys(sockets) as OutChannel[]).map((c) => sockets[c].bind(config.urls[c])),
  );
  const queue = new SendQueue((e, socket) =>
    log(`${channelOf.get(socket) ?? '?'} send failed: ${String(e)}`),
  );

  // Messages posted before this listener existed (the `starting` status) wait in the port.
  port.on('message', (m: MainToWorker): void => {
    switch (m.type) {
      case 'send': {
        const messages = unpackFrames(m.frames);
        m.channels.forEach((channel, i) => queue.push(sockets[channel], messages[i]!));
        return;
      }
      case 'sync': {
        const { seq } = m;
        void queue.flushed().then(() => post({ type: 'synced', seq }));
        return;
      }
      case 'close':
        void queue.flushed().then(() => {
          for (const socket of Object.values(sockets)) socket.close();
          heartbeat.close();
          port.close();
        });
    }
  });
  post({ type: 'ready' });

  const read = async (channel: InChannel): Promise<void> => {
    for await (const frames of routers[channel]) {
      if (channel === 'control' && answerInterrupt(frames)) continue;
      postFrames({ type: 'frames', channel, frames: packFrames([frames]) });
    }
  };
  /** An interrupt_request is answered here, even while the main thread is stuck in a cell. */
  const answerInterrupt = (frames: Buffer[]): boolean => {
    const decoded = decode(frames, signer);
    if (!decoded.ok) {
      log(`control: dropped message (${decoded.reason}: ${decoded.detail})`);
      return true;
    }
    const msg = decoded.message;
    if (isUnknown(msg) || msg.header.msg_type !== 'interrupt_request') return false;
    process.kill(process.pid, 'SIGINT');
    queue.push(
      routers.control,
      encode(session.reply(msg, 'interrupt_reply', { status: 'ok' }), signer),
    );
    postFrames({ type: 'interrupted', frames: packFrames([frames]) });
    return true;
  };
  // A reader ends with an error only when its socket is closed at shutdown.
  await Promise.all((Object.keys(routers) as InChannel[]).map((c) => read(c).catch(() => {})));
}

main().catch((e: unknown) =>
  post({ type: 'fatal', text: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
);
