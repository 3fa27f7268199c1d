/**
 * The kernel's five channels. Shell and stdin (ROUTER) live on the main thread, each with one
 * `for await` reader and one ordered send queue; heartbeat, control and IOPub (PUB) live in the
 * control-plane worker (see control-plane-worker.ts): IOPub there so output published while the
 * main thread is blocked (a cell in `runWorkflowSync`) still reaches the wire at once.
 * `close()` ends every loop.
 */
import { Worker } from 'node:worker_threads';
import { Router } from 'zeromq';
import { endpoint, type ConnectionInfo } from '../protocol/connection.js';
import { SendQueue } from './send-queue.js';
import {
  toBuffers,
  type ControlPlaneConfig,
  type MainToWorker,
  type WorkerToMain,
} from './control-plane-messages.js';

export type RouterChannel = 'shell' | 'control' | 'stdin';

export interface SocketHandlers {
  /** A raw multipart message arrived on shell, control or stdin. Must not throw. */
  onFrames(channel: RouterChannel, frames: Buffer[]): void;
  /** The control-plane worker answered an interrupt_request itself. */
  onInterrupted(frames: Buffer[]): void;
  log(text: string): void;
}

export class KernelSockets {
  private readonly shell = new Router({ linger: 0 });
  private readonly stdin = new Router({ linger: 0 });
  private readonly queues: Record<'shell' | 'stdin', SendQueue>;
  private worker: Worker | undefined;
  private closed = false;
  /**
   * Cross-channel order. IOPub leaves from the worker, shell and stdin from this thread, so a
   * reply could overtake the outputs published before it, and clients read a reply as "the
   * outputs are in" (jupyter console prints late IOPub asynchronously, which breaks its prompt).
   * So a shell/stdin message waits until the worker confirms that every IOPub message published
   * before it was handed to zeromq: `published` counts IOPub posts, `confirmed` is the worker's
   * last `synced`, and `held` keeps the waiting messages in order.
   */
  private published = 0;
  private confirmed = 0;
  private syncAsked = 0;
  private readonly held: { after: number; channel: 'shell' | 'stdin'; frames: Buffer[] }[] = [];
  private readonly heldDrained: (() => void)[] = [];

  constructor(
    private readonly info: ConnectionInfo,
    private readonly sessionId: string,
    private readonly handlers: SocketHandlers,
  ) {
    const onError = (channel: string) => (e: unknown) =>
      handlers.log(`${channel} send failed: ${String(e)}`);
    this.queues = {
      shell: new SendQueue(this.shell, onError('shell')),
      stdin: new SendQueue(this.stdin, onError('stdin')),
    };
  }

  /** Binds every channel and starts the readers; resolves once the main-thread sockets are bound. */
  async start(): Promise<void> {
    this.startControlPlane();
    await Promise.all([
      this.shell.bind(endpoint(this.info, 'shell')),
      this.stdin.bind(endpoint(this.info, 'stdin')),
    ]);
    this.read('shell', this.shell);
    this.read('stdin', this.stdin);
  }

  send(channel: RouterChannel | 'iopub', frames: Buffer[]): void {
    if (this.closed) return;
    // postMessage is a synchronous enqueue: the worker sends even while this thread is blocked.
    // Control replies share the worker's port with IOPub, so they keep their order by themselves.
    if (channel === 'control') this.postToWorker({ type: 'send', frames });
    else if (channel === 'iopub') {
      this.published += 1;
      this.postToWorker({ type: 'publish', frames });
    } else if (this.held.length === 0 && this.confirmed >= this.published) {
      this.queues[channel].push(frames);
    } else {
      this.held.push({ after: this.published, channel, frames });
      if (this.syncAsked < this.published) {
        this.syncAsked = this.published;
        this.postToWorker({ type: 'sync', seq: this.published });
      }
    }
  }

  /** The worker handed IOPub up to `seq` to zeromq (or is gone): release what waited for it. */
  private synced(seq: number): void {
    this.confirmed = Math.max(this.confirmed, seq);
    while (this.held[0] && this.held[0].after <= this.confirmed) {
      const { channel, frames } = this.held.shift()!;
      this.queues[channel].push(frames);
    }
    if (this.held.length === 0) for (const done of this.heldDrained.splice(0)) done();
  }

  /**
   * Waits until the main thread's queued messages are handed to zeromq (used before exiting);
   * the worker flushes control and IOPub itself when `close()` asks it to.
   */
  async flush(): Promise<void> {
    if (this.held.length > 0) await new Promise<void>((r) => this.heldDrained.push(r));
    await Promise.all(Object.values(this.queues).map((q) => q.flushed()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.postToWorker({ type: 'close' });
    this.shell.close();
    this.stdin.close();
    const worker = this.worker;
    if (worker) {
      // The worker closes its sockets and its port; terminate is the backstop.
      await Promise.race([
        new Promise((r) => worker.once('exit', r)),
        new Promise((r) => setTimeout(r, 500).unref()),
      ]);
      await worker.terminate();
    }
  }

  private read(channel: RouterChannel, socket: Router): void {
    void (async () => {
      for await (const frames of socket) this.handlers.onFrames(channel, frames);
    })().catch((e: unknown) => {
      if (!this.closed) this.handlers.log(`${channel} reader stopped: ${String(e)}`);
    });
  }

  private startControlPlane(): void {
    const config: ControlPlaneConfig = {
      heartbeatUrl: endpoint(this.info, 'hb'),
      controlUrl: endpoint(this.info, 'control'),
      iopubUrl: endpoint(this.info, 'iopub'),
      key: this.info.key,
      signatureScheme: this.info.signature_scheme,
      sessionId: this.sessionId,
    };
    const worker = new Worker(new URL('./control-plane-worker.js', import.meta.url), {
      workerData: config,
      // Its logs go through messages, not the (possibly patched) process streams.
      stdout: true,
      stderr: true,
    });
    worker.unref();
    worker.on('message', (m: WorkerToMain) => {
      switch (m.type) {
        case 'ready':
          return;
        case 'synced':
          return this.synced(m.seq);
        case 'control':
          return this.handlers.onFrames('control', toBuffers(m.frames));
        case 'interrupted':
          return this.handlers.onInterrupted(toBuffers(m.frames));
        case 'log':
          return this.handlers.log(`[control-plane] ${m.text}`);
        case 'fatal':
          this.synced(Infinity); // no IOPub to wait for any more: never hold replies forever
          return this.handlers.log(`[control-plane] failed: ${m.text}`);
      }
    });
    worker.on('error', (e) => this.handlers.log(`[control-plane] crashed: ${String(e)}`));
    worker.on('exit', () => this.synced(Infinity));
    this.worker = worker;
  }

  private postToWorker(m: MainToWorker): void {
    this.worker?.postMessage(m);
  }
}
