/**
 * An ordered send queue for one zeromq socket (zeromq.js examples/queue pattern). zeromq.js allows
 * one `send` in flight per socket, and handlers must never wait on the network, so senders push
 * and return; one drain loop awaits the socket. Order is preserved, which is what makes
 * "idle strictly after every output of the request" hold.
 */
export interface FrameSender {
  send(frames: Buffer[]): Promise<void>;
}

export class SendQueue {
  private readonly pending: Buffer[][] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly socket: FrameSender,
    private readonly onError: (error: unknown) => void,
  ) {}

  push(frames: Buffer[]): void {
    this.pending.push(frames);
    this.draining ??= this.drain();
  }

  /** Resolves once everything pushed so far has been handed to zeromq. */
  async flushed(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      for (let frames = this.pending.shift(); frames; frames = this.pending.shift()) {
        try {
          await this.socket.send(frames);
        } catch (error) {
          // A closed socket or an unroutable peer must not stop later messages.
          this.onError(error);
        }
      }
    } finally {
      this.draining = undefined;
    }
  }
}
