/** Worker side of the sample tests (see scenario-protocol.ts): runs API calls, replies with JSON. */
import { parentPort } from 'node:worker_threads';
import {
  MemoryRunStore,
  SqliteRunStore,
  resumeRun,
  runWorkflow,
  serializeError,
  streamWorkflow,
  type RunEvent,
  type RunStore,
} from '../../../runtime/index.js';
import type { ScenarioReply, ScenarioRequest } from './scenario-protocol.js';

const memoryStores = new Map<string, MemoryRunStore>();

function storeFor(request: ScenarioRequest): {
  store: RunStore | undefined;
  close: () => Promise<void>;
} {
  const spec = request.store;
  if (!spec) return { store: undefined, close: async () => undefined };
  if (spec.kind === 'memory') {
    let store = memoryStores.get(spec.name);
    if (!store) memoryStores.set(spec.name, (store = new MemoryRunStore()));
    return { store, close: async () => undefined };
  }
  const store = new SqliteRunStore(spec.path);
  return { store, close: () => store.close() };
}

async function handle(request: ScenarioRequest): Promise<ScenarioReply> {
  const events: RunEvent[] = [];
  const controller = new AbortController();
  const onEvent = (e: RunEvent): void => {
    events.push(e);
    const trigger = request.abortOn;
    if (trigger && e.type === trigger.type && 'stepId' in e && e.stepId === trigger.stepId)
      controller.abort();
  };
  const { store, close } = storeFor(request);
  try {
    const common = {
      signal: controller.signal,
      ...(request.projectDir ? { projectDir: request.projectDir } : {}),
    };
    switch (request.op) {
      case 'run':
        return {
          id: request.id,
          events,
          result: await runWorkflow(request.target!, {
            ...common,
            onEvent,
            inputs: request.inputs ?? {},
            ...(store ? { store } : {}),
          }),
        };
      case 'stream': {
        const stream = streamWorkflow(request.target!, {
          ...common,
          inputs: request.inputs ?? {},
          ...(store ? { store } : {}),
        });
        for await (const e of stream.events) onEvent(e);
        return { id: request.id, events, result: await stream.result };
      }
      case 'resume':
        if (!store) throw new Error('resume needs a store');
        return {
          id: request.id,
          events,
          result: await resumeRun(request.runId!, {
            ...common,
            onEvent,
            store,
            ...(request.force ? { force: true } : {}),
          }),
        };
    }
  } catch (error) {
    return { id: request.id, events, error: serializeError(error) };
  } finally {
    await close();
  }
}

parentPort?.on('message', (request: ScenarioRequest) => {
  void handle(request).then((reply) => parentPort?.postMessage(reply));
});
