/** A fake Anthropic Messages server (JSON and SSE events, tool_use blocks), on 127.0.0.1. */
import { FakeLlmServer, usageOf, type FakeTurn, type WireFormat } from './fake-llm-server.js';

export const anthropicWire: WireFormat = {
  wantsStream: (_path, body) => body.stream === true,
  json(turn, model) {
    const u = usageOf(turn);
    return {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model,
      content: [
        ...(turn.text ? [{ type: 'text', text: turn.text }] : []),
        ...(turn.toolCalls ?? []).map((c, i) => ({
          type: 'tool_use',
          id: c.id ?? `toolu_${i}`,
          name: c.name,
          input: c.arguments,
        })),
      ],
      stop_reason: turn.toolCalls?.length ? 'tool_use' : 'end_turn',
      usage: { input_tokens: u.input, output_tokens: u.output },
    };
  },
  events(turn, model, pieces) {
    const u = usageOf(turn);
    const out: { event: string; data: string }[] = [];
    const ev = (event: string, data: object) =>
      out.push({ event, data: JSON.stringify({ type: event, ...data }) });
    ev('message_start', {
      message: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        usage: { input_tokens: u.input, output_tokens: 1 },
      },
    });
    let index = 0;
    if (pieces.length > 0) {
      ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
      ev('ping', {});
      for (const p of pieces)
        ev('content_block_delta', { index, delta: { type: 'text_delta', text: p } });
      ev('content_block_stop', { index });
      index++;
    }
    for (const [i, c] of (turn.toolCalls ?? []).entries()) {
      ev('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: c.id ?? `toolu_${i}`, name: c.name, input: {} },
      });
      const args = JSON.stringify(c.arguments);
      const half = Math.floor(args.length / 2);
      ev('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: args.slice(0, half) },
      });
      ev('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: args.slice(half) },
      });
      ev('content_block_stop', { index });
      index++;
    }
    ev('message_delta', {
      delta: { stop_reason: turn.toolCalls?.length ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: u.output },
    });
    ev('message_stop', {});
    return out;
  },
  error: (status, message) => ({
    type: 'error',
    error: {
      type: status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : 'api_error',
      message,
    },
  }),
};

export function startFakeAnthropicServer(turns: FakeTurn[] = []): Promise<FakeLlmServer> {
  return new FakeLlmServer(anthropicWire, turns).start();
}
