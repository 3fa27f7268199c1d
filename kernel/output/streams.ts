/**
 * Captures process.stdout / process.stderr writes (console.* writes through them) and sends them
 * to the OutputSink of the cell whose async context is current. Output with no cell context (the
 * kernel itself, a library at start-up) goes to the kernel's log: the real stderr, since Jupyter
 * does not read a kernel's stdout and the protocol never uses it.
 */
import { StringDecoder } from 'node:string_decoder';
import { currentSink } from './sink.js';

type Write = typeof process.stdout.write;

export interface StreamCapture {
  /** Writes to the real stderr, bypassing the capture (for the kernel's own log). */
  log(text: string): void;
  restore(): void;
}

export function installStreamCapture(): StreamCapture {
  const realStdoutWrite: Write = process.stdout.write.bind(process.stdout);
  const realStderrWrite: Write = process.stderr.write.bind(process.stderr);
  const log = (text: string): void => {
    realStderrWrite(text);
  };

  const capture = (name: 'stdout' | 'stderr'): Write => {
    // One decoder per stream so a multi-byte character split across two writes stays whole.
    const decoder = new StringDecoder('utf8');
    return function write(
      this: unknown,
      chunk: unknown,
      encodingOrCb?: unknown,
      cb?: unknown,
    ): boolean {
      const callback = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
      const text =
        typeof chunk === 'string'
          ? chunk
          : chunk instanceof Uint8Array
            ? decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
            : String(chunk);
      const sink = currentSink();
      if (sink) sink.stream(name, text);
      else log(text);
      if (typeof callback === 'function') process.nextTick(callback as () => void);
      return true;
    } as Write;
  };

  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  return {
    log,
    restore() {
      process.stdout.write = realStdoutWrite;
      process.stderr.write = realStderrWrite;
    },
  };
}
