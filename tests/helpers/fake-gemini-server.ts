/** A fake Gemini server (generateContent JSON, streamGenerateContent?alt=sse, functionCall parts), on 127.0.0.1. */
import { FakeLlmServer, usageOf, type FakeTurn, type WireFormat } from './fake-llm-server.js';

export const geminiWire: WireFormat = {
  wantsStream: (path) => path.includes(':streamGenerateContent') && path.includes('alt=sse'),
  json(turn) {
    const u = usageOf(turn);
    return {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              ...(turn.text ? [{ text: turn.text }] : []),
              ...(turn.toolCalls ?? []).map((c) => ({
                functionCall: { name: c.name, args: c.arguments },
              })),
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: u.input,
        candidatesTokenCount: u.output,
        totalTokenCount: u.input + u.output,
      },
      modelVersion: 'gemini-fake',
    };
  },
  events(turn, _model, pieces) {
    const u = usageOf(turn);
    const out: { data: string }[] = pieces.map((p) => ({
      data: JSON.stringify({
        candidates: [{ content: { role: 'model', parts: [{ text: p }] }, index: 0 }],
        modelVersion: 'gemini-fake',
      }),
    }));
    out.push({
      data: JSON.stringify({
        candidates: [
          {
            content: {
              role: 'model',
              parts: (turn.toolCalls ?? []).map((c) => ({
                functionCall: { name: c.name, args: c.arguments },
              })),
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount: u.input,
          candidatesTokenCount: u.output,
          totalTokenCount: u.input + u.output,
        },
        modelVersion: 'gemini-fake',
      }),
    });
    return out;
  },
  error: (status, message) => ({
    error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL' },
  }),
};

export function startFakeGeminiServer(turns: FakeTurn[] = []): Promise<FakeLlmServer> {
  return new FakeLlmServer(geminiWire, turns).start();
}
