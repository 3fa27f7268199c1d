/**
 * Messages between the main thread and the control-plane worker (heartbeat, control and IOPub
 * sockets). Frames travel as Uint8Arrays (structured clone turns Buffers into Uint8Arrays).
 */
export interface ControlPlaneConfig {
  heartbeatUrl: string;
  controlUrl: string;
  iopubUrl: string;
  key: string;
  signatureScheme: string;
  sessionId: string;
}

export type WorkerToMain =
  | { type: 'ready' }
  /** A verified control message the worker does not answer itself (shutdown, kernel_info…). */
  | { type: 'control'; frames: Uint8Array[] }
  /** The worker answered an interrupt_request and raised SIGINT; main publishes busy/idle. */
  | { type: 'interrupted'; frames: Uint8Array[] }
  /** Every IOPub message posted before the `sync` with this seq has been handed to zeromq. */
  | { type: 'synced'; seq: number }
  | { type: 'log'; text: string }
  | { type: 'fatal'; text: string };

export type MainToWorker =
  /** A reply to send on the control socket. */
  | { type: 'send'; frames: Uint8Array[] }
  /** A message to publish on IOPub, in the order the main thread posted them. */
  | { type: 'publish'; frames: Uint8Array[] }
  /** Answer `synced` once every IOPub message posted before this one has been handed to zeromq. */
  | { type: 'sync'; seq: number }
  /** Flush both queues, close the sockets and end the worker. */
  | { type: 'close' };

export const toBuffers = (frames: readonly Uint8Array[]): Buffer[] =>
  frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));
