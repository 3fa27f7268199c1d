/** A fake OpenAI-compatible Chat Completions server (JSON and SSE, tool calls), on 127.0.0.1. */
import { FakeLlmServer, usageOf, type FakeTurn, type WireFormat } from './fake-llm-server.js';

export const openAiWire: WireFormat = {
  wantsStream: (_path, body) => body.stream === true,
  json(turn, model) {
    const u = usageOf(turn);
    return {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: turn.text ?? null,
            ...(turn.toolCalls?.length
              ? {
                  tool_calls: turn.toolCalls.map((c, i) => ({
                    id: c.id ?? `call_${i}`,
                    type: 'function',
                    function: { name: c.name, arguments: JSON.stringify(c.arguments) },
                  })),
                }
              : {}),
          },
          finish_reason: turn.toolCalls?.length ? 'tool_calls' : 'stop',
        },
      ],
      usage: {
        prompt_tokens: u.input,
        completion_tokens: u.output,
        total_tokens: u.input + u.output,
      },
    };
  },
  events(turn, model, pieces) {
    const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', model };
    const out: { data: string }[] = [];
    const chunk = (delta: object, finish: string | null = null) =>
      out.push({
        data: JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] }),
      });
    chunk({ role: 'assistant', content: '' });
    for (const p of pieces) chunk({ content: p });
    (turn.toolCalls ?? []).forEach((c, index) => {
      const args = JSON.stringify(c.arguments);
      const half = Math.floor(args.length / 2);
      // Real servers split a call: id and name first, then the arguments string in pieces.
      chunk({
        tool_calls: [
          {
            index,
            id: c.id ?? `call_${index}`,
            type: 'function',
            function: { name: c.name, arguments: '' },
          },
        ],
      });
      chunk({ tool_calls: [{ index, function: { arguments: args.slice(0, half) } }] });
      chunk({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] });
    });
    chunk({}, turn.toolCalls?.length ? 'tool_calls' : 'stop');
    const u = usageOf(turn);
    out.push({
      data: JSON.stringify({
        ...base,
        choices: [],
        usage: {
          prompt_tokens: u.input,
          completion_tokens: u.output,
          total_tokens: u.input + u.output,
        },
      }),
    });
    out.push({ data: '[DONE]' });
    return out;
  },
  error: (status, message) => ({
    error: { message, type: status === 429 ? 'rate_limit_error' : 'server_error', code: null },
  }),
};

export function startFakeOpenAiServer(turns: FakeTurn[] = []): Promise<FakeLlmServer> {
  return new FakeLlmServer(openAiWire, turns).start();
}
