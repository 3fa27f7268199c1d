/** Test side of the sample scenarios: one long-lived worker per test file, requests matched by id. */
import { Worker } from 'node:worker_threads';
import type { ScenarioReply, ScenarioRequest } from './scenario-protocol.js';

export class ScenarioClient {
  private readonly worker = new Worker(new URL('./scenario-worker.js', import.meta.url));
  private readonly pending = new Map<
    number,
    { resolve: (reply: ScenarioReply) => void; reject: (error: Error) => void }
  >();
  private nextId = 1;
  private failure: Error | null = null;

  constructor() {
    this.worker.on('message', (reply: ScenarioReply) => {
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
    // A worker that dies must fail the waiting tests with its error, not leave them hanging.
    const fail = (error: Error): void => {
      this.failure = error;
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`scenario worker exited with code ${code}`)));
  }

  call(request: Omit<ScenarioRequest, 'id'>): Promise<ScenarioReply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  /** A run/resume that must produce a result (throws the worker's error otherwise). */
  async result(request: Omit<ScenarioRequest, 'id'>) {
    const reply = await this.call(request);
    if (!reply.result)
      throw new Error(
        `scenario failed: ${reply.error?.code ?? ''} ${reply.error?.message ?? 'no result'}`,
      );
    return { ...reply.result, events: reply.events };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
