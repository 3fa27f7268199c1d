/** Worker side of the agent workflow tests (see agent-run-protocol.ts). */
import { parentPort } from 'node:worker_threads';
import {
  loadRuntimeConfig,
  runWorkflow,
  serializeError,
  SqliteRunStore,
  type RunEvent,
} from '../../../runtime/index.js';
import { repoRoot } from '../../helpers/paths.js';
import type { AgentRunReply, AgentRunRequest } from './agent-run-protocol.js';

async function handle(request: AgentRunRequest): Promise<AgentRunReply> {
  const events: RunEvent[] = [];
  const controller = new AbortController();
  const config = loadRuntimeConfig(repoRoot, { env: {} });
  config.defaultModel = request.defaultModel;
  if (request.fake)
    config.llm.providers.fake = {
      baseUrl: request.fake.baseUrl,
      apiKeyEnv: 'FAKE_KEY',
      models: {},
      extra: { type: request.fake.type },
    };
  config.llm.limits = { ...config.llm.limits, ...request.limits };
  const store = request.sqlite
    ? new SqliteRunStore(request.sqlite.path, { redact: request.sqlite.redact })
    : undefined;
  try {
    const result = await runWorkflow(request.file, {
      projectDir: repoRoot,
      config,
      inputs: request.inputs ?? {},
      signal: controller.signal,
      llm: { env: request.env ?? {}, http: { retryBaseMs: 1, timeoutMs: 10_000 } },
      ...(store && { store }),
      onEvent: (e) => {
        events.push(e);
        if (request.abortOnToken && e.type === 'llm_token') controller.abort();
      },
    });
    const recorded = store
      ? JSON.stringify([
          await store.getRun(result.runId),
          await store.getSteps(result.runId),
          await store.getStateVersions(result.runId),
        ])
      : undefined;
    return { id: request.id, result, events, ...(recorded !== undefined && { recorded }) };
  } catch (error) {
    return { id: request.id, events, error: serializeError(error) };
  } finally {
    await store?.close();
  }
}

parentPort!.on('message', (request: AgentRunRequest) => {
  void handle(request).then((reply) => parentPort!.postMessage(reply));
});
