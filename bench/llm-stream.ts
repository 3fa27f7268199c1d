/**
 * LLM streaming overhead: 50 text chunks from the fake OpenAI-compatible server on 127.0.0.1.
 * Baseline = raw fetch reading the SSE body as text (transport only, no parsing), measured in the
 * same run; then our adapter streaming (SSE parse + delta assembly + onToken), and the plain JSON
 * answer. Also the pure SseParser cost per event. p50 over many runs after a warm-up.
 * Run after `npx tsc`:   node dist/bench/llm-stream.js
 */
import { OpenAiCompatibleAdapter } from '../runtime/llm/openai-compatible.js';
import { SseParser } from '../runtime/llm/sse.js';
import { openAiWire } from '../tests/helpers/fake-openai-server.js';
import { FakeLlmServer, split, type FakeTurn } from '../tests/helpers/fake-llm-server.js';

const RUNS = 300;
const WARMUP = 30;
const text = Array.from({ length: 50 }, (_, i) => `tok${i}`).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function time(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

const turns = (): FakeTurn[] => Array.from({ length: RUNS + WARMUP }, () => ({ text }));
const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

const server = await new FakeLlmServer(openAiWire, []).start();
try {
  server.enqueue(...turns());
  const raw = await time(async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...request, stream: true }),
    });
    await res.text();
  });
  const adapter = new OpenAiCompatibleAdapter({ provider: 'bench', baseUrl: `${server.url}/v1` });
  server.enqueue(...turns());
  let tokens = 0;
  const streamed = await time(() => adapter.complete(request, { onToken: () => void tokens++ }));
  server.enqueue(...turns());
  const plain = await time(() => adapter.complete(request));

  const events = openAiWire.events({ text }, 'm', split(text));
  const payload = events.map((e) => `data: ${e.data}\n\n`).join('');
  const parseRuns = 2000;
  const t = performance.now();
  for (let i = 0; i < parseRuns; i++) new SseParser().push(payload);
  const perEventUs = ((performance.now() - t) / parseRuns / events.length) * 1000;

  console.log(`LLM streaming, 50 chunks over loopback (p50 of ${RUNS})`);
  console.log(`  raw fetch, body read as text (baseline): ${raw.toFixed(3)} ms`);
  console.log(
    `  adapter streaming (SSE parse + assemble): ${streamed.toFixed(3)} ms  (${(streamed / raw).toFixed(2)}x baseline)`,
  );
  console.log(
    `  adapter plain JSON answer:                ${plain.toFixed(3)} ms  (${(plain / raw).toFixed(2)}x baseline)`,
  );
  console.log(
    `  SseParser alone: ${perEventUs.toFixed(2)} µs per event (${events.length} events per answer)`,
  );
} finally {
  await server.stop();
}
