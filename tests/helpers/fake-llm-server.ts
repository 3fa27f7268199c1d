/**
 * The shared core of the fake LLM servers (fake-openai/anthropic/gemini-server.ts): a real HTTP
 * server on 127.0.0.1 that answers from a queue of turns in the provider's real wire format,
 * streaming with SSE when the request asks for it, and records every request it got.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '../../runtime/json.js';

export interface FakeToolCall {
  name: string;
  arguments: JsonObject;
  id?: string;
}

export type FakeTurn =
  | { text?: string; toolCalls?: FakeToolCall[]; usage?: { input: number; output: number } }
  /** An HTTP error answer, optionally with headers (Retry-After). */
  | { status: number; body?: JsonObject; headers?: Record<string, string> }
  /** Streams `text` but stops after `chunks` SSE events and never ends the response. */
  | { stall: true; text: string; chunks: number };

export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: JsonObject;
}

export interface WireFormat {
  /** True when this request wants an SSE stream. */
  wantsStream(path: string, body: JsonObject): boolean;
  /** The JSON body of a non-streamed answer. */
  json(turn: TextTurn, model: string): JsonObject;
  /** The SSE events (event name or undefined, data) of a streamed answer, text split in `pieces`. */
  events(turn: TextTurn, model: string, pieces: string[]): { event?: string; data: string }[];
  /** The body of an error answer of `status` with `message`. */
  error(status: number, message: string): JsonObject;
}

export type TextTurn = Extract<FakeTurn, { text?: string; toolCalls?: FakeToolCall[] }> & {
  stall?: undefined;
  status?: undefined;
};

export class FakeLlmServer {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private readonly turns: FakeTurn[];
  /** Responses still open (stalled streams); closed on stop. */
  private readonly open = new Set<ServerResponse>();
  url = '';

  constructor(
    private readonly format: WireFormat,
    turns: FakeTurn[] = [],
  ) {
    this.turns = [...turns];
  }

  enqueue(...turns: FakeTurn[]): void {
    this.turns.push(...turns);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: JsonObject = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as JsonObject;
    } catch {
      // recorded as {}: the test sees a malformed request that way
    }
    const path = req.url ?? '/';
    this.requests.push({ path, headers: req.headers, body });
    const turn = this.turns.shift();
    const model = typeof body.model === 'string' ? body.model : 'fake-model';
    if (!turn) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.format.error(500, 'fake server: no turns left in its queue')));
      return;
    }
    if ('status' in turn && turn.status !== undefined) {
      res.writeHead(turn.status, { 'content-type': 'application/json', ...turn.headers });
      res.end(
        JSON.stringify(turn.body ?? this.format.error(turn.status, `fake error ${turn.status}`)),
      );
      return;
    }
    const stream = this.format.wantsStream(path, body);
    if ('stall' in turn && turn.stall) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      this.open.add(res);
      res.on('close', () => this.open.delete(res));
      const events = this.format.events({ text: turn.text }, model, split(turn.text));
      for (const e of events.slice(0, turn.chunks)) res.write(sse(e));
      return; // never ends: the client must abort
    }
    const textTurn = turn as TextTurn;
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.format.json(textTurn, model)));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const e of this.format.events(textTurn, model, split(textTurn.text ?? '')))
      res.write(sse(e));
    res.end();
  }
}

function sse(e: { event?: string; data: string }): string {
  return `${e.event ? `event: ${e.event}\n` : ''}data: ${e.data}\n\n`;
}

/** Splits text into word-sized pieces, like a model streaming tokens. */
export function split(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export function usageOf(turn: TextTurn): { input: number; output: number } {
  return turn.usage ?? { input: 12, output: 7 };
}
