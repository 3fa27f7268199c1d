/**
 * Worker entry: owns the CellLanguageService, so type checking (23–28 ms per cell, ~300 MB) never
 * runs on the kernel's main thread. Requests are answered in order.
 */
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { CellLanguageService } from './language-service.js';
import type { CheckerRequest, CheckerResponse, CheckerWorkerData } from './checker-messages.js';

const data = workerData as CheckerWorkerData;
let service: CellLanguageService | undefined;

function handle(request: CheckerRequest): CheckerResponse {
  if (request.type === 'memory') {
    // This isolate's heap, not the process's: the figure benchmarks attribute to the checker.
    const heap = v8.getHeapStatistics();
    return {
      id: request.id,
      type: 'memory',
      memory: { heapUsed: heap.used_heap_size, heapTotal: heap.total_heap_size },
    };
  }
  service ??= new CellLanguageService(data.cwd, data.typesNodeDir);
  switch (request.type) {
    case 'check':
      return { id: request.id, type: 'check', diagnostics: service.check(request.code) };
    case 'complete':
      return {
        id: request.id,
        type: 'complete',
        completion: service.complete(request.code, request.cursor),
      };
    case 'inspect':
      return {
        id: request.id,
        type: 'inspect',
        info: service.inspect(request.code, request.cursor),
      };
  }
}

parentPort?.on('message', (request: CheckerRequest) => {
  let response: CheckerResponse;
  try {
    response = handle(request);
  } catch (error) {
    response = {
      id: request.id,
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
  parentPort?.postMessage(response);
});
