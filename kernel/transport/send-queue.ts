/**
 * One ordered send queue for several zeromq sockets (zeromq.js examples/queue pattern). zeromq.js
 * allows one `send` in flight per socket, and handlers must never wait on the network, so senders
 * push and return; one drain loop awaits each send in turn. Because every socket of the kernel
 * goes through the same queue, messages reach zeromq in exactly the order they were pushed across
 * channels: an execute_reply never overtakes the outputs published before it, and `idle` follows
 * everything its request produced.
 */
export interface FrameSender {
  send(frames: Buffer[]): Promise<void>;
}

export class SendQueue {
  private readonly pending: { socket: FrameSender; frames: Buffer[] }[] = [];
  private draining: Promise<void> | undefined;

  constructor(private readonly onError: (error: unknown, socket: FrameSender) => void) {}

  push(socket: FrameSender, frames: Buffer[]): void {
    this.pending.push({ socket, frames });
    this.draining ??= this.drain();
  }

  /** Resolves once everything pushed so far has been handed to zeromq. */
  async flushed(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      for (let item = this.pending.shift(); item; item = this.pending.shift()) {
        try {
          await item.socket.send(item.frames);
        } catch (error) {
          // A closed socket or an unroutable peer must not stop later messages.
          this.onError(error, item.socket);
        }
      }
    } finally {
      this.draining = undefined;
    }
  }
}
