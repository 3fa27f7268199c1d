/**
 * The kernel's five channels, as the main thread sees them. The sockets themselves live in the
 * socket worker (socket-worker.ts); this side posts encoded frames to it and gets incoming
 * messages back, so the main thread never loads zeromq. `close()` flushes what was sent, closes
 * the sockets and ends the worker.
 */
import { Worker } from 'node:worker_threads';
import { endpoint, type ConnectionInfo } from '../protocol/connection.js';
import {
  packFrames,
  unpackFrames,
  type InChannel,
  type MainToWorker,
  type OutChannel,
  type SocketWorkerConfig,
  type WorkerToMain,
} from './socket-worker-messages.js';

export interface SocketHandlers {
  /** A raw multipart message arrived on shell, control or stdin. Must not throw. */
  onFrames(channel: InChannel, frames: Buffer[]): void;
  /** The socket worker answered an interrupt_request itself. */
  onInterrupted(frames: Buffer[]): void;
  log(text: string): void;
}

/** How long close() lets the worker flush and close its sockets before terminating it. */
const CLOSE_GRACE_MS = 500;

export class KernelSockets {
  private worker: Worker | undefined;
  private closed = false;
  private syncSeq = 0;
  private held: { channel: OutChannel; frames: Buffer[] }[] = [];
  private backstop: NodeJS.Immediate | undefined;
  private readonly syncWaiters = new Map<number, () => void>();

  constructor(
    private readonly info: ConnectionInfo,
    private readonly sessionId: string,
    private readonly handlers: SocketHandlers,
  ) {}

  /** Starts the socket worker; resolves once every socket is bound. */
  start(): Promise<void> {
    const channels = ['shell', 'control', 'stdin', 'iopub', 'hb'] as const;
    const config: SocketWorkerConfig = {
      urls: Object.fromEntries(channels.map((c) => [c, endpoint(this.info, c)])) as Record<
        (typeof channels)[number],
        string
      >,
      key: this.info.key,
      signatureScheme: this.info.signature_scheme,
      sessionId: this.sessionId,
    };
    const worker = new Worker(new URL('./socket-worker.js', import.meta.url), {
      workerData: config,
      // Its logs go through messages, not the (possibly patched) process streams.
      stdout: true,
      stderr: true,
    });
    worker.unref();
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerToMain) => {
        switch (m.type) {
          case 'ready':
            return resolve();
          case 'frames':
            return this.handlers.onFrames(m.channel, unpackFrames(m.frames)[0]!);
          case 'interrupted':
            return this.handlers.onInterrupted(unpackFrames(m.frames)[0]!);
          case 'synced':
            return this.synced(m.seq);
          case 'log':
            return this.handlers.log(`[sockets] ${m.text}`);
          case 'fatal':
            this.synced(Infinity); // nothing will be flushed any more: never wait forever
            reject(new Error(`socket worker failed: ${m.text}`));
            return this.handlers.log(`[sockets] failed: ${m.text}`);
        }
      });
      worker.on('error', (e) => {
        reject(e);
        this.handlers.log(`[sockets] crashed: ${String(e)}`);
      });
      worker.on('exit', () => this.synced(Infinity));
    });
  }

  /**
   * Queues `frames` for `channel`. postMessage is a synchronous enqueue, so the worker sends even
   * while this thread is blocked; one port keeps the order across channels.
   *
   * `defer` (replies and results, which `idle` follows a few microtasks later) holds the message
   * back until the next send that is not deferred, so a request's last messages cross to the
   * worker in one post: every post wakes the worker thread, and on a busy 2-core machine each wake
   * cost the main thread tens of microseconds. A held message never waits for more than one turn
   * of the event loop (the backstop), and output of a running cell is never held.
   */
  send(channel: OutChannel, frames: Buffer[], options?: { defer?: boolean }): void {
    if (this.closed) return;
    this.held.push({ channel, frames });
    if (!options?.defer) this.postHeld();
    else this.backstop ??= setImmediate(() => this.postHeld());
  }

  private postHeld(): void {
    if (this.backstop) clearImmediate(this.backstop);
    this.backstop = undefined;
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    const packed = packFrames(held.map((m) => m.frames));
    const message: MainToWorker = {
      type: 'send',
      channels: held.map((m) => m.channel),
      frames: packed,
    };
    this.postToWorker(message, [packed.bytes.buffer]);
  }

  /** Resolves once everything sent so far has been handed to zeromq (or the worker is gone). */
  flush(): Promise<void> {
    this.postHeld();
    if (!this.worker) return Promise.resolve();
    const seq = ++this.syncSeq;
    return new Promise<void>((resolve) => {
      this.syncWaiters.set(seq, resolve);
      this.postToWorker({ type: 'sync', seq });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    this.postToWorker({ type: 'close' });
    // The worker closes its sockets and its port, and so ends; terminate is the backstop.
    await Promise.race([
      new Promise((r) => worker.once('exit', r)),
      new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref()),
    ]);
    await worker.terminate();
  }

  private synced(seq: number): void {
    for (const [waiting, resolve] of this.syncWaiters) {
      if (waiting > seq) continue;
      this.syncWaiters.delete(waiting);
      resolve();
    }
  }

  private postToWorker(m: MainToWorker, transfer?: ArrayBuffer[]): void {
    this.worker?.postMessage(m, transfer);
  }
}
