import { SendQueue } from '../../../kernel/transport/send-queue.js';

describe('SendQueue', () => {
  test('one send in flight at a time, in push order, and a failed send does not stop the rest', async () => {
    const sent: string[] = [];
    const errors: unknown[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const queue = new SendQueue(
      {
        async send(frames) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setImmediate(r));
          inFlight--;
          if (String(frames[0]) === 'bad') throw new Error('EHOSTUNREACH');
          sent.push(String(frames[0]));
        },
      },
      (e) => errors.push(e),
    );
    for (const f of ['a', 'bad', 'b', 'c']) queue.push([Buffer.from(f)]);
    await queue.flushed();
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(maxInFlight).toBe(1);
    expect(errors).toHaveLength(1);
    queue.push([Buffer.from('d')]);
    await queue.flushed();
    expect(sent).toEqual(['a', 'b', 'c', 'd']);
  });
});
