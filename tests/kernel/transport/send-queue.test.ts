import { SendQueue, type FrameSender } from '../../../kernel/transport/send-queue.js';

/** A socket whose sends finish a macrotask later, recording what it sent and into `log`. */
function slowSocket(name: string, log: string[], state: { inFlight: number; max: number }) {
  return {
    async send(frames: Buffer[]) {
      state.inFlight++;
      state.max = Math.max(state.max, state.inFlight);
      await new Promise((r) => setImmediate(r));
      state.inFlight--;
      if (String(frames[0]) === 'bad') throw new Error('EHOSTUNREACH');
      log.push(`${name}:${String(frames[0])}`);
    },
  } satisfies FrameSender;
}

describe('SendQueue', () => {
  test('one send in flight at a time, in push order, and a failed send does not stop the rest', async () => {
    const sent: string[] = [];
    const errors: unknown[] = [];
    const state = { inFlight: 0, max: 0 };
    const socket = slowSocket('s', sent, state);
    const queue = new SendQueue((e) => errors.push(e));
    for (const f of ['a', 'bad', 'b', 'c']) queue.push(socket, [Buffer.from(f)]);
    await queue.flushed();
    expect(sent).toEqual(['s:a', 's:b', 's:c']);
    expect(state.max).toBe(1);
    expect(errors).toHaveLength(1);
    queue.push(socket, [Buffer.from('d')]);
    await queue.flushed();
    expect(sent).toEqual(['s:a', 's:b', 's:c', 's:d']);
  });

  test('messages for different sockets reach them in push order (a reply never overtakes output)', async () => {
    const sent: string[] = [];
    const state = { inFlight: 0, max: 0 };
    const iopub = slowSocket('iopub', sent, state);
    const shell = slowSocket('shell', sent, state);
    const failedOn: FrameSender[] = [];
    const queue = new SendQueue((_, socket) => failedOn.push(socket));
    queue.push(iopub, [Buffer.from('busy')]);
    queue.push(iopub, [Buffer.from('result')]);
    queue.push(shell, [Buffer.from('reply')]);
    queue.push(shell, [Buffer.from('bad')]);
    queue.push(iopub, [Buffer.from('idle')]);
    await queue.flushed();
    expect(sent).toEqual(['iopub:busy', 'iopub:result', 'shell:reply', 'iopub:idle']);
    expect(state.max).toBe(1);
    expect(failedOn).toEqual([shell]);
  });
});
