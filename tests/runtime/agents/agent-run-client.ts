/** Test side: one worker per test file, requests matched by id; a dead worker fails the waiters. */
import { Worker } from 'node:worker_threads';
import type { AgentRunReply, AgentRunRequest } from './agent-run-protocol.js';

export class AgentRunClient {
  private readonly worker = new Worker(new URL('./agent-run-worker.js', import.meta.url));
  private readonly pending = new Map<
    number,
    { resolve: (r: AgentRunReply) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;

  constructor() {
    this.worker.on('message', (reply: AgentRunReply) => {
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
    const fail = (error: Error) => {
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`agent run worker exited with code ${code}`)));
  }

  async run(
    request: Omit<AgentRunRequest, 'id'>,
  ): Promise<Required<Pick<AgentRunReply, 'result'>> & AgentRunReply> {
    const id = this.nextId++;
    const reply = await new Promise<AgentRunReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
    if (!reply.result) throw new Error(`run failed to start: ${reply.error?.message ?? 'unknown'}`);
    return reply as Required<Pick<AgentRunReply, 'result'>> & AgentRunReply;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
