/**
 * Worker entry: owns the CellLanguageService, so type checking (15–35 ms per cell, ~300 MB) never
 * runs on the kernel's main thread. Requests are answered in order.
 *
 * Two things keep checking from slowing the cells it checks:
 * - Batching: when several cells were executed while a check ran, the queued checks are taken
 *   together and checked against one program (one program build instead of one per cell).
 * - Priority: on Linux the worker lowers its own thread's scheduling priority, so on a busy
 *   machine (two cores: the kernel, its socket thread and the frontend) the background check
 *   yields the CPU to the execute round trip.
 */
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { CellLanguageService } from './language-service.js';
import type { CheckerRequest, CheckerResponse, CheckerWorkerData } from './checker-messages.js';

const data = workerData as CheckerWorkerData;
let service: CellLanguageService | undefined;

/** A nice value for background work: yields to interactive threads, still makes progress. */
const CHECKER_NICE = 10;

/** Lowers this thread's priority (Linux: setpriority on the thread id; elsewhere a no-op). */
function lowerOwnPriority(): void {
  try {
    // /proc/thread-self links to /proc/<pid>/task/<tid>; setpriority with a tid sets that thread.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, CHECKER_NICE);
  } catch {
    // Not Linux, or not permitted: checking still works at normal priority.
  }
}

function errorResponse(id: number, error: unknown): CheckerResponse {
  return {
    id,
    type: 'error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}

function handleOne(request: Exclude<CheckerRequest, { type: 'check' }>): CheckerResponse {
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

function handleChecks(checks: Extract<CheckerRequest, { type: 'check' }>[]): CheckerResponse[] {
  service ??= new CellLanguageService(data.cwd, data.typesNodeDir);
  try {
    const results = service.checkMany(checks.map((c) => c.code));
    return checks.map((c, i) => ({ id: c.id, type: 'check', diagnostics: results[i]! }));
  } catch (error) {
    return checks.map((c) => errorResponse(c.id, error));
  }
}

/** Answers `requests` in order; consecutive checks are checked as one batch. */
function handleAll(requests: CheckerRequest[]): void {
  for (let i = 0; i < requests.length;) {
    const checks: Extract<CheckerRequest, { type: 'check' }>[] = [];
    for (let r = requests[i]; r?.type === 'check'; r = requests[++i]) checks.push(r);
    const responses: CheckerResponse[] = [];
    if (checks.length > 0) responses.push(...handleChecks(checks));
    else {
      const request = requests[i++]! as Exclude<CheckerRequest, { type: 'check' }>;
      try {
        responses.push(handleOne(request));
      } catch (error) {
        responses.push(errorResponse(request.id, error));
      }
    }
    for (const response of responses) parentPort?.postMessage(response);
  }
}

if (parentPort) {
  const port = parentPort;
  lowerOwnPriority();
  port.on('message', (first: CheckerRequest) => {
    // Everything queued behind this request while the last one ran joins it.
    const batch = [first];
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port))
      batch.push(next.message as CheckerRequest);
    handleAll(batch);
  });
}
