/**
 * Server-sent events, per the WHATWG HTML spec §9.2 "event stream interpretation": a pure,
 * incremental parser (feed it text chunks as they arrive, get complete events out) plus a reader
 * that decodes a fetch body with it. All three providers stream this way.
 */
export interface SseEvent {
  /** `event:` field; `message` when absent (spec default). */
  event: string;
  /** `data:` lines joined with `\n`. */
  data: string;
  id?: string;
  retry?: number;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private retry: number | undefined;

  /** Feeds decoded text; returns every event completed by it (a blank line ends an event). */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone `\r` at the very end may be the first half of `\r\n`: wait for more input.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) out.push(event);
    }
    return out;
  }

  /** End of stream: an unterminated final event is discarded, as the spec says. */
  end(): SseEvent[] {
    this.buffer = '';
    this.reset();
    return [];
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      // Spec: an event with no `data:` line is not dispatched (its `event:` is dropped too).
      if (this.data.length === 0) {
        this.reset();
        return undefined;
      }
      const event: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
      if (this.id !== undefined) event.id = this.id;
      if (this.retry !== undefined) event.retry = this.retry;
      this.reset();
      return event;
    }
    if (line.startsWith(':')) return undefined; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored (spec)
    }
    return undefined;
  }

  private reset(): void {
    this.data = [];
    this.event = '';
    this.retry = undefined;
  }
}

/** Reads a fetch body as SSE events. Aborting the request's signal ends the iteration with its error. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) yield event;
    }
    for (const event of parser.push(decoder.decode() + '\n')) yield event;
  } finally {
    reader.releaseLock();
  }
}
