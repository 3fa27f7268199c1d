/**
 * Messages between the main thread and the socket worker, which owns all five zeromq sockets.
 * Frames travel as Uint8Arrays (structured clone turns Buffers into Uint8Arrays).
 */
export type InChannel = 'shell' | 'control' | 'stdin';
export type OutChannel = InChannel | 'iopub';

export interface SocketWorkerConfig {
  urls: Record<OutChannel | 'hb', string>;
  key: string;
  signatureScheme: string;
  sessionId: string;
}

export type WorkerToMain =
  /** Every socket is bound. */
  | { type: 'ready' }
  /** A message read from shell, stdin or control (verified by the main thread, not here). */
  | { type: 'frames'; channel: InChannel; frames: Uint8Array[] }
  /** The worker answered an interrupt_request and raised SIGINT; main publishes busy/idle. */
  | { type: 'interrupted'; frames: Uint8Array[] }
  /** Every message posted before the `sync` with this seq has been handed to zeromq. */
  | { type: 'synced'; seq: number }
  | { type: 'log'; text: string }
  | { type: 'fatal'; text: string };

export type MainToWorker =
  /** A message to send, in the order the main thread posted them, whatever the channel. */
  | { type: 'send'; channel: OutChannel; frames: Uint8Array[] }
  /** Answer `synced` once everything posted before this has been handed to zeromq. */
  | { type: 'sync'; seq: number }
  /** Flush, close the sockets and end the worker. */
  | { type: 'close' };

export const toBuffers = (frames: readonly Uint8Array[]): Buffer[] =>
  frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));
