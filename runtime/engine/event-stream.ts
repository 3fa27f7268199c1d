/**
 * RunEvents as an AsyncIterable. The executor pushes events through a callback; `EventStream`
 * buffers them so a consumer iterating with `for await` sees every event in order, however slowly
 * it reads, and the iteration ends when the run ends.
 */
import type { RunEvent } from './events.js';

export class EventStream implements AsyncIterable<RunEvent> {
  private readonly buffer: RunEvent[] = [];
  private waiting: ((result: IteratorResult<RunEvent>) => void) | null = null;
  private ended = false;

  /** Use as the run's `onEvent` listener. */
  readonly push = (event: RunEvent): void => {
    if (this.ended) return;
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = null;
      wake({ value: event, done: false });
    } else {
      this.buffer.push(event);
    }
  };

  /** No more events: pending and future `next()` calls finish once the buffer is drained. */
  end(): void {
    this.ended = true;
    if (this.waiting && this.buffer.length === 0) {
      const wake = this.waiting;
      this.waiting = null;
      wake({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    return {
      next: () => {
        const event = this.buffer.shift();
        if (event) return Promise.resolve({ value: event, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
      return: () => {
        // The consumer stopped early (break): drop what is buffered, keep the run going.
        this.ended = true;
        this.buffer.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
