/**
 * The OutputSink of one execute_request. It publishes on IOPub parented to that request, for as
 * long as anything in the cell's async context prints (a timer firing after the cell finished
 * still lands here). Stream writes are coalesced into one `stream` message per burst so a loop of
 * console.log calls does not become thousands of messages; every other output first flushes the
 * pending text, so the order a cell produced things is the order the frontend sees.
 */
import type { ContentByType } from '../protocol/messages.js';
import { isBlocking, type DisplayOptions, type MimeBundle, type OutputSink } from './sink.js';

/** Publishes one IOPub message parented to the sink's request. */
export type ParentedPublish = <
  T extends 'stream' | 'display_data' | 'update_display_data' | 'clear_output',
>(
  type: T,
  content: ContentByType[T],
) => void;

export class StdinNotAllowedError extends Error {
  override name = 'StdinNotAllowedError';
  constructor() {
    super(
      'This frontend does not support input requests (the execute_request had allow_stdin=false)',
    );
  }
}

/** Above this many pending characters a stream burst is sent without waiting for the next tick. */
const MAX_PENDING_STREAM_CHARS = 64 * 1024;

export class ExecuteSink implements OutputSink {
  private pending: { name: 'stdout' | 'stderr'; text: string } | undefined;
  private flushScheduled = false;

  constructor(
    private readonly publish: ParentedPublish,
    private readonly options: {
      /** silent=true: the request asked for no output at all (messaging spec, execute_request). */
      silent: boolean;
      /** Undefined when the request had allow_stdin=false. */
      requestInput?: (prompt: string, password: boolean) => Promise<string>;
      /** The cell's abort signal (interrupt). */
      signal?: AbortSignal;
    },
  ) {}

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  stream(name: 'stdout' | 'stderr', text: string): void {
    if (this.options.silent || text === '') return;
    if (this.pending && this.pending.name !== name) this.flush();
    if (this.pending) this.pending.text += text;
    else this.pending = { name, text };
    // While the thread is blocked (runWorkflowSync) the tick that flushes would come too late.
    if (this.pending.text.length >= MAX_PENDING_STREAM_CHARS || isBlocking()) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  display(data: MimeBundle, options: DisplayOptions = {}): void {
    if (this.options.silent) return;
    this.flush();
    const transient = options.displayId === undefined ? {} : { display_id: options.displayId };
    const content = { data, metadata: options.metadata ?? {}, transient };
    if (options.update && options.displayId !== undefined)
      this.publish('update_display_data', content);
    else this.publish('display_data', content);
  }

  clearOutput(wait: boolean): void {
    if (this.options.silent) return;
    this.flush();
    this.publish('clear_output', { wait });
  }

  input(prompt: string, password: boolean): Promise<string> {
    if (!this.options.requestInput) return Promise.reject(new StdinNotAllowedError());
    // The prompt must appear after anything the cell printed before asking.
    this.flush();
    return this.options.requestInput(prompt, password);
  }

  /** Sends pending stream text now; the execute handler calls it before results and idle. */
  flush(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) this.publish('stream', { name: pending.name, text: pending.text });
  }
}
