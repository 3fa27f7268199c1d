/**
 * Messages between the main thread and the socket worker, which owns all five zeromq sockets.
 * A multipart message crosses as one packed, transferred buffer (PackedFrames), not as an array of
 * Buffers: small Buffers are views into Node's shared 8 KB pool, and structured clone copies each
 * view's whole backing store, which made a post of a 7-frame message about twice as expensive.
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
  | { type: 'frames'; channel: InChannel; frames: PackedFrames }
  /** The worker answered an interrupt_request and raised SIGINT; main publishes busy/idle. */
  | { type: 'interrupted'; frames: PackedFrames }
  /** Every message posted before the `sync` with this seq has been handed to zeromq. */
  | { type: 'synced'; seq: number }
  | { type: 'log'; text: string }
  | { type: 'fatal'; text: string };

export type MainToWorker =
  /** Messages to send, in the order the main thread posted them, whatever the channel. */
  | { type: 'send'; channels: OutChannel[]; frames: PackedFrames }
  /** Answer `synced` once everything posted before this has been handed to zeromq. */
  | { type: 'sync'; seq: number }
  /** Flush, close the sockets and end the worker. */
  | { type: 'close' };

/** The frames of one or more multipart messages, back to back in one buffer of their own. */
export interface PackedFrames {
  bytes: Uint8Array;
  /** Per message, the length of each frame. */
  lengths: number[][];
}

/** Copies the messages into one new buffer, to be posted with `bytes.buffer` transferred. */
export function packFrames(messages: readonly (readonly Uint8Array[])[]): PackedFrames {
  let total = 0;
  for (const frames of messages) for (const f of frames) total += f.byteLength;
  const bytes = new Uint8Array(total);
  let offset = 0;
  const lengths = messages.map((frames) =>
    frames.map((f) => {
      bytes.set(f, offset);
      offset += f.byteLength;
      return f.byteLength;
    }),
  );
  return { bytes, lengths };
}

/** Per message, Buffers viewing the packed frames (no copy). */
export function unpackFrames({ bytes, lengths }: PackedFrames): Buffer[][] {
  let offset = bytes.byteOffset;
  return lengths.map((message) =>
    message.map((length) => {
      const frame = Buffer.from(bytes.buffer, offset, length);
      offset += length;
      return frame;
    }),
  );
}
